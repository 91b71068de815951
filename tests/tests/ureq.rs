//! The conformance suite on webwx-ureq.

webwx_tests::conformance_suite!(webwx_tests::Ureq::new());
