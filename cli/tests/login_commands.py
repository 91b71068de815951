#!/usr/bin/env python3
"""`webwx login --json --commands` end to end, from another language (stdlib only).

Starts `webwx sim --auto-scan --hold-ms 200` and `webwx login --json --commands` as
subprocesses, writes JSON commands on the client's stdin (the first ones before it is
ready) and checks every answer line and what the simulator recorded: a text sent by
NickName, a file from base64 (its md5), a revoke, an unknown name, a malformed line,
and a logout that exits 0.

Usage: login_commands.py PATH_TO_WEBWX   (or WEBWX=PATH in the environment)
"""
import base64
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

WAIT = 20.0  # seconds; generous for a loaded 2-core machine, never waited out when green


def lines_of(stream, q):
    for line in stream:
        q.put(line)
    q.put(None)


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.loads(r.read())


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else os.environ["WEBWX"]
    sim = subprocess.Popen(
        [exe, "sim", "--listen", "127.0.0.1:0", "--auto-scan", "--hold-ms", "200", "--seed", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    client = None
    tmp = tempfile.mkdtemp(prefix="webwx-commands-")
    try:
        first = sim.stdout.readline().strip()
        assert first.startswith("webwx-sim listening on "), first
        base = first.rsplit(" ", 1)[1]
        client = subprocess.Popen(
            [exe, "login", "--json", "--commands", "--origin", base, "--seed", "3",
             "--long-poll-ms", "2000", "--timeout", "60",
             "--qr-png", os.path.join(tmp, "qr.png")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1)
        out = queue.Queue()
        threading.Thread(target=lines_of, args=(client.stdout, out), daemon=True).start()
        seen = []

        def send(obj):
            line = obj if isinstance(obj, str) else json.dumps(obj)
            client.stdin.write(line + "\n")
            client.stdin.flush()

        def next_line():
            line = out.get(timeout=WAIT)
            assert line is not None, "the client's stdout ended; seen: %r" % seen[-10:]
            v = json.loads(line)
            seen.append(v)
            return v

        def answer(id_):
            """Waits for the answer to command `id_` (events are kept in `seen`)."""
            for v in seen:
                if "answer" in v and v["answer"] == id_:
                    return v
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                v = next_line()
                if "answer" in v and v["answer"] == id_:
                    return v
            raise AssertionError("no answer %r; seen: %r" % (id_, seen[-10:]))

        # Sent at once, before the login: it waits for `ready`.
        send({"id": "early", "cmd": "send_text", "to": "filehelper", "text": "before ready"})
        early = answer("early")
        assert early["result"]["kind"] == "sent", early
        assert any(v.get("event") == "ready" for v in seen), "answered after ready"

        contacts = get(base, "/_sim/contacts")
        nicks = [c["nick_name"] for c in contacts]
        friend = next(c for c in contacts
                      if c["kind"] == "friend" and nicks.count(c["nick_name"]) == 1)

        # A text by NickName.
        send({"id": 1, "cmd": "send_text", "to": friend["nick_name"], "text": "hello from python"})
        a = answer(1)
        assert a["result"]["kind"] == "sent", a
        msg_id = a["result"]["msg_id"]
        assert isinstance(msg_id, str) and isinstance(a["result"]["local_id"], str), a
        sent = get(base, "/_sim/sent")
        rec = next(s for s in sent if s["msg_id"] == msg_id)
        assert rec["to"] == friend["user_name"] and rec["content"] == "hello from python", rec

        # A file, from base64: the simulator has its md5.
        data = bytes(range(256)) * 3000  # 768000 bytes: two chunks
        send({"id": 2, "cmd": "send_file", "to": friend["user_name"], "file_name": "py.bin",
              "data_b64": base64.b64encode(data).decode()})
        a = answer(2)
        assert a["result"]["kind"] == "sent", a
        rec = next(s for s in get(base, "/_sim/sent") if s["msg_id"] == a["result"]["msg_id"])
        assert rec["media_md5"] == hashlib.md5(data).hexdigest(), rec
        assert rec["file_name"] == "py.bin", rec

        # Revoke the text.
        send({"id": 3, "cmd": "revoke", "to": friend["nick_name"], "msg_id": msg_id})
        a = answer(3)
        assert a["result"] == {"kind": "done", "op": "revoke"}, a
        assert any(s["msg_id"] == msg_id and s.get("revoked") for s in get(base, "/_sim/sent"))

        # An unknown name: a typed error; the session goes on.
        send({"id": 4, "cmd": "send_text", "to": "Nobody Of That Name", "text": "x"})
        a = answer(4)
        assert a["error"]["kind"] == "unknown_name", a
        assert a["error"]["name"] == "Nobody Of That Name", a

        # A malformed line: an error answer without an id; a typo'd field keeps the id.
        send("this is not json")
        a = answer(None)
        assert a["error"]["kind"] == "bad_command", a
        send({"id": 5, "cmd": "send_text", "to": "filehelper", "txt": "typo"})
        a = answer(5)
        assert a["error"]["kind"] == "bad_command" and "txt" in a["error"]["message"], a

        # Logout: answered, then the client exits 0.
        send({"id": 6, "cmd": "logout"})
        a = answer(6)
        assert a["result"] == {"kind": "logged_out"}, a
        code = client.wait(timeout=WAIT)
        assert code == 0, code
        while True:  # the rest of stdout, up to its end
            line = out.get(timeout=WAIT)
            if line is None:
                break
            seen.append(json.loads(line))
        assert any(v.get("event") == "logged_out" for v in seen), seen[-5:]
        print("login --commands: 1 passed, 0 failed")
    finally:
        for p in (client, sim):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
