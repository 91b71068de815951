//! The seed of a new session's PRNG, from the global `crypto.getRandomValues`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `crypto.getRandomValues` (pages, workers, Node >= 19).
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(array: &js_sys::Uint32Array) -> Result<JsValue, JsValue>;
}

/// 64 random bits; the clock's bits where `crypto` is missing (it never is in the
/// runtimes this package supports, and the seed only varies the device id and message
/// ids, it protects nothing).
pub(crate) fn random_seed() -> u64 {
    let words = js_sys::Uint32Array::new_with_length(2);
    if get_random_values(&words).is_ok() {
        let (hi, lo) = (words.get_index(0), words.get_index(1));
        return (u64::from(hi) << 32) | u64::from(lo);
    }
    js_sys::Date::now().to_bits() ^ (js_sys::Math::random().to_bits() << 1)
}
