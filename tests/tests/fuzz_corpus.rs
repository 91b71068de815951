//! The committed fuzz corpus replays in `cargo test`, without cargo-fuzz: every fuzz
//! target's body (`webwx_core::fuzzing`, `webwx_cli::fuzzing`) runs over every committed
//! input — `fuzz/seeds/*/*` (seeds, and the inputs of crashes once found, kept as
//! regressions) and the fixtures `scripts/fuzz-smoke` starts each corpus with — so a
//! crash found once stays fixed. Each target is named by its file in
//! `fuzz/fuzz_targets/`, which must call an entry point listed here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// Every file under `dir`, recursively, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The fuzz targets: file name -> the `crate::fuzzing::entry` it calls.
fn targets() -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for f in files(&root().join("fuzz/fuzz_targets")) {
        let text = std::fs::read_to_string(&f).expect("a target file");
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let call = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .find(|w| w.contains("::fuzzing::"))
            .unwrap_or_else(|| panic!("{name}: no fuzzing entry point called"));
        let (krate, entry) = call
            .split_once("::fuzzing::")
            .expect("crate::fuzzing::entry");
        out.insert(name, (krate.to_owned(), entry.to_owned()));
    }
    out
}

#[test]
fn every_target_replays_every_committed_input() {
    let core = webwx_core::fuzzing::entries();
    let cli = webwx_cli::fuzzing::entries();
    let targets = targets();
    assert!(targets.len() >= 30, "{} targets", targets.len());
    let mut corpus = files(&root().join("fuzz/seeds"));
    let seeds = corpus.len();
    corpus.extend(files(&root().join("core/tests/fixtures/captures")));
    corpus.extend(
        files(&root().join("core/tests/fixtures/messages"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json")),
    );
    assert!(seeds >= 20, "{seeds} committed seeds");
    let inputs: Vec<(PathBuf, Vec<u8>)> = corpus
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("a corpus file");
            (p, bytes)
        })
        .collect();
    let mut runs = 0;
    for (name, (krate, entry)) in &targets {
        let list = match krate.as_str() {
            "webwx_core" => &core,
            "webwx_cli" => &cli,
            other => panic!("{name}: entry point in unknown crate {other}"),
        };
        let body = list
            .iter()
            .find(|(n, _)| n == entry)
            .unwrap_or_else(|| panic!("{name}: {krate}::fuzzing::{entry} is not in entries()"))
            .1;
        for (path, bytes) in &inputs {
            let r = std::panic::catch_unwind(|| body(bytes));
            assert!(
                r.is_ok(),
                "fuzz target {name} panics on {}",
                path.strip_prefix(root()).unwrap_or(path).display()
            );
            runs += 1;
        }
    }
    eprintln!(
        "{} targets x {} inputs ({seeds} committed seeds): {runs} runs",
        targets.len(),
        inputs.len()
    );
}

/// The `command` target's seeds are commands (all but the one with a repeated field),
/// so its round trip runs on every variant from the first input on.
#[test]
fn command_seeds_are_commands() {
    let dir = root().join("fuzz/seeds/command");
    let (mut read, mut refused) = (0, Vec::new());
    for e in std::fs::read_dir(dir).expect("fuzz/seeds/command") {
        let path = e.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a seed");
        match webwx_core::boundary::Request::parse(&text) {
            Ok(_) => read += 1,
            Err((_, e)) => refused.push(e.message),
        }
        webwx_core::fuzzing::command(text.as_bytes());
    }
    assert_eq!(read, 25, "{refused:?}");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("duplicate field `to`"), "{refused:?}");
}
