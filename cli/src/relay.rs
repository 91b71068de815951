//! `webwx relay --listen ADDR`: the browser relay of `webwx_hyper::relay`. A browser (or
//! anything that cannot set `Cookie` or read `Set-Cookie`) sends `/HOST/PATH?Q` with the
//! `x-wx-*` headers; the relay calls `https://HOST/PATH?Q` — only for allowlisted hosts
//! (`*.qq.com`, `*.wechat.com`, plus `--allow`), never as an open proxy — and binds the
//! loopback interface unless told otherwise.

use std::io::Write;

use webwx_hyper::relay::{DEFAULT_ALLOW, RelayOptions};

use crate::args::RelayArgs;

/// Runs `webwx relay` until killed; returns the exit code on failure.
pub fn run(args: &RelayArgs) -> i32 {
    let mut allow: Vec<String> = DEFAULT_ALLOW.iter().map(|s| s.to_string()).collect();
    allow.extend(args.allow.iter().cloned());
    let mut options = RelayOptions::new()
        .listen(args.listen)
        .allow(allow)
        .upstream_override(args.upstream.as_deref());
    if let Some(prefix) = &args.prefix {
        options = options.prefix(prefix);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("webwx relay: cannot start the runtime: {e}");
            return 1;
        }
    };
    let result: std::io::Result<()> = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            eprintln!("webwx relay: warning: listening on {addr}, beyond the loopback interface");
        }
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "webwx relay listening on http://{addr}")?;
            out.flush()?;
        }
        webwx_hyper::relay::serve(listener, options).await
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("webwx relay: {e}");
            1
        }
    }
}
