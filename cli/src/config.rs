//! The core's [`Config`] from command-line flags, shared by `login` and `send`.

use std::time::Duration;

use webwx_core::Config;

/// What the flags say about the client.
#[derive(Debug, Default, Clone)]
pub struct ClientFlags<'a> {
    /// `--origin`: a simulator or `webwx relay`.
    pub origin: Option<&'a str>,
    /// `--desktop`.
    pub desktop: bool,
    /// `--home`.
    pub home: Option<&'a str>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--long-poll-ms`.
    pub long_poll_ms: Option<u64>,
}

/// The client configuration, or a usage error.
pub fn build(flags: &ClientFlags<'_>) -> Result<Config, String> {
    let mut cfg = Config::new(flags.seed.unwrap_or_else(clock_seed)).desktop(flags.desktop);
    if let Some(home) = flags.home {
        cfg = cfg.home(home);
    }
    if let Some(origin) = flags.origin {
        // Relay mode (the forbidden headers renamed, `x-wx-relay: 1`): what `webwx relay`
        // requires, and what a simulator takes alike (`x-wx-cookie` counts as `Cookie`).
        cfg = cfg
            .origin(origin)
            .map_err(|e| format!("--origin {origin}: {e}"))?
            .rename_headers(true);
    }
    if let Some(ms) = flags.long_poll_ms {
        cfg = cfg.long_poll_timeout(Duration::from_millis(ms.max(1)));
    }
    Ok(cfg)
}

/// A seed from the OS (the core takes no OS randomness itself).
pub fn clock_seed() -> u64 {
    webwx_ureq::random_seed()
}
