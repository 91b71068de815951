//! `webwx login --json --commands` driven from Python (stdlib only) as another language
//! would: `login_commands.py` runs the CLI and `webwx sim` as subprocesses and checks
//! every answer. Skipped, saying so, when `python3` is missing.

use std::process::Command;

#[test]
fn commands_from_python() {
    let python = match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => "python3",
        _ => {
            eprintln!("SKIPPED: python3 is not installed; login_commands.py did not run");
            return;
        }
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/login_commands.py");
    let out = Command::new(python)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_webwx"))
        .output()
        .expect("run login_commands.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "login_commands.py failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
}
