//! `webwx relay`: the browser relay of `webwx_hyper::relay`. A page (or anything that
//! cannot set `Cookie` or read `Set-Cookie`) sends `/HOST/PATH?Q` with the `x-wx-*`
//! headers and `x-wx-relay: 1`; the relay calls `https://HOST/PATH?Q` — only for the
//! hosts of the domain table (plus `--allow`), never as an open proxy — and binds the
//! loopback interface unless told otherwise. `--static DIR` serves the page itself from
//! the relay's origin; `--cors-origin` lets pages of other origins in; `--upstream URL`
//! sends everything to a simulator in the relay form.

use std::time::Duration;

use webwx_hyper::relay::{RelayOptions, default_allow};

use crate::args::RelayArgs;

/// Runs `webwx relay` until killed; returns the exit code on failure.
pub fn run(args: &RelayArgs) -> i32 {
    let options = match options(args) {
        Ok(o) => o,
        Err(e) => {
            crate::terminal::err(&format!("webwx relay: {e}"));
            return 2;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::terminal::err(&format!("webwx relay: cannot start the runtime: {e}"));
            return 1;
        }
    };
    let result: std::io::Result<()> = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            crate::terminal::err(&format!(
                "webwx relay: warning: listening on {addr}, beyond the loopback interface"
            ));
        }
        crate::terminal::out(&format!("webwx relay listening on http://{addr}"));
        if let Some(dir) = &options.static_dir {
            crate::terminal::err(&format!(
                "webwx relay: serving {} at http://{addr}/",
                dir.display()
            ));
        }
        webwx_hyper::relay::serve(listener, options).await
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::terminal::err(&format!("webwx relay: {e}"));
            1
        }
    }
}

/// The relay's options from the flags, or what is wrong with them.
fn options(args: &RelayArgs) -> Result<RelayOptions, String> {
    let mut allow = default_allow();
    allow.extend(args.allow.iter().cloned());
    for origin in &args.cors_origin {
        check_origin(origin)?;
    }
    if let Some(dir) = &args.static_dir
        && !dir.is_dir()
    {
        return Err(format!("--static {}: not a folder", dir.display()));
    }
    if let Some(url) = &args.upstream {
        webwx_core::relay::Origin::parse(url).map_err(|e| format!("--upstream: {e}"))?;
    }
    let mut options = RelayOptions::new()
        .listen(args.listen)
        .allow(allow)
        .upstream_override(args.upstream.as_deref())
        .upstream_relay_form(true)
        .cors_origins(args.cors_origin.iter().cloned())
        .accept_hosts(args.accept_host.iter().cloned())
        .static_dir(args.static_dir.clone())
        .max_connections(args.max_connections)
        .header_timeout(Duration::from_secs(args.header_timeout.max(1)))
        .body_timeout(Duration::from_secs(args.body_timeout.max(1)))
        .max_request_body(args.max_request_body)
        .max_body(args.max_body)
        .timeout(Duration::from_secs(args.timeout.max(1)));
    if let Some(prefix) = &args.prefix {
        options = options.prefix(prefix);
    }
    Ok(options)
}

/// An origin as a browser sends it: `http(s)://host[:port]`, nothing after; or `null`
/// when asked for by name. Never `*`.
fn check_origin(origin: &str) -> Result<(), String> {
    let bad = |why: &str| format!("--cors-origin {origin:?}: {why}");
    if origin == "*" {
        return Err(bad(
            "a wildcard would let every web page use the relay; name each origin",
        ));
    }
    if origin == "null" {
        return Ok(());
    }
    let o = webwx_core::relay::Origin::parse(origin)
        .map_err(|_| bad("expected http(s)://host[:port]"))?;
    if !o.prefix.is_empty() {
        return Err(bad("an origin has no path"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for ok in [
            "http://localhost:3000",
            "https://example.org",
            "http://127.0.0.1:8080/",
            "null",
        ] {
            assert!(check_origin(ok).is_ok(), "{ok}");
        }
        for bad in ["*", "localhost:3000", "http://x/app", "ftp://x", ""] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
