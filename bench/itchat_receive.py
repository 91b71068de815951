"""itchat 1.3.10's receive path on a webwxsync body, in one process (the peer of
`webwx decode sync`): what `get_msg` does with the answer (decode, json.loads, Ret
check) and `produce_msg` with its contact store — the friends and the groups with
their member lists loaded through itchat's own `update_local_friends` /
`update_local_chatrooms`, as after login. Nothing touches the network.

    python itchat_receive.py sync SYNC_BODY STORES   -> prints the number of messages made
    python itchat_receive.py contacts CONTACTS_BODY  -> prints the number of contacts stored

`contacts`: what itchat does with a webwxgetcontact answer (`get_contact`: decode,
json.loads, then `update_local_friends` on the people).
"""
import html
import html.parser
import json
import sys

# itchat 1.3.10 calls HTMLParser().unescape(), which Python 3.9 removed: the same
# function from its new place (as the peer test does).
html.parser.HTMLParser.unescape = staticmethod(html.unescape)

import itchat  # noqa: E402  (after the patch above)
from itchat.components import contact, messages


def contacts(body_path):
    core = itchat.new_instance()
    core.storageClass.userName = "@me"
    with open(body_path, "rb") as f:
        content = f.read()
    dic = json.loads(content.decode("utf-8", "replace"))
    member_list = dic["MemberList"]
    chatrooms = [m for m in member_list if "@@" in m["UserName"]]
    others = [m for m in member_list if "@@" not in m["UserName"]]
    contact.update_local_chatrooms(core, chatrooms) if chatrooms else None
    contact.update_local_friends(core, others)
    print(len(core.memberList) + len(core.mpList) + len(core.chatroomList))


def main(body_path, stores_path):
    with open(stores_path, encoding="utf-8") as f:
        stores = json.load(f)
    core = itchat.new_instance()
    me = stores["me"]
    core.storageClass.userName = me["UserName"]
    core.storageClass.nickName = me["NickName"]
    core.loginInfo.update({"url": "https://wx.qq.com/cgi-bin/mmwebwx-bin", "skey": "@crypt_x",
                           "wxuin": str(me["Uin"]), "User": dict(me),
                           "fileUrl": "https://file.wx.qq.com/cgi-bin/mmwebwx-bin"})
    friends = [dict(f, VerifyFlag=0, RemarkName="", DisplayName="") for f in stores["friends"]]
    contact.update_local_friends(core, friends)
    groups = [dict(g, MemberList=[dict(m) for m in g["MemberList"]]) for g in stores["groups"]]
    contact.update_local_chatrooms(core, groups)

    # The receive path proper: get_msg's decoding of the answer, then produce_msg.
    with open(body_path, "rb") as f:
        content = f.read()
    dic = json.loads(content.decode("utf-8", "replace"))
    if dic["BaseResponse"]["Ret"] != 0:
        sys.exit("refused")
    msgs = messages.produce_msg(core, dic["AddMsgList"])
    print(len(msgs))


if __name__ == "__main__":
    if sys.argv[1] == "contacts":
        contacts(sys.argv[2])
    else:
        main(sys.argv[2], sys.argv[3])
