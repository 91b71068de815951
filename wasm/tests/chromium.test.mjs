// The built package in headless Chromium, in relay mode: a page served by
// `webwx relay --static DIR --upstream <webwx sim>` logs in, receives, sends a text and
// files, restores a snapshot without a QR code and logs out. The browser cannot send
// Cookie nor read Set-Cookie: the session only works because the forbidden headers
// travel renamed (x-wx-cookie, x-wx-set-cookie) and the simulator checks the cookies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ROOT, pageDir, removeDir, startBrowser, startRelay, startSim, stop, until } from "./harness.mjs";

const md5 = (bytes) => createHash("md5").update(bytes).digest("hex");
const pattern = (len) => Uint8Array.from({ length: len }, (_, i) => (i * 31 + 7) % 251);

test("Chromium, relay mode: login, receive, send text and files, restore, logout", async () => {
  const sim = await startSim();
  const dir = pageDir(join(ROOT, "wasm", "tests", "page"));
  const relay = await startRelay(dir, sim.url);
  const browser = await startBrowser();
  try {
    await browser.open(`${relay.url}/index.html`);
    await browser.run(`
      const end = Date.now() + 20000;
      while (!window.t) {
        if (Date.now() > end) throw new Error("the page did not load the package: " + document.body.innerText);
        await new Promise((r) => setTimeout(r, 50));
      }`);

    // Login (auto-scan): the events as `webwx login --json` prints them.
    const login = await browser.run(`
      const s = window.t.session({});
      window.s = s;
      s.wx.login();
      await s.waitFor((e) => e.event === "ready");
      return { names: s.events.map((e) => e.event), svg: s.svg(), qr: s.events.find((e) => e.event === "qr_code") };`);
    for (const step of ["qr_code", "logged_in", "contacts_loaded", "ready"]) {
      assert.ok(login.names.includes(step), `${step} in ${login.names}`);
    }
    assert.ok(login.svg.includes("<svg"), "the package drew the QR code");

    // Receive an injected text.
    const friend = (await sim.api.contacts()).find((c) => c.kind === "friend");
    const marker = `hello browser ${Date.now()}`;
    await sim.api.inject({ from: friend.user_name, content: marker });
    const msg = await browser.run(
      `return await window.s.waitFor((e) => e.event === "message" && e.kind?.text === arguments[0]);`,
      marker,
    );
    assert.equal(msg.chat, friend.user_name);
    assert.equal(typeof msg.new_id, "string");

    // Send a text, a file from a Uint8Array (two upload chunks) and one from a Blob.
    const sends = await browser.run(
      `const [to, nick] = arguments;
       const wx = window.s.wx;
       const text = await wx.sendText(nick, "hi from chromium");
       const file = await wx.sendFile(to, window.t.pattern(700 * 1024), "page.bin");
       const blob = await wx.sendFile(to, new Blob(["a Blob from the page\\n"]), "blob.txt");
       return { text, file, blob };`,
      friend.user_name,
      friend.nick_name,
    );
    assert.equal(sends.text.kind, "sent");
    assert.equal(sends.file.kind, "sent");
    assert.equal(sends.blob.kind, "sent");
    const sent = await sim.api.sent();
    assert.ok(sent.some((s) => s.content === "hi from chromium" && s.to === friend.user_name));
    assert.equal(sent.find((s) => s.file_name === "page.bin")?.media_md5, md5(pattern(700 * 1024)));
    assert.equal(sent.find((s) => s.file_name === "blob.txt")?.media_md5, md5("a Blob from the page\n"));

    // What crossed the relay: every request marked and with its cookies renamed, every
    // Set-Cookie as x-wx-set-cookie (the browser never sees a Set-Cookie).
    const wire = await browser.run(`return window.t.wire;`);
    const relayed = wire.filter((r) => r.url.startsWith(relay.url));
    assert.ok(relayed.length > 5);
    for (const r of relayed) {
      assert.equal(r.headers["x-wx-relay"], "1", r.url);
      assert.ok(!("cookie" in r.headers), r.url);
      // (A request still waiting, the synccheck long-poll, has no answer yet.)
      assert.ok(!r.responseHeaders?.includes("set-cookie"), r.url);
    }
    assert.ok(relayed.some((r) => r.headers["x-wx-cookie"]?.includes("wxsid=")), "cookies travel as x-wx-cookie");
    assert.ok(relayed.some((r) => r.headers["x-wx-user-agent"]), "the User-Agent travels as x-wx-user-agent");
    const loginPage = relayed.find((r) => new URL(r.url).pathname.endsWith("/webwxnewloginpage"));
    // Several cookies in one header, joined by the browser with ", " (and their Expires
    // dates have commas of their own): the package splits them back, so the next
    // request carries every one of them.
    assert.match(loginPage.relayCookies ?? "", /wxuin=.*, wxsid=.*webwx_data_ticket=/, "Set-Cookie arrives as x-wx-set-cookie");
    const init = relayed.find((r) => new URL(r.url).pathname.endsWith("/webwxinit"));
    for (const name of ["wxuin=", "wxsid=", "webwx_data_ticket=", "webwx_auth_ticket="]) {
      assert.ok(init.headers["x-wx-cookie"].includes(name), `${name} in x-wx-cookie`);
    }

    // Snapshot, shut down, restore in a new session: no QR code; then log out.
    const restored = await browser.run(
      `const snap = window.s.wx.snapshot();
       window.s.wx.shutdown();
       const s2 = window.t.session({ session: snap });
       s2.wx.login();
       await s2.waitFor((e) => e.event === "ready");
       const again = await s2.wx.command({ cmd: "send_text", to: arguments[0], text: "restored in chromium" });
       const out = await s2.wx.logout();
       return { names: s2.events.map((e) => e.event), again, out };`,
      friend.user_name,
    );
    assert.ok(!restored.names.includes("qr_code"), `no QR on restore: ${restored.names}`);
    assert.ok(restored.names.includes("ready"), `${restored.names}`);
    assert.equal(restored.again.kind, "sent");
    assert.equal(restored.out.kind, "logged_out");
    assert.ok(restored.names.includes("logged_out"));
    assert.ok((await sim.api.sent()).some((s) => s.content === "restored in chromium"));
  } finally {
    await browser.close();
    await stop(relay.child);
    await stop(sim.child);
    removeDir(dir);
  }
});
