#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| webwx_core::fuzzing::command(data));
