//! The clocks, read in one place: `Date.now()` for what goes on the wire (and cookie
//! expiry), `performance.now()` for every timer, so that a wall clock stepped back or
//! forward neither stalls nor storms the retries and the sync loop.

use wasm_bindgen::prelude::*;
use webwx_core::time::{Monotonic, Now, Timestamp};

#[wasm_bindgen]
extern "C" {
    /// The global `performance.now()` (pages, workers and Node alike).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Both clocks, read at the same moment.
pub(crate) fn now() -> Now {
    Now::new(
        Timestamp::from_millis(to_millis(js_sys::Date::now())),
        Monotonic::from_millis(to_millis(performance_now())),
    )
}

/// Milliseconds from now until the monotonic deadline `at` (0 when it has passed), for
/// `setTimeout` (which takes a 32-bit delay: a longer wait is re-armed on waking).
pub(crate) fn delay_until(at: Monotonic) -> u32 {
    let wait = now().mono.until(at).as_millis();
    wait.min(i32::MAX as u128) as u32
}

fn to_millis(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        ms as u64
    } else {
        0
    }
}
