// What the package's tests share: the processes they start (webwx sim, webwx relay,
// chromedriver), the simulator's control API, a minimal WebDriver client over
// chromedriver's HTTP API, and the built package. Everything talks to 127.0.0.1 only.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "..", "..");
/** The built package (wasm/build.sh), imported as a user would. */
export const PKG = resolve(process.env.WEBWX_PKG ?? join(ROOT, "wasm", "pkg"));
/** The `webwx` binary (scripts/test builds it). */
export const WEBWX = process.env.WEBWX_BIN ?? join(ROOT, "target", "debug", "webwx");
export const ARTIFACTS = resolve(process.env.WEBWX_ARTIFACTS ?? join(ROOT, "target", "artifacts"));

/** The real `fetch`, taken before any test wraps it to watch the package. */
export const httpFetch = globalThis.fetch;

const children = new Set();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** Starts `cmd args`, resolves with the child and the first stdout line matching `re`. */
export function startProcess(cmd, args, re, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(" ")} exited (${code}): ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = line.match(re);
      if (m) {
        clearTimeout(timer);
        resolveStart({ child, match: m, stderr: () => stderr });
      }
    });
  });
}

/** Stops a child started here and waits for it. */
export async function stop(child) {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 3000);
  await gone;
  clearTimeout(t);
}

/** `webwx sim --auto-scan --hold-ms 300` on a free port: `{url, child, api}`. */
export async function startSim(extra = []) {
  const { child, match } = await startProcess(
    WEBWX,
    ["sim", "--listen", "127.0.0.1:0", "--auto-scan", "--hold-ms", "300", ...extra],
    /listening on (http:\/\/\S+)/,
  );
  const url = match[1].replace(/\/$/, "");
  return { url, child, api: simApi(url) };
}

/** `webwx relay --static DIR --upstream SIM` on a free port: `{url, child}`. */
export async function startRelay(staticDir, upstream, extra = []) {
  const { child, match } = await startProcess(
    WEBWX,
    ["relay", "--listen", "127.0.0.1:0", "--static", staticDir, "--upstream", upstream, ...extra],
    /listening on (http:\/\/\S+)/,
  );
  return { url: match[1].replace(/\/$/, ""), child };
}

/** The simulator's control API. */
export function simApi(base) {
  const call = async (method, path, body) => {
    const r = await httpFetch(base + path, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    state: () => call("GET", "/_sim/state"),
    contacts: () => call("GET", "/_sim/contacts"),
    sent: () => call("GET", "/_sim/sent"),
    inject: (msg) => call("POST", "/_sim/messages", msg),
  };
}

/** Polls `f` until it returns a truthy value (or throws after `ms`). */
export async function until(what, f, ms = 15_000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** A fresh folder with the files of `source` and the built package under pkg/ (the
 * relay serves nothing outside the folder it is given, links included). */
export function pageDir(source) {
  const dir = mkdtempSync(join(tmpdir(), "webwx-page-"));
  cpSync(source, dir, { recursive: true, filter: (f) => !f.endsWith("/pkg") });
  cpSync(PKG, join(dir, "pkg"), { recursive: true });
  return dir;
}

/** Removes a folder made here. */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((r, j) => {
    const s = createServer();
    s.once("error", j);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });
}

/** The flags Chromium needs as root on this machine's closed network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--window-size=1280,1000",
];

/** Headless Chromium through chromedriver's WebDriver HTTP API. */
export async function startBrowser() {
  const port = await freePort();
  const driver = spawn(process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver", [`--port=${port}`], {
    stdio: "ignore",
  });
  children.add(driver);
  driver.on("exit", () => children.delete(driver));
  const base = `http://127.0.0.1:${port}`;
  await until("chromedriver", async () => {
    try {
      return (await (await httpFetch(`${base}/status`)).json()).value?.ready;
    } catch {
      return false;
    }
  });
  const profile = mkdtempSync(join(tmpdir(), "webwx-chromium-"));
  const wd = async (method, path, body) => {
    const r = await httpFetch(base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value).slice(0, 2000)}`);
    return json.value;
  };
  const session = await wd("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        browserName: "chrome",
        "goog:chromeOptions": {
          binary: process.env.CHROMIUM ?? "/usr/bin/chromium",
          args: [...CHROMIUM_ARGS, `--user-data-dir=${profile}`],
        },
        "goog:loggingPrefs": { browser: "ALL" },
      },
    },
  });
  const sid = session.sessionId;
  const s = (p) => `/session/${sid}${p}`;
  const browser = {
    open: (url) => wd("POST", s("/url"), { url }),
    /** Runs `body` (an async function's body, `args` as `arguments`) in the page. */
    run: (body, ...args) =>
      wd("POST", s("/execute/async"), {
        script: `const done = arguments[arguments.length - 1];
                 (async (...args) => { ${body} })(...Array.from(arguments).slice(0, -1))
                   .then((v) => done({ ok: v }), (e) => done({ err: String(e && (e.stack || e.message) || JSON.stringify(e)) }));`,
        args,
      }).then((r) => {
        if (r && "err" in r) throw new Error(`in the page: ${r.err}`);
        return r?.ok;
      }),
    find: (css) => wd("POST", s("/element"), { using: "css selector", value: css }).then((e) => Object.values(e)[0]),
    type: (el, text) => wd("POST", s(`/element/${el}/value`), { text }),
    click: (el) => wd("POST", s(`/element/${el}/click`), {}),
    screenshot: async (file) => {
      const b64 = await wd("GET", s("/screenshot"));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, Buffer.from(b64, "base64"));
    },
    logs: () => wd("POST", s("/se/log"), { type: "browser" }).catch(() => []),
    timeouts: (ms) => wd("POST", s("/timeouts"), { script: ms, pageLoad: ms, implicit: 0 }),
    close: async () => {
      await wd("DELETE", s("")).catch(() => {});
      await stop(driver);
      removeDir(profile);
    },
  };
  await browser.timeouts(30_000);
  return browser;
}

/** The package's files, as a page or Node loads them. */
export function wasmBytes() {
  return readFileSync(join(PKG, "webwx_wasm_bg.wasm"));
}
