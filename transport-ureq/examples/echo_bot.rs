//! An echo bot on the blocking driver: logs in (resuming a saved session when there is
//! one), replies to every private text with the same text, and saves the session
//! whenever it changes.
//!
//! ```sh
//! cargo run -p webwx-ureq --example echo_bot                      # the real service
//! cargo run -p webwx-ureq --example echo_bot -- http://127.0.0.1:PORT   # a simulator
//! ```
use webwx_core::message::MessageKind;
use webwx_core::{Client, Config, Event, SessionState};
use webwx_ureq::prelude::*;

const SESSION_FILE: &str = "echo_bot.session.json";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::new(webwx_ureq::random_seed());
    if let Some(origin) = std::env::args().nth(1) {
        config = config.origin(&origin)?;
    }
    let client = match std::fs::read_to_string(SESSION_FILE) {
        Ok(json) => Client::restore(config, SessionState::from_json(&json)?),
        Err(_) => Client::new(config),
    };
    let (handle, events) = webwx_ureq::start(client, webwx_ureq::Options::default())?;
    // Resume the saved session, else push login, else a QR code.
    handle.connect()?;

    for event in events {
        match event {
            Event::QrCode { url, .. } => println!("scan this with WeChat: {url}"),
            Event::LoggedIn { nick_name, .. } => println!("logged in as {nick_name}"),
            Event::Ready => println!("ready"),
            Event::SessionChanged => save(&handle.snapshot())?,
            Event::Message(m) if !m.outgoing && !m.is_group => {
                if let MessageKind::Text { text } = &m.kind {
                    println!("{}: {text}", m.from);
                    if let Err(e) = handle.send_text(&m.chat, text) {
                        eprintln!("cannot reply: {e}");
                    }
                }
            }
            Event::LoggedOut { reason } => println!("logged out: {reason}"),
            _ => {}
        }
    }
    Ok(())
}

fn save(state: &SessionState) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(SESSION_FILE)?
        .write_all(state.to_json().as_bytes())
}
