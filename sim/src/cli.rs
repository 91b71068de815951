//! `webwx-sim` / `webwx sim`: run a simulator until killed.

use std::io::Write;

use crate::Sim;
use crate::config::{SimArgs, SimConfig};

/// Runs a simulator with `args`; prints `webwx-sim listening on http://127.0.0.1:PORT`
/// as the first line of stdout, then serves until the process is killed.
pub fn run_cli(args: SimArgs) -> std::io::Result<()> {
    let cfg = SimConfig::from(args);
    if !cfg.listen.ip().is_loopback() {
        eprintln!("{}", beyond_loopback_warning(&cfg.listen));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let sim = Sim::start(cfg).await?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "webwx-sim listening on {}", sim.base_url())?;
            out.flush()?;
        }
        std::future::pending::<()>().await;
        sim.shutdown().await;
        Ok(())
    })
}

/// The one stderr line of a simulator that listens beyond the loopback interface.
pub fn beyond_loopback_warning(listen: &std::net::SocketAddr) -> String {
    format!(
        "webwx-sim: warning: listening on {listen}, beyond the loopback interface: anyone who reaches it can use its control API (/_sim/*, no authentication) and it answers any Origin with credentials"
    )
}
