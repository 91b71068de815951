//! A throwaway PostgreSQL cluster for a test: `scripts/pg-throwaway start` (initdb +
//! pg_ctl in a temp dir on a free loopback port, as the `postgres` user when run as
//! root), stopped and removed when dropped (a failing test included). The test command
//! (`scripts/test`) installs PostgreSQL first (`scripts/pg-throwaway install`).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// A running throwaway cluster.
pub struct PgCluster {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub url: String,
    dir: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scripts")
        .join("pg-throwaway")
}

impl PgCluster {
    /// Starts one (panics with what to do when PostgreSQL is missing).
    pub fn start() -> PgCluster {
        let out = Command::new(script())
            .arg("start")
            .output()
            .expect("run scripts/pg-throwaway");
        assert!(
            out.status.success(),
            "scripts/pg-throwaway start failed (install PostgreSQL with \
             `scripts/pg-throwaway install`, which scripts/test runs):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let url = lines.next().expect("a URL").to_owned();
        let dir = lines.next().expect("a directory").to_owned();
        PgCluster { url, dir }
    }

    /// The URL of database `name` of the cluster (create it first).
    pub fn url_of(&self, name: &str) -> String {
        let base = self.url.rsplit_once('/').expect("a URL with a database").0;
        format!("{base}/{name}")
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).status();
    }
}
