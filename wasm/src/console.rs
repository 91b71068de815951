//! What the package has to say that is no event: `console.error` (a listener threw).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(what: &str, detail: &JsValue);
}

/// `console.error(what, detail)`.
pub(crate) fn error(what: &str, detail: &JsValue) {
    console_error(what, detail);
}
