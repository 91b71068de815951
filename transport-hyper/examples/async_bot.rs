//! An async bot on the hyper driver: several sessions could share this runtime; this one
//! logs in with a QR code, answers "ping" with "pong" from a separate task, and logs out
//! after `LIMIT` messages.
//!
//! ```sh
//! cargo run -p webwx-hyper --example async_bot                      # the real service
//! cargo run -p webwx-hyper --example async_bot -- http://127.0.0.1:PORT   # a simulator
//! ```
use webwx_core::message::MessageKind;
use webwx_core::{Client, Config, Event};
use webwx_hyper::prelude::*;

const LIMIT: usize = 100;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::new(webwx_hyper::random_seed());
    if let Some(origin) = std::env::args().nth(1) {
        config = config.origin(&origin)?;
    }
    let (handle, mut events) =
        webwx_hyper::start(Client::new(config), webwx_hyper::Options::default())?;
    handle.login()?;

    // Replies go out from their own task through a channel: the handle is cheap to clone
    // and usable from anywhere.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let replier = {
        let handle = handle.clone();
        tokio::spawn(async move {
            while let Some(chat) = rx.recv().await {
                if let Err(e) = handle.send_text(&chat, "pong") {
                    eprintln!("cannot reply: {e}");
                }
            }
        })
    };

    let mut seen = 0;
    while let Some(event) = events.next_event().await {
        match event {
            Event::QrCode { url, .. } => println!("scan this with WeChat: {url}"),
            Event::Ready => println!("ready"),
            Event::Message(m) => {
                seen += 1;
                if let MessageKind::Text { text } = &m.kind
                    && !m.outgoing
                    && text.trim().eq_ignore_ascii_case("ping")
                {
                    let _ = tx.send(m.chat.clone());
                }
                if seen == LIMIT {
                    handle.logout();
                }
            }
            Event::LoggedOut { reason } => println!("logged out: {reason}"),
            _ => {}
        }
    }
    drop(tx);
    replier.await?;
    Ok(())
}
