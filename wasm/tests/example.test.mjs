// The example page (wasm/example) end to end in headless Chromium, served as its README
// says: `webwx relay --static DIR --upstream <webwx sim>`. It logs in, shows the
// contacts, shows a message injected through /_sim/messages, and what is typed into its
// box, or picked with its file picker, reaches /_sim/sent. A screenshot is kept in
// target/artifacts/example-page.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, ROOT, pageDir, removeDir, startBrowser, startRelay, startSim, stop, until } from "./harness.mjs";

test("the example page: login, contacts, a message in, a text and a file out", async () => {
  const sim = await startSim();
  const dir = pageDir(join(ROOT, "wasm", "example"));
  const relay = await startRelay(dir, sim.url);
  const browser = await startBrowser();
  const files = mkdtempSync(join(tmpdir(), "webwx-upload-"));
  try {
    await browser.open(`${relay.url}/`);
    const text = (css) => browser.run(`return document.querySelector(arguments[0])?.innerText ?? "";`, css);
    const visible = (css) => browser.run(`const e = document.querySelector(arguments[0]); return !!e && !e.closest("[hidden]");`, css);

    // Auto-scan logs in: the contacts appear, the first one's chat is open.
    await until("the contact list", () => visible("#contact-list li"), 20_000, 100);
    assert.match(await text("#status"), /logged in as/);
    assert.equal(await visible("#login"), false, "the QR panel is gone");
    const friend = (await sim.api.contacts()).find((c) => c.kind === "friend");
    const list = await text("#contact-list");
    assert.ok(list.includes(friend.nick_name), `${friend.nick_name} in the list`);

    // Open the friend's chat; an injected message shows up.
    await browser.run(`document.querySelector('#contact-list li[data-user="' + arguments[0] + '"]').click();`, friend.user_name);
    assert.match(await text("#chat-with"), new RegExp(friend.nick_name));
    const marker = `Hello from the simulator, ${Date.now()}`;
    await sim.api.inject({ from: friend.user_name, content: marker });
    await until("the injected message on the page", async () => (await text("#messages")).includes(marker), 15_000, 100);

    // Type a reply into the box and send it.
    const reply = "Typed into the example page";
    await browser.type(await browser.find("#text"), reply);
    await browser.click(await browser.find("#send-button"));
    const sentText = await until("the reply in /_sim/sent", async () =>
      (await sim.api.sent()).find((s) => s.content === reply));
    assert.equal(sentText.to, friend.user_name);
    await until("the reply on the page", async () => (await text("#messages")).includes(reply), 5_000, 100);

    // Pick a file.
    const content = "a file picked in the example page\n".repeat(100);
    const path = join(files, "picked.txt");
    writeFileSync(path, content);
    await browser.type(await browser.find("#file"), path);
    const sentFile = await until("the file in /_sim/sent", async () =>
      (await sim.api.sent()).find((s) => s.file_name === "picked.txt"));
    assert.equal(sentFile.media_md5, createHash("md5").update(content).digest("hex"));
    await until("the file on the page", async () => (await text("#messages")).includes("[file] picked.txt"), 5_000, 100);

  } finally {
    // Kept whatever happened: what a person would have seen.
    await browser.screenshot(join(ARTIFACTS, "example-page.png")).catch(() => {});
    await browser.close();
    await stop(relay.child);
    await stop(sim.child);
    removeDir(dir);
    removeDir(files);
  }
});
