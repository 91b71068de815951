//! Command errors as JS sees them: the boundary's error object itself.

use wasm_bindgen::JsValue;
use webwx_core::boundary::ErrorInfo;

/// The boundary's error object (`{kind, message, ret?, transport?, name?,
/// candidates?}`), exactly as `webwx login --commands` answers it under `"error"`: a
/// rejected `command()` rejects with it, so `catch (e) { if (e.kind === "unknown_name")
/// .. }` works and the `.d.ts` types it with the generated `ErrorInfo`. (Not an `Error`
/// instance: its `name` would clash with the contact `name` of name errors.)
pub(crate) fn to_js(info: &ErrorInfo) -> JsValue {
    let json = serde_json::to_string(info).expect("errors always serialize");
    js_sys::JSON::parse(&json).unwrap_or_else(|_| JsValue::from_str(&info.message))
}
