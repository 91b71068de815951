#!/usr/bin/env python3
"""The gateway's story driven from Python with the standard library only (urllib,
http.server, subprocess): no SDK, as any language would use `webwx serve`.

Usage: gateway_story.py PATH_TO_WEBWX [MESSAGES]

Starts `webwx sim --auto-scan` and `webwx serve` (with a webhook receiver that fails its
first requests), logs three accounts in, injects messages and reads them over
Server-Sent Events through a disconnect resumed with ?after=, sends a text and a
multipart file twice under one Idempotency-Key (each reaches the simulator once), gets a
quick reply through the webhook's answer, kills the gateway with SIGKILL mid-stream,
starts it again on the same file and checks that the accounts come back without a QR code
and that every event arrives exactly once, in order, without a gap. Prints
"1 passed, 0 failed" on success.
"""

import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TOKEN = "python-story-token-0123456789"
ACCOUNTS = 3
DEADLINE = 90.0


def first_line(proc):
    line = proc.stdout.readline().decode()
    # Keep draining so the child never blocks on a full pipe.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return line


def request(base, method, path, body=None, headers=None, token=True):
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    if token:
        hdrs["Authorization"] = "Bearer " + TOKEN
    req = urllib.request.Request(base + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw and r.headers.get_content_type() == "application/json" else raw)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw


def wait_for(what, f):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        v = f()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class SSE:
    """GET /v1/events?after=SEQ read line by line on a thread."""

    def __init__(self, base, after):
        self.events = []
        self.lock = threading.Lock()
        req = urllib.request.Request(
            "%s/v1/events?after=%d" % (base, after),
            headers={"Authorization": "Bearer " + TOKEN, "Accept": "text/event-stream"},
        )
        self.resp = urllib.request.urlopen(req, timeout=60)
        assert self.resp.status == 200
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("data: "):
                    with self.lock:
                        self.events.append(json.loads(line[6:]))
        except (OSError, ValueError, AttributeError):
            pass

    def take(self):
        with self.lock:
            return list(self.events)

    def close(self):
        try:
            self.resp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.resp.close()
        self.thread.join(5)
        return self.take()


