//! A bot made of handlers on the blocking driver: `ping` in a private chat answers
//! `pong`, a mention in a group answers the sender with a mention, images are saved,
//! the rest is printed. README.md shows the same bot; `tests/tests/handler_bot.rs` runs
//! it against the simulator.
//!
//! ```sh
//! cargo run -p webwx-ureq --example handler_bot                          # the real service
//! cargo run -p webwx-ureq --example handler_bot -- http://127.0.0.1:PORT # a simulator
//! ```
use webwx_core::handlers::{Flow, Kind, Matcher};
use webwx_core::{Client, Config, Event};
use webwx_ureq::prelude::*; // the handle's commands, Bot and Reply

/// Runs the bot until the session ends.
pub fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    let (handle, events) = webwx_ureq::start(client, webwx_ureq::Options::default())?;
    handle.login()?;
    let mut bot = Bot::for_handle(&handle);
    bot.on(
        Matcher::kind(Kind::Text).private().text_is("ping"),
        |h, m| {
            let _ = h.reply(m, "pong");
            Flow::Stop
        },
    );
    bot.on(Matcher::any().group().mentions_me(), |h, m| {
        let _ = h.reply_mention(m, "you called?");
        Flow::Stop
    });
    bot.on(Matcher::kind(Kind::Image), |h, m| {
        let _ = h.download_media(m); // the bytes come as Event::Command(Downloaded)
        Flow::Continue
    });
    bot.fallback(|_, m| println!("{} from {}", m.kind.tag(), m.chat));
    for event in events {
        if let Event::QrCode { url, .. } = &event {
            println!("scan with WeChat: {url}");
        }
        bot.handle(&handle, &event);
    }
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::new(webwx_ureq::random_seed());
    if let Some(origin) = std::env::args().nth(1) {
        config = config.origin(&origin)?;
    }
    run(Client::new(config))
}
