//! The `webwx-cli` package is the `webwx` binary (`src/main.rs`). This library target
//! holds the project README, so that its embedding examples are compiled as doctests and
//! cannot drift from the real API, and the capture reader of `webwx decode` with its fuzz
//! entry point (feature `fuzzing`; the targets in `fuzz/` link it).
#![forbid(unsafe_code)]
#![doc = include_str!("../../README.md")]

pub mod capture;
/// Entry points of the fuzz targets (`fuzz/`) that read the command line's own inputs:
/// only with the `fuzzing` feature (and in this crate's tests), not part of the default API.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
