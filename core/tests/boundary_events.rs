//! The JSON boundary's events round-trip: every generated [`Event`] serializes to JSON and
//! deserializes back to the same value, and 64-bit ids travel as strings.
#![cfg(not(target_arch = "wasm32"))]

#[path = "strategies/events.rs"]
mod strategies;

use proptest::prelude::*;
use strategies::{event, message};
use webwx_core::client::CommandEvent;
use webwx_core::media::MediaBody;
use webwx_core::{
    CommandFailure, DataPurpose, Download, DownloadId, DownloadedMedia, Event, UploadId, boundary,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Serialize, deserialize: the same event.
    #[test]
    fn events_round_trip(e in event()) {
        let json = serde_json::to_string(&e).unwrap();
        let back: Event = serde_json::from_str(&json)
            .unwrap_or_else(|err| panic!("{err}: {json}"));
        prop_assert_eq!(&back, &e);
        // The boundary's line is the same JSON, for the events that cross it.
        if let Some(line) = boundary::event_json(&e) {
            prop_assert_eq!(line, json);
        }
    }

    /// 64-bit ids are JSON strings, and exact, whatever their size.
    #[test]
    fn message_ids_are_strings(m in message()) {
        let v = serde_json::to_value(Event::Message(Box::new(m.clone()))).unwrap();
        let id = m.new_id.to_string();
        prop_assert_eq!(v["new_id"].as_str(), Some(id.as_str()));
        prop_assert_eq!(v["raw"]["NewMsgId"].as_str(), Some(id.as_str()));
        prop_assert!(v["id"].is_string());
    }
}

#[test]
fn driver_internal_events_stay_off_the_boundary() {
    let needs = Event::Command(CommandEvent::UploadNeedsData {
        upload: UploadId(1),
        offset: 0,
        len: 10,
        purpose: DataPurpose::Upload,
    });
    assert!(!boundary::is_boundary_event(&needs));
    assert_eq!(boundary::event_json(&needs), None);
    let downloaded = Event::Command(CommandEvent::Downloaded {
        download: DownloadId(2),
        media: DownloadedMedia::new(
            &Download::Voice { msg_id: "1".into() },
            MediaBody {
                bytes: vec![1, 2, 3],
                content_type: "audio/mp3".into(),
            },
        ),
    });
    assert_eq!(boundary::event_json(&downloaded), None);
    // Its Rust serde form still carries the bytes, in base64.
    let v = serde_json::to_value(&downloaded).unwrap();
    assert_eq!(v["media"]["data_b64"], "AQID");
    assert_eq!(v["media"]["len"], 3);
    let failed = Event::Command(CommandEvent::DownloadFailed {
        download: DownloadId(2),
        error: CommandFailure::SessionEnded,
    });
    assert_eq!(
        boundary::event_json(&failed).as_deref(),
        Some(
            r#"{"event":"command","kind":"download_failed","download":2,"error":{"reason":"session_ended"}}"#
        )
    );
}

#[test]
fn lenient_ids_from_numbers() {
    let json = r#"{"event":"message","id":"5","new_id":1234567890123456789,"from":"@a","to":"@b",
        "chat":"@a","sender":"@a","is_group":false,"outgoing":false,"time":1,"mentioned_me":false,
        "mentions":[],"mentioned_names":[],"kind":{"kind":"text","text":"hi"},"raw":{"NewMsgId":7}}"#;
    let Event::Message(m) = serde_json::from_str::<Event>(json).unwrap() else {
        panic!("not a message")
    };
    assert_eq!(m.new_id, 1_234_567_890_123_456_789);
    assert_eq!(m.raw.new_msg_id, 7);
}
