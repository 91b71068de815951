//! `webwx relay`: forwards allowlisted hosts to a local upstream (`--upstream`, here a
//! `webwx sim` child) and refuses anything else with 403; never an open proxy.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{KillOnDrop, first_line, http, start_sim, webwx};

fn start_relay(upstream: &str) -> (KillOnDrop, String) {
    let mut child = webwx()
        .args(["relay", "--listen", "127.0.0.1:0", "--upstream", upstream])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = KillOnDrop(child);
    let line = first_line(stdout, Duration::from_secs(20));
    assert!(
        line.starts_with("webwx relay listening on http://127.0.0.1:"),
        "{line}"
    );
    let url = line.split_whitespace().last().unwrap().to_owned();
    (guard, url)
}

#[test]
fn relay_forwards_allowlisted_hosts_to_the_local_upstream_only() {
    let (_sim, sim_url) = start_sim(&["--hold-ms", "200"]);
    let (_relay, relay) = start_relay(&sim_url);

    // An allowlisted host reaches the simulator.
    let (status, head, body) = http(
        "GET",
        &relay,
        "/login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN",
        "",
    );
    assert_eq!(status, 200, "{head}\n{body}");
    assert!(body.contains("window.QRLogin.code = 200"), "{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );

    // Anything else is refused, and never fetched.
    for path in [
        "/evil.example.com/cgi-bin/mmwebwx-bin/login",
        "/127.0.0.1/_sim/state",
        "/qq.com.evil.example/x",
        "/not a host/x",
    ] {
        let (status, head, _) = http("GET", &relay, path, "");
        assert!(status == 403 || status == 400, "{path}: {status}\n{head}");
    }
    let (status, head, _) = http("GET", &relay, "/evil.example.com/x", "");
    assert_eq!(status, 403);
    assert!(
        head.to_ascii_lowercase()
            .contains("x-wx-relay-error: not-allowed"),
        "{head}"
    );
}
