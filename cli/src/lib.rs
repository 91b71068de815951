//! The `webwx-cli` package is the `webwx` binary (`src/main.rs`). This library target
//! holds nothing but the project README, so that its embedding examples are compiled as
//! doctests and cannot drift from the real API.
#![forbid(unsafe_code)]
#![doc = include_str!("../../README.md")]
