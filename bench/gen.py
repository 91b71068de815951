#!/usr/bin/env python3
"""Deterministic bodies for the benchmarks (stdlib only; a fixed seed).

    gen.py sync N OUT [--stores STORES]   webwxsync answer with N messages (half in 40 groups)
    gen.py contacts N OUT                 webwxgetcontact answer with N contacts
    gen.py batchcontacts G M OUT          webwxbatchgetcontact answer: G groups of M members

The layout is the server's (captures/12_11_webwxsync_0.txt): one field per line, four
spaces, nested objects on one line, UTF-8 as is. Messages carry the full 2018 field set.
Non-text messages are the message fixtures of core/tests/fixtures/messages/ (real or
sanitized captures) with fresh ids, senders and times; texts are generated (CJK and
Latin, entities, <br/>, emoji spans, mentions). `--stores` also writes what a client
holds after login — the contacts and the 40 groups with their member lists — for the
peers' receive paths (itchat's contact store, wechat4u's contacts).
"""
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "core", "tests", "fixtures", "messages")
ME = "@f0c04abe389590b02d91684d99584439"
ME_NICK = "小桔同学"
GROUPS = 40
MEMBERS_PER_GROUP = 60
FRIENDS = 300

MESSAGE_FIELDS = [
    ("MsgId", ""), ("FromUserName", ""), ("ToUserName", ""), ("MsgType", 1),
    ("Content", ""), ("Status", 3), ("ImgStatus", 1), ("CreateTime", 0),
    ("VoiceLength", 0), ("PlayLength", 0), ("FileName", ""), ("FileSize", ""),
    ("MediaId", ""), ("Url", ""), ("AppMsgType", 0), ("StatusNotifyCode", 0),
    ("StatusNotifyUserName", ""), ("RecommendInfo", None), ("ForwardFlag", 0),
    ("AppInfo", None), ("HasProductId", 0), ("Ticket", ""), ("ImgHeight", 0),
    ("ImgWidth", 0), ("SubMsgType", 0), ("NewMsgId", 0), ("OriContent", ""),
    ("EncryFileName", ""),
]
RECOMMEND_FIELDS = [
    ("UserName", ""), ("NickName", ""), ("QQNum", 0), ("Province", ""), ("City", ""),
    ("Content", ""), ("Signature", ""), ("Alias", ""), ("Scene", 0), ("VerifyFlag", 0),
    ("AttrStatus", 0), ("Sex", 0), ("Ticket", ""), ("OpCode", 0),
]
CONTACT_FIELDS = [
    ("Uin", 0), ("UserName", ""), ("NickName", ""), ("HeadImgUrl", ""), ("ContactFlag", 3),
    ("MemberCount", 0), ("MemberList", []), ("RemarkName", ""), ("HideInputBarFlag", 0),
    ("Sex", 0), ("Signature", ""), ("VerifyFlag", 0), ("OwnerUin", 0), ("PYInitial", ""),
    ("PYQuanPin", ""), ("RemarkPYInitial", ""), ("RemarkPYQuanPin", ""), ("StarFriend", 0),
    ("AppAccountFlag", 0), ("Statues", 0), ("AttrStatus", 0), ("Province", ""),
    ("City", ""), ("Alias", ""), ("SnsFlag", 0), ("UniFriend", 0), ("DisplayName", ""),
    ("ChatRoomId", 0), ("KeyWord", ""), ("EncryChatRoomId", ""), ("IsOwner", 0),
]
MEMBER_FIELDS = [
    ("Uin", 0), ("UserName", ""), ("NickName", ""), ("AttrStatus", 0), ("PYInitial", ""),
    ("PYQuanPin", ""), ("RemarkPYInitial", ""), ("RemarkPYQuanPin", ""),
    ("MemberStatus", 0), ("DisplayName", ""), ("KeyWord", ""),
]

WORDS_ZH = ["你好", "今天", "开会", "晚上", "吃饭", "项目", "进度", "周末", "一起", "没问题",
            "收到", "谢谢", "好的", "明天", "下午", "文件", "看看", "已经", "发给你", "哈哈"]
WORDS_EN = ["ok", "meeting", "tomorrow", "deploy", "thanks", "lunch", "review", "ship",
            "done", "the", "build", "is", "green", "see", "you", "at", "three"]
EMOJI = ["1f604", "1f602", "1f44d", "2764", "1f64f", "1f389", "1f60a"]
NICKS = ["赵静", "马超", "Alice", "Bob", "李雷", "韩梅梅", "王芳", "Chen Wei", "张伟", "Lily"]


def j(v):
    return json.dumps(v, ensure_ascii=False)


def inline(obj):
    return "{" + ",".join(f"{j(k)}: {j(v)}" for k, v in obj.items()) + "}"


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def text(rng):
    out = []
    for _ in range(rng.randint(3, 18)):
        r = rng.random()
        if r < 0.55:
            out.append(rng.choice(WORDS_ZH))
        elif r < 0.85:
            out.append(rng.choice(WORDS_EN) + " ")
        elif r < 0.93:
            out.append(f'<span class="emoji emoji{rng.choice(EMOJI)}"></span>')
        elif r < 0.97:
            out.append(rng.choice(["&amp;", "&lt;", "&gt;", "&quot;"]))
        else:
            out.append("<br/>")
    return "".join(out)


