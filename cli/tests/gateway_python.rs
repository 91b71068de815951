//! The gateway's story driven from Python (stdlib urllib only, no SDK), as another
//! language would: `gateway_story.py` runs `webwx sim` and `webwx serve` as subprocesses
//! and checks every answer. Skipped, saying so, when `python3` is missing.

use std::process::Command;

#[test]
fn the_story_from_python() {
    let python = match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => "python3",
        _ => {
            eprintln!("SKIPPED: python3 is not installed; gateway_story.py did not run");
            return;
        }
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gateway_story.py");
    let messages = std::env::var("WEBWX_STORY_MESSAGES").unwrap_or_else(|_| "90".into());
    let out = Command::new(python)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_webwx"))
        .arg(messages)
        .output()
        .expect("run gateway_story.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "gateway_story.py failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
}
