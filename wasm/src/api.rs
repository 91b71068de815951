//! The JS API: `new WebWx({..})`, its methods, and `qrSvg(url)`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use webwx_core::Client;
use webwx_core::boundary::{Command, ErrorInfo, ErrorKind, Request};
use webwx_core::message::normalize_text;
use webwx_core::names::Candidate;

use crate::options::Options;
use crate::session::{Inner, Shared, pump};
use crate::source::Source;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
import type { Event, Command, CommandResult, ErrorInfo, Candidate } from "./webwx-schema";
export type { Event, Command, CommandResult, ErrorInfo, Candidate };

/** Options of `new WebWx(..)`; every field is optional. */
export interface WebWxOptions {
  /** Send every request to this origin in the relay form (`http://127.0.0.1:8787`). */
  origin?: string;
  /** Relay mode (pages): the forbidden headers travel renamed (`x-wx-*`); needs `origin`. */
  relay?: boolean;
  /** Log in through the desktop (UOS) variant. */
  desktop?: boolean;
  /** A saved session: what `snapshot()` returned (or that string parsed). */
  session?: string | object | null;
  /** The PRNG seed of a new session (default: `crypto.getRandomValues`). */
  seed?: number;
  /** Long-poll timeout in ms (login poll, synccheck; default 35000). */
  longPollTimeoutMs?: number;
  /** Timeout of other requests in ms (default 30000). */
  requestTimeoutMs?: number;
  /** Most received messages kept for `forward`, `download`, `accept_friend` by `msg_id` (default 512). */
  recentMessages?: number;
  /** Most bytes those kept messages take (default 8192: about 50 short texts). */
  recentBytes?: number;
  /** How many received message ids are remembered to drop re-deliveries (default 512). */
  seenIds?: number;
}

/** A command object, with its optional `id` and `timeout_ms`; a `send_file` may carry its
 * bytes as `data` (Uint8Array, ArrayBuffer or Blob) instead of `data_b64`. */
export type CommandInput = Command & {
  id?: number | string | boolean;
  timeout_ms?: number;
  data?: Uint8Array | ArrayBuffer | Blob;
};

/** The bytes of a file to send. */
export type FileBytes = Uint8Array | ArrayBuffer | Blob;
"#;

/// A WeChat Web session, driven over the global `fetch`.
#[wasm_bindgen]
pub struct WebWx {
    shared: Shared,
}

