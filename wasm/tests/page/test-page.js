// The relay-mode test page: the built package, imported as a page would, talking to the
// relay that served this page (same origin: no CORS). The Node test drives it through
// WebDriver and reads `window.t`.
import init, { WebWx, qrSvg } from "./pkg/webwx_wasm.js";

// Every request the package makes and what the page could see of each answer.
const wire = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (req, ...rest) => {
  if (!(req instanceof Request)) return realFetch(req, ...rest); // init()'s own fetch of the .wasm
  const entry = { url: req.url, headers: Object.fromEntries(req.headers) };
  wire.push(entry);
  const resp = await realFetch(req, ...rest);
  entry.status = resp.status;
  entry.responseHeaders = [...resp.headers.keys()];
  entry.relayCookies = resp.headers.get("x-wx-set-cookie");
  return resp;
};

function session(options) {
  const wx = new WebWx({ origin: location.origin, relay: true, longPollTimeoutMs: 2000, requestTimeoutMs: 2000, ...options });
  const events = [];
  let svg;
  wx.onEvent((ev) => {
    events.push(ev);
    if (ev.event === "qr_code") svg = wx.qrSvg();
  });
  const waitFor = (pred, ms = 15000) =>
    new Promise((resolve, reject) => {
      const end = Date.now() + ms;
      const tick = () => {
        const found = events.find(pred);
        if (found) return resolve(found);
        if (Date.now() > end) return reject(new Error("timed out; events: " + events.map((e) => e.event)));
        setTimeout(tick, 30);
      };
      tick();
    });
  return { wx, events, waitFor, svg: () => svg };
}

/** The bytes of the test files: the Node side computes the same. */
function pattern(len) {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + 7) % 251;
  return b;
}

await init();
window.t = { WebWx, qrSvg, wire, session, pattern };
document.getElementById("status").textContent = "ready";
