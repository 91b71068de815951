//! The `webwx-sim` binary prints its address as the first line and serves it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

#[test]
fn first_line_is_the_address() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_webwx-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--auto-scan",
            "--hold-ms",
            "300",
            "--seed",
            "9",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run webwx-sim");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("webwx-sim listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    let addr: std::net::SocketAddr = url.parse().unwrap();
    assert!(addr.ip().is_loopback());
    let r = raw(
        addr,
        "GET",
        "/jslogin?appid=wx782c26e4c19acffb&fun=new",
        &[],
        b"",
        TIMEOUT,
    )
    .unwrap();
    let uuid = uuid_of(&r.text());
    // --auto-scan: the poll reaches 200 without any phone.
    let mut code = String::new();
    for _ in 0..10 {
        let r = raw(
            addr,
            "GET",
            &format!("/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip=1"),
            &[],
            b"",
            TIMEOUT,
        )
        .unwrap();
        code = r.text()[12..15].to_string();
        if code == "200" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, "200");
}

#[test]
fn help_lists_the_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_webwx-sim"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--auto-scan",
        "--seed",
        "--contacts",
        "--groups",
        "--hold-ms",
    ] {
        assert!(text.contains(flag), "{flag}");
    }
}

/// A simulator bound beyond loopback says so once on stderr (its control API has no
/// authentication); on loopback it says nothing.
#[test]
fn listening_beyond_loopback_is_warned_about() {
    for (listen, warned) in [("0.0.0.0:0", true), ("127.0.0.1:0", false)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_webwx-sim"))
            .args(["--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run webwx-sim");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("webwx-sim listening on "), "{line}");
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("beyond the loopback interface"))
            .collect();
        assert_eq!(warnings.len(), usize::from(warned), "{listen}: {stderr}");
        if warned {
            assert!(warnings[0].contains("control API"), "{stderr}");
        }
    }
}
