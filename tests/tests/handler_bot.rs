//! The handler bot of README.md (`transport-ureq/examples/handler_bot.rs`) against the
//! simulator: a private `ping` gets `pong`, a group mention gets a reply mentioning its
//! sender, other messages reach the fallback, and the bot ends with the session.

#[path = "../../transport-ureq/examples/handler_bot.rs"]
mod handler_bot;

use std::time::{Duration, Instant};
use webwx_core::Client;
use webwx_sim::InjectMessage;
use webwx_tests::harness;

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    // Wide margin for a loaded 2-core machine; it normally takes well under a second.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "no {what} within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_readme_handler_bot_answers_against_the_simulator() {
    let sim = harness::sim(|c| c.auto_scan = true);
    let client = Client::new(harness::config(&sim.base, 11));
    let bot = std::thread::spawn(move || handler_bot::run(client).map_err(|e| e.to_string()));
    wait_for("login", || {
        sim.control.state().accounts.iter().any(|a| a.logged_in)
    });
    let contacts = sim.control.contacts(None).unwrap();
    let friend = contacts.iter().find(|c| c.kind == "friend").unwrap();
    let group = contacts
        .iter()
        .find(|c| c.kind == "group" && c.members.as_ref().is_some_and(|m| !m.is_empty()))
        .unwrap();
    let me = sim.control.state().accounts[0].user_name.clone();
    let member = group
        .members
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.user_name != me)
        .unwrap();

    let inject = |from: &str, content: &str, group: Option<&str>, mentions: Vec<String>| {
        let m = InjectMessage {
            from: from.to_owned(),
            content: content.to_owned(),
            group: group.map(str::to_owned),
            mentions,
            ..Default::default()
        };
        // The bot may not be ready yet: retry until the simulator takes it.
        wait_for("injection", || {
            sim.control.inject_message(m.clone()).is_ok()
        });
    };
    inject(&friend.user_name, "ping", None, vec![]);
    wait_for("pong", || {
        sim.control
            .sent()
            .iter()
            .any(|s| s.content == "pong" && s.to == friend.user_name)
    });
    inject(
        &member.user_name,
        "bot, are you there?",
        Some(&group.user_name),
        vec!["me".into()],
    );
    wait_for("the mention", || {
        sim.control.sent().iter().any(|s| {
            s.to == group.user_name
                && s.content.ends_with("\u{2005}you called?")
                && s.content.starts_with('@')
        })
    });
    // Only what the handlers sent: the fallback answers nothing.
    inject(&friend.user_name, "something else", None, vec![]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sim.control.sent().len(), 2, "{:?}", sim.control.sent());

    sim.control.remote_logout(None, 1101).unwrap();
    let ended = bot.join().unwrap();
    assert!(ended.is_ok(), "{ended:?}");
}
