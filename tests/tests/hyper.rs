//! The conformance suite on webwx-hyper.

webwx_tests::conformance_suite!(webwx_tests::Hyper::new());