#[wasm_bindgen]
impl WebWx {
    /// A new session (nothing is sent until `login()`). Throws on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "WebWxOptions | undefined")] options: JsValue,
    ) -> Result<WebWx, JsError> {
        let json = if options.is_undefined() || options.is_null() {
            None
        } else {
            js_sys::JSON::stringify(&options)
                .ok()
                .and_then(|s| s.as_string())
        };
        let opts = Options::parse(json.as_deref()).map_err(|e| JsError::new(&e))?;
        let cfg = opts
            .config(crate::seed::random_seed())
            .map_err(|e| JsError::new(&e))?;
        let client = match opts.session().map_err(|e| JsError::new(&e))? {
            Some(state) => Client::restore(cfg, state),
            None => Client::new(cfg),
        };
        Ok(WebWx {
            shared: Inner::new(client),
        })
    }

    /// Calls `listener(event)` with every event: the same objects as the lines of
    /// `webwx login --json`.
    #[wasm_bindgen(js_name = onEvent)]
    pub fn on_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: Event) => void")] listener: Function,
    ) {
        self.shared.borrow_mut().listen(listener);
    }

    /// Stops calling `listener`.
    #[wasm_bindgen(js_name = offEvent)]
    pub fn off_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(event: Event) => void")] listener: Function,
    ) {
        self.shared.borrow_mut().unlisten(&listener);
    }

    /// Logs in as the CLI does: resumes a saved session, else push login where the
    /// account is known, else a QR code (`qr_code` event; draw it with `qrSvg()`).
    /// Throws while a login, a session or a logout is already under way.
    pub fn login(&self) -> Result<(), JsError> {
        let started = self
            .shared
            .borrow_mut()
            .with_client(|c, now| c.connect(now));
        pump(&self.shared);
        started.map_err(|refusal| JsError::new(&refusal.to_string()))
    }

    /// Runs a command of the JSON boundary (`{cmd: "send_text", to, text}`, ...).
    /// Resolves with its result once the outcome is known (a send: when sent); rejects
    /// with the boundary's error object (`{kind, message, ..}`). Commands given before
    /// the session is ready wait for it.
    #[wasm_bindgen(unchecked_return_type = "Promise<CommandResult>")]
    pub fn command(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CommandInput")] command: JsValue,
    ) -> Promise {
        // A send_file's `data` (bytes or Blob) is staged and sent by reference: the
        // command goes on as a copy of the object, `path` naming the staged bytes.
        let data = Reflect::get(&command, &"data".into()).unwrap_or(JsValue::UNDEFINED);
        let mut staged = None;
        let mut command = command;
        if !data.is_undefined() {
            let source = match Source::from_js(&data) {
                Ok(s) => s,
                Err(e) => return rejected(&ErrorInfo::new(ErrorKind::BadCommand, e)),
            };
            if !command.is_object() {
                return rejected(&ErrorInfo::new(
                    ErrorKind::BadCommand,
                    "a command is an object",
                ));
            }
            let field = |name: &str| Reflect::get(&command, &name.into()).unwrap_or_default();
            if field("cmd").as_string().as_deref() != Some("send_file") {
                return rejected(&ErrorInfo::new(
                    ErrorKind::BadCommand,
                    "\"data\" belongs to send_file only",
                ));
            }
            // As in its JSON form: a field that is `undefined` is not there.
            if !field("path").is_undefined() || !field("data_b64").is_undefined() {
                return rejected(&ErrorInfo::new(
                    ErrorKind::BadCommand,
                    "send_file takes exactly one of data, data_b64 and path",
                ));
            }
            let name = field("file_name")
                .as_string()
                .unwrap_or_else(|| "file".to_owned());
            let key = self.shared.borrow_mut().stage(&name, source);
            let copy = js_sys::Object::assign(&js_sys::Object::new(), command.unchecked_ref());
            let _ = Reflect::delete_property(&copy, &"data".into());
            let _ = Reflect::set(&copy, &"path".into(), &JsValue::from_str(&key));
            command = copy.into();
            staged = Some(key);
        }
        let text = match to_json(&command) {
            Ok(t) => t,
            Err(e) => return rejected(&e),
        };
        match Request::parse(&text) {
            Ok(request) => self.submit(request, staged),
            Err((_, info)) => rejected(&info),
        }
    }

    /// Sends a text (`to`: a UserName, or a NickName / RemarkName naming one contact).
    #[wasm_bindgen(js_name = sendText, unchecked_return_type = "Promise<CommandResult>")]
    pub fn send_text(&self, to: &str, text: &str) -> Promise {
        self.submit(Command::send_text(to, text).into(), None)
    }

    /// Sends a file: its bytes (`Uint8Array`, `ArrayBuffer`, or a `Blob` / `File`, read
    /// one chunk at a time) under `name`, whose extension picks how it goes (image,
    /// video, GIF, file).
    #[wasm_bindgen(js_name = sendFile, unchecked_return_type = "Promise<CommandResult>")]
    pub fn send_file(
        &self,
        to: &str,
        #[wasm_bindgen(unchecked_param_type = "FileBytes")] bytes: JsValue,
        name: &str,
    ) -> Promise {
        let source = match Source::from_js(&bytes) {
            Ok(s) => s,
            Err(e) => return rejected(&ErrorInfo::new(ErrorKind::Invalid, e)),
        };
        let key = self.shared.borrow_mut().stage(name, source);
        let mut command = Command::send_path(to, &key);
        if let Command::SendFile { file_name, .. } = &mut command {
            *file_name = Some(name.to_owned());
        }
        self.submit(command.into(), Some(key))
    }

    /// The session to save, as a JSON string (give it back as `session` to resume
    /// without a QR code). Save it again after each `session_changed` event.
    pub fn snapshot(&self) -> String {
        self.shared.borrow().client().snapshot().to_json()
    }

    /// Logs out through the server; resolves (`{kind: "logged_out"}`) once the session
    /// has ended.
    #[wasm_bindgen(unchecked_return_type = "Promise<CommandResult>")]
    pub fn logout(&self) -> Promise {
        self.submit(Command::Logout {}.into(), None)
    }

    /// Stops the session without telling the server (a saved session stays valid):
    /// requests in flight are aborted, waiting commands answer `session_ended`.
    pub fn shutdown(&self) {
        self.shared.borrow_mut().shutdown();
        pump(&self.shared);
    }

    /// The QR code to scan as an SVG document while the login waits for it, else
    /// `undefined`.
    #[wasm_bindgen(js_name = qrSvg)]
    pub fn qr_svg(&self) -> Option<String> {
        let inner = self.shared.borrow();
        inner.qr_url().and_then(|u| crate::qr::qr_svg(u, 240).ok())
    }

    /// Whether the session is logged in.
    #[wasm_bindgen(js_name = isLoggedIn)]
    pub fn is_logged_in(&self) -> bool {
        self.shared.borrow().client().is_logged_in()
    }

    /// The address book: `{user_name, nick_name, remark_name, kind}` for each contact
    /// (the boundary's `Candidate`), sorted by name.
    #[wasm_bindgen(unchecked_return_type = "Candidate[]")]
    pub fn contacts(&self) -> JsValue {
        let inner = self.shared.borrow();
        let contacts = inner.client().contacts();
        let mut list: Vec<Candidate> = contacts
            .all()
            .into_iter()
            .map(|c| Candidate {
                user_name: c.user_name.clone(),
                nick_name: normalize_text(&c.nick_name),
                remark_name: normalize_text(&c.remark_name),
                kind: contacts.kind_of(&c.user_name),
            })
            .collect();
        // By name, then by UserName (the order `all()` gave, which a stable sort kept for
        // equal names): a total order, so the core's one sort gives the same list.
        webwx_core::sort::sort_by(&mut list, |a, b| {
            let key = |c: &Candidate| {
                if c.remark_name.is_empty() {
                    c.nick_name.to_lowercase()
                } else {
                    c.remark_name.to_lowercase()
                }
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.user_name.cmp(&b.user_name))
        });
        let json = serde_json::to_string(&list).expect("contacts always serialize");
        js_sys::JSON::parse(&json).unwrap_or(JsValue::NULL)
    }
}

impl WebWx {
    fn submit(&self, request: Request, staged: Option<String>) -> Promise {
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        let settle = settle.expect("the Promise executor runs at once");
        self.shared.borrow_mut().submit(request, staged, settle);
        pump(&self.shared);
        promise
    }
}

/// An SVG document of a QR code encoding `content` (the `url` of a `qr_code` event),
/// at least `size` pixels wide (default 240).
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg_of(content: &str, size: Option<u32>) -> Result<String, JsError> {
    crate::qr::qr_svg(content, size.unwrap_or(240)).map_err(|e| JsError::new(&e.to_string()))
}

/// `JSON.stringify(value)` (`undefined` fields dropped, as JSON has none).
fn to_json(value: &JsValue) -> Result<String, ErrorInfo> {
    let bad = |m: &str| ErrorInfo::new(ErrorKind::BadCommand, m);
    js_sys::JSON::stringify(value)
        .map_err(|_| bad("the command cannot be written as JSON"))?
        .as_string()
        .ok_or_else(|| bad("a command is an object"))
}

fn rejected(info: &ErrorInfo) -> Promise {
    Promise::reject(&crate::error::to_js(info))
}
