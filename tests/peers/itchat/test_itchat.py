"""Peer test: the unmodified itchat 1.3.10 client against webwx-sim.

Usage: python test_itchat.py http://127.0.0.1:PORT

Only two things of itchat are touched, as allowed: its login base URL
(itchat.config.BASE_URL) and HTMLParser.unescape, which Python 3.9 removed
(itchat calls it on every message). Everything else is itchat as published:
if it cannot talk to the simulator, the simulator is wrong.

Exit 0 when every check passed, 1 on a failed check, 2 on the overall timeout.
"""

import hashlib
import html
import html.parser
import json
import os
import queue
import sys
import tempfile
import threading
import time
import urllib.request

DEADLINE_S = 90


def watchdog():
    time.sleep(DEADLINE_S)
    print("FAIL: overall timeout of %ds" % DEADLINE_S, flush=True)
    os._exit(2)


threading.Thread(target=watchdog, daemon=True).start()

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else os.environ["WEBWX_SIM_URL"].rstrip("/")

# itchat calls HTMLParser().unescape(), removed in Python 3.9.
html.parser.HTMLParser.unescape = staticmethod(html.unescape)

import itchat  # noqa: E402  (after the patch above)
from itchat.content import TEXT  # noqa: E402

itchat.config.BASE_URL = BASE

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read().decode("utf-8"))


received = queue.Queue()


@itchat.msg_register(TEXT, isFriendChat=True)
def on_friend_text(msg):
    received.put(("friend", dict(msg)))


@itchat.msg_register(TEXT, isGroupChat=True)
def on_group_text(msg):
    received.put(("group", dict(msg)))


def wait_for(kind, pred, timeout=15):
    end = time.time() + timeout
    skipped = []
    while time.time() < end:
        try:
            k, m = received.get(timeout=0.2)
        except queue.Empty:
            continue
        if k == kind and pred(m):
            return m
        skipped.append((k, m.get("Text")))
    print("  (received meanwhile: %r)" % skipped, flush=True)
    return None


qr_events = []


def qr_callback(uuid, status, qrcode):
    qr_events.append((uuid, status, len(qrcode or b"")))


logged_in = threading.Event()
itchat.auto_login(
    hotReload=False,
    qrCallback=qr_callback,
    loginCallback=logged_in.set,
    exitCallback=lambda: None,
)
check(logged_in.is_set(), "itchat logged in (auto-scan)")
check(any(s == "201" for _, s, _ in qr_events), "login poll reported 201 (scanned)")
check(any(s == "200" for _, s, _ in qr_events), "login poll reported 200 (confirmed)")
itchat.run(blockThread=False)

state = control("GET", "/_sim/state")
me = [a for a in state["accounts"] if a["logged_in"]]
check(len(me) == 1, "the simulator has one logged-in account")
me = me[0]
check(itchat.originInstance.storageClass.userName == me["user_name"], "itchat knows its UserName")

contacts = control("GET", "/_sim/contacts")
friends = [c for c in contacts if c["kind"] == "friend" and "<span" not in c["nick_name"]]
groups = [c for c in contacts if c["kind"] == "group"]
check(len(friends) >= 2 and len(groups) >= 1, "generated friends and groups")
friend = friends[0]
check(
    any(f["UserName"] == friend["user_name"] for f in itchat.get_friends()),
    "itchat's friend list has the generated friend",
)
check(
    any(g["UserName"] == groups[0]["user_name"] for g in itchat.get_chatrooms()),
    "itchat's chatroom list has the generated group",
)

# 1. A private text.
text = "你好 itchat \U0001F600 <b>&amp; friends</b>\nline two"
control("POST", "/_sim/messages", {"from": friend["nick_name"], "content": text})
m = wait_for("friend", lambda m: m["FromUserName"] == friend["user_name"])
check(m is not None, "itchat received the private text")
check(m is not None and m["Text"] == text, "private text arrives unescaped and intact")

# 2. A group text that mentions the account.
group = groups[0]
member = [x for x in group["members"] if x["user_name"] != me["user_name"]][0]
control(
    "POST",
    "/_sim/messages",
    {"group": group["user_name"], "from": member["user_name"], "content": "开会了", "mentions": ["me"]},
)
m = wait_for("group", lambda m: m["FromUserName"] == group["user_name"])
check(m is not None, "itchat received the group text")
if m is not None:
    check(m["ActualUserName"] == member["user_name"], "group sender parsed from @member:<br/>")
    check(m["IsAt"] is True, "the mention of the account is detected (IsAt)")
    check(m["Text"].endswith("开会了"), "group text intact")
    shown = member["display_name"] or member["nick_name"]
    check(m["ActualNickName"] == shown, "sender's nick found through batchgetcontact")

# 3. itchat sends: a text, an image and a multi-chunk file.
r = itchat.send("reply from itchat", toUserName=friend["user_name"])
check(bool(r), "itchat.send text: Ret 0")
tmp = tempfile.mkdtemp()
png = os.path.join(tmp, "pic.png")
with open(png, "wb") as f:
    f.write(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
        )
    )
r = itchat.send_image(png, toUserName=friend["user_name"])
check(bool(r), "itchat.send_image: upload + webwxsendmsgimg Ret 0")
big = os.path.join(tmp, "data.bin")
payload = bytes((i * 7 + 3) % 251 for i in range(1_200_000))
with open(big, "wb") as f:
    f.write(payload)
r = itchat.send_file(big, toUserName=friend["user_name"])
check(bool(r), "itchat.send_file: 3-chunk upload + webwxsendappmsg Ret 0")

sent = control("GET", "/_sim/sent")
texts = [s for s in sent if s["type"] == 1 and s["to"] == friend["user_name"]]
check(any(s["content"] == "reply from itchat" for s in texts), "/_sim/sent has itchat's text")
imgs = [s for s in sent if s["endpoint"] == "webwxsendmsgimg"]
check(
    len(imgs) == 1 and imgs[0]["media_md5"] == hashlib.md5(open(png, "rb").read()).hexdigest(),
    "/_sim/sent has the image with its md5",
)
files = [s for s in sent if s["endpoint"] == "webwxsendappmsg"]
check(
    len(files) == 1 and files[0]["media_md5"] == hashlib.md5(payload).hexdigest(),
    "/_sim/sent has the file with the md5 of all its chunks",
)
check(len(sent) == 3, "each send recorded once")

# 4. Logout.
itchat.logout()
time.sleep(0.3)
state = control("GET", "/_sim/state")
check(not any(a["logged_in"] for a in state["accounts"]), "webwxlogout ended the session")

if FAILURES:
    print("%d check(s) failed" % len(FAILURES), flush=True)
    os._exit(1)
print("itchat peer test: all checks passed", flush=True)
os._exit(0)
