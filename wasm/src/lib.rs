//! # webwx-wasm
//!
//! webwx in the browser and in Node: a wasm-bindgen API over the global `fetch` that
//! drives [`webwx_core::Client`] and speaks the core's JSON boundary
//! ([`webwx_core::boundary`]): events are the objects `webwx login --json` prints,
//! commands the boundary's `{"cmd": ..}` objects, answered once their outcome is known.
//!
//! `wasm/build.sh` builds the npm package (`wasm/pkg/`, the `web` target: pages, workers
//! and Node >= 20 from one build):
//!
//! ```js
//! import init, { WebWx, qrSvg } from "./pkg/webwx_wasm.js";
//! await init();        // Node: await init({ module_or_path: readFileSync(wasmPath) })
//! const wx = new WebWx({ origin: "http://127.0.0.1:8787", relay: true });
//! wx.onEvent((ev) => { if (ev.event === "qr_code") show(qrSvg(ev.url)); });
//! wx.login();
//! await wx.sendText("filehelper", "hi");
//! ```
//!
//! A page cannot call the WeChat hosts (no CORS, `Cookie` forbidden, `Set-Cookie`
//! hidden): it runs in relay mode (`origin` + `relay: true`) through `webwx relay`, the
//! core renaming the forbidden headers (`x-wx-*`). Node, extensions and Electron call the
//! hosts directly (no `origin`), or a simulator (`origin`, `relay: false`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod clock;
mod console;
mod error;
mod fetch;
mod options;
mod options_de;
mod qr;
mod seed;
mod session;
mod set_cookie;
mod source;

pub use api::{WebWx, qr_svg_of};
pub use qr::qr_svg;

/// The core's version this package is built against.
pub fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
