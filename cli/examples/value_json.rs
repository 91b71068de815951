//! The yardstick of `webwx decode`'s speed (see `bench/run` and BENCHMARKS.md): reads a
//! file, parses it into a `serde_json::Value` and writes it back, pretty-printed (as
//! `webwx decode` writes by default), through a buffered stdout.
//!
//! `cargo run --release -p webwx-cli --example value_json -- FILE > out.json`
#![forbid(unsafe_code)]

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os().nth(1).ok_or("usage: value_json FILE")?;
    let bytes = std::fs::read(path)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &value)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
