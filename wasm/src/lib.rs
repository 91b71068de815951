//! # webwx-wasm (not built yet)
//!
//! The browser and Node package of webwx will live here: a wasm-bindgen API over the
//! global `fetch`, driving [`webwx_core::Client`] with the relay form of
//! [`webwx_core::relay`] (`Config::origin(..)` plus `rename_headers(true)` for browsers,
//! which cannot send `Cookie` nor read `Set-Cookie`). Until then this crate only checks
//! that the core links for every target it is built for.
#![forbid(unsafe_code)]

/// The core's version this package is built against.
pub fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_against_the_core() {
        let client = webwx_core::Client::new(webwx_core::Config::new(1));
        assert!(!client.is_logged_in());
        assert_eq!(super::core_version(), "0.1.0");
    }
}