def templates():
    pool = []
    for name in sorted(os.listdir(FIXTURES)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
            d = json.load(f)
        raw = d.get("raw") if isinstance(d, dict) else None
        if isinstance(raw, dict) and raw.get("MsgType") not in (1, None):
            pool.append((name, raw))
    return pool


def world(rng):
    """The contacts a client holds after login: the friends as webwxgetcontact sends them
    (every field of CONTACT_FIELDS), the groups as webwxbatchgetcontact sends them, with
    their members (every field of MEMBER_FIELDS). Only the names are drawn from `rng`
    (the other fields are fixed), so the bodies do not depend on the records' shape."""
    def full(fields, **values):
        record = dict(fields)
        record.update({"PYInitial": "ZJ", "PYQuanPin": "zhaojing", "AttrStatus": 102501})
        record.update(values)
        return record

    friends = [full(CONTACT_FIELDS, UserName="@" + hexid(rng, 32),
                    NickName=rng.choice(NICKS) + str(i), Province="广东", City="深圳",
                    HeadImgUrl="/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@x")
               for i in range(FRIENDS)]
    groups = []
    for g in range(GROUPS):
        members = [full(MEMBER_FIELDS, UserName="@" + hexid(rng, 32),
                        NickName=rng.choice(NICKS) + str(m)) for m in range(MEMBERS_PER_GROUP)]
        members.append(full(MEMBER_FIELDS, UserName=ME, NickName=ME_NICK))
        groups.append(full(CONTACT_FIELDS, UserName="@@" + hexid(rng, 64), NickName=f"群{g}",
                           MemberCount=len(members), MemberList=members))
    # The special accounts every contact list holds (friend requests come from fmessage).
    friends += [full(CONTACT_FIELDS, UserName=u, NickName=u)
                for u in ("fmessage", "filehelper", "newsapp")]
    return friends, groups


def message(rng, i, pool, friends, groups):
    m = dict(MESSAGE_FIELDS)
    m["RecommendInfo"] = dict(RECOMMEND_FIELDS)
    m["AppInfo"] = {"AppID": "", "Type": 0}
    in_group = i % 2 == 0
    r = rng.random()
    if r < 0.6:
        m["MsgType"] = 1
        body = text(rng)
    else:
        name, raw = pool[rng.randrange(len(pool))]
        for k, v in raw.items():
            if k in m:
                m[k] = v
        body = raw.get("Content", "")
        # Fixture bodies of group messages carry their own sender prefix.
        if body.startswith("@") and ":<br/>" in body[:80]:
            body = body.split(":<br/>", 1)[1]
    if in_group and m["MsgType"] not in (51, 10000, 10002):
        g = groups[rng.randrange(GROUPS)]
        sender = g["MemberList"][rng.randrange(MEMBERS_PER_GROUP)]
        if m["MsgType"] == 1 and rng.random() < 0.1:
            body = f"@{ME_NICK}\u2005" + body
        m["FromUserName"] = g["UserName"]
        m["ToUserName"] = ME
        m["Content"] = f"{sender['UserName']}:<br/>{body}"
    else:
        peer = friends[rng.randrange(FRIENDS)]["UserName"]  # people, not the specials
        if rng.random() < 0.1:
            m["FromUserName"], m["ToUserName"] = ME, peer
        else:
            m["FromUserName"], m["ToUserName"] = peer, ME
        m["Content"] = body
    if m["MsgType"] == 37:
        m["FromUserName"], m["ToUserName"] = "fmessage", ME
    if m["MsgType"] == 51:
        # The conversations a status notification names are ones the client knows.
        names = [friends[rng.randrange(FRIENDS)]["UserName"] for _ in range(rng.randint(1, 6))]
        names += [groups[rng.randrange(GROUPS)]["UserName"] for _ in range(rng.randint(0, 3))]
        m["FromUserName"], m["ToUserName"] = ME, names[0]
        m["StatusNotifyUserName"] = ",".join(names)
        wxids = ",".join(f"wxid_{hexid(rng, 12)}" for _ in names)
        m["Content"] = (f"&lt;msg&gt;&lt;op id='{m['StatusNotifyCode'] or 4}'&gt;&lt;username&gt;"
                        f"{wxids}&lt;/username&gt;&lt;unreadchatlist&gt;&lt;chat&gt;&lt;username&gt;"
                        f"&lt;/username&gt;&lt;/chat&gt;&lt;/unreadchatlist&gt;&lt;/op&gt;&lt;/msg&gt;")
    mid = 1_000_000_000_000_000_000 + i * 7919
    m["MsgId"] = str(mid)
    m["NewMsgId"] = mid
    m["CreateTime"] = 1_546_215_540 + i
    return m


def write_message(f, m, last):
    f.write("{\n")
    items = list(m.items())
    for n, (k, v) in enumerate(items):
        val = inline(v) if isinstance(v, dict) else j(v)
        f.write(f"        {j(k)}: {val}{',' if n + 1 < len(items) else ''}\n")
    f.write("    }" + ("" if last else ", "))


def sync(n, out, stores):
    rng = random.Random(20)
    friends, groups = world(rng)
    pool = templates()
    key = {"Count": 4, "List": [{"Key": 1, "Val": 698325105}, {"Key": 2, "Val": 698325109},
                                {"Key": 3, "Val": 698325051}, {"Key": 1000, "Val": 1546210682}]}
    with open(out, "w", encoding="utf-8") as f:
        f.write('{\n    "BaseResponse": {"Ret": 0,"ErrMsg": ""},\n')
        f.write(f'    "AddMsgCount": {n},\n    "AddMsgList": [')
        for i in range(n):
            write_message(f, message(rng, i, pool, friends, groups), i + 1 == n)
        f.write("],\n")
        f.write('    "ModContactCount": 0,\n    "ModContactList": [],\n')
        f.write('    "DelContactCount": 0,\n    "DelContactList": [],\n')
        f.write('    "ModChatRoomMemberCount": 0,\n    "ModChatRoomMemberList": [],\n')
        f.write('    "Profile": {"BitFlag": 0,"UserName": {"Buff": ""},"NickName": {"Buff": ""},'
                '"BindUin": 0,"BindEmail": {"Buff": ""},"BindMobile": {"Buff": ""},"Status": 0,'
                '"Sex": 0,"PersonalCard": 0,"Alias": "","HeadImgUpdateFlag": 0,"HeadImgUrl": "",'
                '"Signature": ""},\n')
        f.write('    "ContinueFlag": 0,\n')
        f.write(f'    "SyncKey": {j(key)},\n    "SKey": "",\n    "SyncCheckKey": {j(key)}\n}}\n')
    if stores:
        me = {"UserName": ME, "NickName": ME_NICK, "Uin": 176666155}
        with open(stores, "w", encoding="utf-8") as f:
            json.dump({"me": me, "friends": friends, "groups": groups}, f, ensure_ascii=False)


def contact(rng, i, members=0):
    c = dict(CONTACT_FIELDS)
    user = ("@@" + hexid(rng, 64)) if members else ("@" + hexid(rng, 32))
    nick = rng.choice(NICKS) + str(i)
    c.update({
        "UserName": user, "NickName": nick,
        "HeadImgUrl": f"/cgi-bin/mmwebwx-bin/webwxgeticon?seq={600000000 + i}&username={user}"
                      "&skey=@crypt_63d18dea_a7de6934c67e2f89ac399fa35b689a50",
        "Sex": rng.randint(0, 2), "Signature": text(rng) if rng.random() < 0.5 else "",
        "PYInitial": "ZJ", "PYQuanPin": "zhaojing", "Province": "广东", "City": "深圳",
        "AttrStatus": rng.randrange(1 << 20), "SnsFlag": 17, "ContactFlag": 3,
    })
    if members:
        c["MemberCount"] = members
        c["MemberList"] = [member(rng, m) for m in range(members)]
        c["EncryChatRoomId"] = "@" + hexid(rng, 32)
    return c


def member(rng, i):
    m = dict(MEMBER_FIELDS)
    m.update({"UserName": "@" + hexid(rng, 32), "NickName": rng.choice(NICKS) + str(i),
              "AttrStatus": rng.randrange(1 << 20), "PYInitial": "LL", "PYQuanPin": "lilei"})
    return m


def write_contacts(out, key, contacts, extra):
    with open(out, "w", encoding="utf-8") as f:
        f.write('{\n"BaseResponse": {\n"Ret": 0,\n"ErrMsg": ""\n}\n,\n')
        f.write(f'"{key}": [')
        for n, c in enumerate(contacts):
            f.write(("," if n else "") + "{\n")
            items = list(c.items())
            for k2, (k, v) in enumerate(items):
                f.write(f'"{k}": {j(v)}{"," if k2 + 1 < len(items) else ""}\n')
            f.write("}\n")
        f.write("]\n")
        for k, v in extra.items():
            f.write(f',\n"{k}": {j(v)}\n')
        f.write("}\n")


def main(argv):
    if len(argv) >= 3 and argv[0] == "sync":
        stores = argv[argv.index("--stores") + 1] if "--stores" in argv else None
        sync(int(argv[1]), argv[2], stores)
    elif len(argv) == 3 and argv[0] == "contacts":
        rng = random.Random(5000)
        n = int(argv[1])
        write_contacts(argv[2], "MemberList", [contact(rng, i) for i in range(n)],
                       {"MemberCount": n, "Seq": 0})
    elif len(argv) == 4 and argv[0] == "batchcontacts":
        rng = random.Random(50)
        g, m = int(argv[1]), int(argv[2])
        write_contacts(argv[3], "ContactList", [contact(rng, i, m) for i in range(g)],
                       {"Count": g})
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
