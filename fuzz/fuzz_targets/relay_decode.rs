#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| webwx_core::fuzzing::relay_decode(data));
