//! The gateway's web page in headless Chromium (Debian's `chromium` through
//! `chromedriver`; `scripts/install-chromium` installs both), against `webwx serve` and
//! `webwx sim` as child processes: the page logs in with the token, adds an account and
//! shows its QR code, the account logs in after the simulator's phone scans it, an
//! injected message appears among the live events, and a text typed in the send box
//! reaches `/_sim/sent`. Screenshots go to `target/artifacts/gateway-page-qr.png` and
//! `target/artifacts/gateway-page.png`. Skipped, saying so, without chromium.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::gateway::{Serve, TOKEN, get_json, post_json, wait_for};
use common::start_sim;
use common::webdriver::{Browser, available};
use serde_json::json;

const LONG: Duration = Duration::from_secs(60);

fn artifacts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts")
}

#[test]
fn the_page_in_chromium() {
    if !available() {
        eprintln!(
            "SKIPPED: chromium or chromedriver is missing (scripts/install-chromium installs them)"
        );
        return;
    }
    // No auto-scan: the test scans once it has seen the QR code on the page.
    let (_sim, sim) = start_sim(&["--hold-ms", "200"]);
    let dir = tempfile::tempdir().unwrap();
    let gw = Serve::start(
        "127.0.0.1:0",
        &dir.path().join("gw.db"),
        &[
            "--origin".into(),
            sim.clone(),
            "--long-poll-ms".into(),
            "3000".into(),
        ],
    );
    let browser = Browser::start();
    browser.goto(&format!("{}/", gw.base));

    // The token form, then the app.
    browser.type_into("#token", TOKEN);
    browser.click("#login-button");
    browser.find("#app:not([hidden])", LONG);
    browser.click("#add-account");

    // The QR code shows (a loaded image of the account's qr.png).
    browser.wait_true(
        "the QR code image",
        "const i = document.querySelector('.account[data-state=waiting_scan] img.qr'); \
         return !!i && i.complete && i.naturalWidth > 100",
        json!([]),
        LONG,
    );
    browser.screenshot(&artifacts().join("gateway-page-qr.png"));

    // The phone scans and confirms: the page shows the account logged in.
    let r = post_json(&sim, "/_sim/scan", &json!({"confirm": true}), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    browser.wait_true(
        "the account logged in",
        "return document.querySelector('.account[data-state=logged_in]') !== null",
        json!([]),
        LONG,
    );

    // An injected message appears among the live events.
    let friend = wait_for("a friend", LONG, || {
        let c = get_json(&sim, "/_sim/contacts");
        c.as_array()
            .and_then(|a| a.iter().find(|c| c["kind"] == "friend"))
            .cloned()
    });
    let r = post_json(
        &sim,
        "/_sim/messages",
        &json!({"from": friend["user_name"], "content": "hello to the page"}),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    browser.wait_true(
        "the injected message on the page",
        "return document.querySelector('#events').textContent.includes(arguments[0])",
        json!(["hello to the page"]),
        LONG,
    );

    // A text typed in the send box reaches the simulator.
    browser.type_into("#send-to", friend["nick_name"].as_str().unwrap());
    browser.type_into("#send-text", "typed in the page");
    browser.click("#send-button");
    wait_for("the typed text in /_sim/sent", LONG, || {
        let sent = get_json(&sim, "/_sim/sent");
        sent.as_array()
            .unwrap()
            .iter()
            .find(|s| s["content"] == "typed in the page")
            .map(|s| assert_eq!(s["to"], friend["user_name"]))
    });
    browser.wait_true(
        "the send result",
        "return document.querySelector('#send-result').textContent.startsWith('sent')",
        json!([]),
        LONG,
    );
    browser.screenshot(&artifacts().join("gateway-page.png"));
}
