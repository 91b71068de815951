//! Events on the JSON boundary: [`Event`]'s own serde form, less what only a driver needs.

use crate::client::{CommandEvent, Event};

/// Whether `event` crosses the JSON boundary. Everything does but the driver's own
/// business: [`CommandEvent::UploadNeedsData`] (the core asking the driver for a file's
/// bytes) and [`CommandEvent::Downloaded`] (a download's bytes, which reach a host as
/// the `download` command's answer: a saved path or base64).
pub fn is_boundary_event(event: &Event) -> bool {
    !matches!(
        event,
        Event::Command(CommandEvent::UploadNeedsData { .. } | CommandEvent::Downloaded { .. })
    )
}

/// The boundary JSON of `event` (one line, no newline), or `None` when it does not
/// cross the boundary ([`is_boundary_event`]). The same object `webwx login --json`
/// prints, the WASM package hands to `onEvent` and the gateway stores; it deserializes
/// back into the same [`Event`].
///
/// ```
/// use webwx_core::{Event, boundary};
/// assert_eq!(boundary::event_json(&Event::Ready).as_deref(), Some(r#"{"event":"ready"}"#));
/// ```
pub fn event_json(event: &Event) -> Option<String> {
    if !is_boundary_event(event) {
        return None;
    }
    Some(serde_json::to_string(event).expect("events always serialize"))
}