class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fail_first = 3
    failed = 0
    delivered = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Hook.lock:
            fail = Hook.failed < Hook.fail_first
            if fail:
                Hook.failed += 1
            else:
                event = json.loads(body)
                assert event["seq"] == int(self.headers["X-Webwx-Seq"])
                Hook.delivered.append(event)
        answer = b"{}"
        if not fail and event["event"] == "message" and event["kind"].get("text") == "please reply":
            answer = json.dumps({"reply": "auto reply"}).encode()
        self.send_response(500 if fail else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def texts(events):
    out = {}
    for e in events:
        if e["event"] == "message" and not e["outgoing"] and "text" in e["kind"]:
            out.setdefault(e["account"], []).append(e["kind"]["text"])
    return out


def main():
    webwx = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 90
    procs = []
    try:
        sim_proc = subprocess.Popen(
            [webwx, "sim", "--listen", "127.0.0.1:0", "--auto-scan", "--hold-ms", "200"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        procs.append(sim_proc)
        sim = first_line(sim_proc).split()[-1]

        hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        hook_url = "http://127.0.0.1:%d/hook" % hook.server_address[1]

        db = os.path.join(tempfile.mkdtemp(), "gateway.db")

        def serve(listen):
            p = subprocess.Popen(
                [webwx, "serve", "--listen", listen, "--db", "sqlite:" + db, "--token", TOKEN,
                 "--origin", sim, "--webhook", hook_url, "--webhook-retry-ms", "50",
                 "--webhook-retry-max-ms", "400", "--long-poll-ms", "3000"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            procs.append(p)
            line = first_line(p)
            assert line.startswith("webwx serve listening on http://"), line
            return p, line.split()[-1]

        gw, base = serve("127.0.0.1:0")
        status, _ = request(base, "GET", "/v1/accounts", token=False)
        assert status == 401, status
        status, body = request(base, "POST", "/v1/accounts", b"{not json")
        assert status == 400 and "not valid JSON" in body["error"]["message"], body

        ids = []
        for i in range(ACCOUNTS):
            status, acc = request(base, "POST", "/v1/accounts", {"name": "py%d" % i})
            assert status == 201, acc
            ids.append(acc["id"])
        status, _ = request(base, "GET", "/v1/accounts/nope")
        assert status == 404
        accs = []
        for aid in ids:
            acc = wait_for("login", lambda: (lambda a: a if a["state"] == "logged_in" else None)(
                request(base, "GET", "/v1/accounts/" + aid)[1]))
            friends = wait_for("contacts", lambda: request(
                base, "GET", "/v1/accounts/%s/contacts?kind=friend" % aid)[1])
            sim_accounts = request(sim, "GET", "/_sim/state", token=False)[1]["accounts"]
            uin = [a["uin"] for a in sim_accounts if a["user_name"] == acc["user"]["user_name"]][0]
            accs.append({"id": aid, "uin": uin, "friend": friends[0]["user_name"]})

        def inject(i, content):
            a = accs[i % ACCOUNTS]
            status, _ = request(sim, "POST", "/_sim/messages",
                                {"uin": a["uin"], "from": a["friend"], "content": content}, token=False)
            assert status == 200

        sse = SSE(base, 0)
        first = n // 2
        for i in range(first):
            inject(i, "m%d" % i)
        wait_for("half the messages", lambda: sum(map(len, texts(sse.take()).values())) >= first // 2)
        got = sse.close()
        sse = SSE(base, got[-1]["seq"])

        a0 = accs[0]
        msgs = "/v1/accounts/%s/messages" % a0["id"]
        one = request(base, "POST", msgs, {"to": a0["friend"], "text": "hello from python"},
                      {"Idempotency-Key": "py-text"})
        two = request(base, "POST", msgs, {"to": a0["friend"], "text": "hello from python"},
                      {"Idempotency-Key": "py-text"})
        assert one[0] == 200 and one == two, (one, two)
        boundary = "py-boundary"
        form = ("--{b}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n{to}\r\n"
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"py.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\nbytes from python\r\n--{b}--\r\n").format(
                    b=boundary, to=a0["friend"]).encode()
        hdrs = {"Content-Type": "multipart/form-data; boundary=" + boundary, "Idempotency-Key": "py-file"}
        f1 = request(base, "POST", msgs, form, hdrs)
        f2 = request(base, "POST", msgs, form, hdrs)
        assert f1[0] == 200 and f1 == f2, (f1, f2)
        sent = request(sim, "GET", "/_sim/sent", token=False)[1]
        assert len([s for s in sent if s["content"] == "hello from python"]) == 1
        assert len([s for s in sent if s.get("file_name") == "py.txt"]) == 1

        inject(0, "please reply")
        wait_for("the quick reply", lambda: [s for s in request(sim, "GET", "/_sim/sent", token=False)[1]
                                             if s["content"] == "auto reply"])

        def second_half():
            for i in range(first, n):
                inject(i, "m%d" % i)
                time.sleep(0.005)

        injector = threading.Thread(target=second_half)
        injector.start()
        time.sleep(0.1)
        port = base.rsplit(":", 1)[1]
        gw.kill()  # SIGKILL
        gw.wait()
        got += sse.close()
        head_at_kill = got[-1]["seq"]
        gw, base2 = serve("127.0.0.1:" + port)
        assert base2 == base
        injector.join()
        for a in accs:
            wait_for("resumed", lambda: request(base, "GET", "/v1/accounts/" + a["id"])[1]["state"] == "logged_in")

        want = {}
        for i, a in enumerate(accs):
            w = ["m%d" % k for k in range(first) if k % ACCOUNTS == i]
            if i == 0:
                w.append("please reply")
            w += ["m%d" % k for k in range(first, n) if k % ACCOUNTS == i]
            want[a["id"]] = w
        sse = SSE(base, head_at_kill)
        wait_for("every message", lambda: all(
            len(texts(got + sse.take()).get(a, [])) >= len(w) for a, w in want.items()))
        time.sleep(0.5)
        got += sse.close()

        assert [e["seq"] for e in got] == list(range(1, len(got) + 1)), "a gap or a repeat"
        assert texts(got) == want, "every message once, in order per account"
        assert not [e for e in got if e["seq"] > head_at_kill and e["event"] == "qr_code"], "no QR after restart"
        head = got[-1]["seq"]
        wait_for("every webhook delivery", lambda: {e["seq"] for e in Hook.delivered} >= set(range(1, head + 1)))
        assert Hook.failed >= 3
        last = {}
        seen = {}
        for e in Hook.delivered:
            if e["seq"] in seen:
                assert seen[e["seq"]] == e, "a repeat carries the same event"
                continue
            seen[e["seq"]] = e
            assert e["seq"] > last.get(e["account"], 0), "webhook order per account"
            last[e["account"]] = e["seq"]
        sent = request(sim, "GET", "/_sim/sent", token=False)[1]
        assert len([s for s in sent if s["content"] == "auto reply"]) == 1
        history = request(base, "GET", "/v1/accounts/%s/messages?chat=%s&limit=1000" % (
            a0["id"], urllib.parse.quote(a0["friend"])))[1]
        assert any(m["outgoing"] and m.get("text") == "hello from python" for m in history)
        print("python story: %d messages, %d events, %d webhook deliveries" % (n, len(got), len(Hook.delivered)))
        print("1 passed, 0 failed")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
