// The built package in Node, as a user would import it, against `webwx sim` in direct
// mode (origin = the simulator, relay: false: Node may send Cookie itself).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PKG, startSim, stop, until, wasmBytes } from "./harness.mjs";

const { default: init, WebWx, qrSvg } = await import(pathToFileURL(join(PKG, "webwx_wasm.js")).href);
await init({ module_or_path: wasmBytes() });

// Every request the package makes, as it left: the global fetch, watched.
const wire = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (req, ...rest) => {
  if (req instanceof Request) wire.push({ url: req.url, headers: Object.fromEntries(req.headers) });
  return realFetch(req, ...rest);
};

const md5 = (bytes) => createHash("md5").update(bytes).digest("hex");
const timeouts = { longPollTimeoutMs: 2000, requestTimeoutMs: 2000 };

/** A session's events, and a way to wait for one. */
function watch(wx) {
  const events = [];
  wx.onEvent((ev) => events.push(ev));
  const waitFor = (what, pred) => until(what, () => events.find(pred));
  return { events, waitFor };
}

test("Node: login, receive, send text and files, snapshot, restore without QR, logout", async () => {
  const sim = await startSim();
  try {
    const wx = new WebWx({ origin: sim.url, relay: false, seed: 7, ...timeouts });
    const { events, waitFor } = watch(wx);
    let svgWhileWaiting;
    wx.onEvent((ev) => {
      if (ev.event === "qr_code") svgWhileWaiting = wx.qrSvg();
    });
    assert.equal(wx.isLoggedIn(), false);
    wx.login();
    await waitFor("ready", (e) => e.event === "ready");
    const names = events.map((e) => e.event);
    for (const step of ["qr_code", "logged_in", "contacts_loaded", "ready"]) {
      assert.ok(names.includes(step), `${step} in ${names}`);
    }
    assert.ok(names.indexOf("qr_code") < names.indexOf("logged_in"));
    assert.ok(names.indexOf("logged_in") < names.indexOf("ready"));
    // Plain objects, as `webwx login --json` prints them.
    const qr = events.find((e) => e.event === "qr_code");
    assert.equal(Object.getPrototypeOf(qr), Object.prototype);
    assert.match(qr.url, /^https:\/\/login\.weixin\.qq\.com\/l\//);
    // The package draws the QR code itself.
    assert.ok(svgWhileWaiting?.includes("<svg"), "qrSvg() while the QR waits");
    assert.equal(qrSvg(qr.url), svgWhileWaiting);
    assert.equal(wx.qrSvg(), undefined, "no QR once logged in");
    assert.equal(wx.isLoggedIn(), true);

    // The address book, as the simulator has it.
    const friend = (await sim.api.contacts()).find((c) => c.kind === "friend");
    assert.ok(friend, "the simulator has a friend");
    const mine = wx.contacts();
    assert.ok(mine.some((c) => c.user_name === friend.user_name && c.kind === "friend"));

    // Receive an injected text.
    const marker = `hello from the simulator ${Date.now()}`;
    await sim.api.inject({ from: friend.user_name, content: marker });
    const msg = await waitFor("the injected message", (e) => e.event === "message" && e.kind?.text === marker);
    assert.equal(msg.chat, friend.user_name);
    assert.equal(typeof msg.new_id, "string", "64-bit ids are strings");
    assert.equal(msg.outgoing, false);

    // Send a text (by NickName), a file from a Uint8Array (two upload chunks) and one
    // from a Blob.
    const text = await wx.sendText(friend.nick_name, "hi from node");
    assert.equal(text.kind, "sent");
    assert.equal(typeof text.msg_id, "string");
    const big = new Uint8Array(700 * 1024).map((_, i) => (i * 31 + 7) % 251);
    const file = await wx.sendFile(friend.user_name, big, "notes.bin");
    assert.equal(file.kind, "sent");
    const small = new TextEncoder().encode("a small text file, from a Blob\n");
    const blob = await wx.sendFile(friend.user_name, new Blob([small]), "blob.txt");
    assert.equal(blob.kind, "sent");
    // The boundary's own send_file, bytes given as `data`.
    const viaCommand = await wx.command({ cmd: "send_file", to: friend.user_name, file_name: "cmd.bin", data: small, id: 9 });
    assert.equal(viaCommand.kind, "sent");

    const sent = await sim.api.sent();
    const of = (pred) => sent.find(pred);
    assert.ok(of((s) => s.content === "hi from node" && s.to === friend.user_name), "text in /_sim/sent");
    assert.equal(of((s) => s.file_name === "notes.bin")?.media_md5, md5(big));
    assert.equal(of((s) => s.file_name === "blob.txt")?.media_md5, md5(small));
    assert.equal(of((s) => s.file_name === "cmd.bin")?.media_md5, md5(small));
    assert.equal(of((s) => s.content === "hi from node").msg_id, text.msg_id);

    // Typed errors.
    await assert.rejects(wx.command({ cmd: "send_text", to: friend.user_name, txt: "typo" }), (e) => {
      assert.equal(e.kind, "bad_command");
      assert.match(e.message, /txt/);
      return true;
    });
    await assert.rejects(wx.sendText("Nobody Of That Name", "x"), (e) => e.kind === "unknown_name");

    // Forward by msg_id (any message seen in the session). The package reads no inline
    // message (webwx-core without its inline-forward feature: a sixth of the .wasm), and
    // says so.
    const forwarded = await wx.command({ cmd: "forward", to: friend.user_name, msg_id: msg.id });
    assert.equal(forwarded.kind, "sent");
    await assert.rejects(wx.command({ cmd: "forward", to: friend.user_name, message: msg }), (e) => {
      assert.equal(e.kind, "bad_command");
      assert.match(e.message, /msg_id/);
      return true;
    });
    await assert.rejects(wx.sendFile(friend.user_name, "not bytes", "x.txt"), (e) => e.kind === "invalid");

    // Direct mode: Cookie and User-Agent as they are, nothing renamed, no relay mark.
    const ours = wire.filter((r) => r.url.startsWith(sim.url));
    assert.ok(ours.length > 5);
    assert.ok(ours.some((r) => r.headers.cookie?.includes("wxsid=")), "Cookie sent directly");
    assert.ok(ours.every((r) => !("x-wx-cookie" in r.headers) && !("x-wx-relay" in r.headers)));

    // Snapshot, then a new session from it: no QR code.
    const snap = wx.snapshot();
    assert.equal(typeof snap, "string");
    assert.ok(JSON.parse(snap).credentials, "credentials saved");
    wx.shutdown();
    const wx2 = new WebWx({ origin: sim.url, relay: false, session: snap, ...timeouts });
    const second = watch(wx2);
    wx2.login();
    await second.waitFor("ready after restore", (e) => e.event === "ready");
    assert.ok(!second.events.some((e) => e.event === "qr_code"), "no QR code on restore");
    const again = await wx2.command({ cmd: "send_text", to: friend.user_name, text: "after restore" });
    assert.equal(again.kind, "sent");
    assert.ok((await sim.api.sent()).some((s) => s.content === "after restore"));

    // Logout answers once the session is over; later commands answer session_ended.
    const out = await wx2.logout();
    assert.equal(out.kind, "logged_out");
    assert.ok(second.events.some((e) => e.event === "logged_out"));
    await assert.rejects(wx2.sendText(friend.user_name, "too late"), (e) => e.kind === "session_ended");
  } finally {
    await stop(sim.child);
  }
});

test("Node: bad options are refused at once", () => {
  assert.throws(() => new WebWx({ relay: true }), /origin/);
  assert.throws(() => new WebWx({ origin: "127.0.0.1:1" }), /origin/);
  assert.throws(() => new WebWx({ realy: true }), /realy/);
  assert.throws(() => new WebWx({ session: "{not json" }), /session/);
});
