//! The clock, read in one place.
//!
//! The core takes one [`Timestamp`] for both what it puts on the wire (`_`, `r`,
//! `ClientMsgId`: wall-clock milliseconds, `Date.now()`) and its timers. A wall clock
//! stepped back or forward would stall or storm the timers, so the reading here is
//! monotonic and anchored to the wall clock once: `Date.now()` at start plus the
//! `performance.now()` elapsed since (what `performance.timeOrigin + performance.now()`
//! is). It stays within the clock's drift of `Date.now()` on the wire while timers never
//! jump. When the core takes a separate monotonic instant for its timers, this module
//! hands it `performance.now()` and the wire gets `Date.now()` itself.

use wasm_bindgen::prelude::*;
use webwx_core::Timestamp;

#[wasm_bindgen]
extern "C" {
    /// The global `performance.now()` (pages, workers and Node alike).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The session's clock: wall-clock milliseconds that never go back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    /// `Date.now() - performance.now()` when the clock was made.
    anchor: f64,
}

impl Clock {
    /// A clock anchored to the wall clock now.
    pub(crate) fn new() -> Clock {
        Clock {
            anchor: js_sys::Date::now() - performance_now(),
        }
    }

    /// Now, for the core.
    pub(crate) fn now(&self) -> Timestamp {
        Timestamp(to_millis(self.anchor + performance_now()))
    }

    /// Milliseconds from now until `at` (0 when it is past), for `setTimeout`.
    pub(crate) fn delay_until(&self, at: Timestamp) -> u32 {
        let wait = at.0.saturating_sub(self.now().0);
        // setTimeout takes a 32-bit signed delay; longer waits are re-armed on waking.
        wait.min(i32::MAX as u64) as u32
    }
}

fn to_millis(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        ms as u64
    } else {
        0
    }
}
