//! An account's state as the API names it, and how the session's events move it.

use serde::Serialize;
use webwx_core::{Event, LogoutReason};

/// Where an account is.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountState {
    /// A QR code (or a push login) waits for the phone.
    WaitingScan,
    /// The phone scanned; waiting for its confirmation.
    Scanned,
    /// Logged in and ready for commands.
    LoggedIn,
    /// Not logged in (logged out here or on the phone, or never finished logging in).
    #[default]
    LoggedOut,
    /// Resuming the stored session after a restart, until the server confirms it.
    Resuming,
    /// The login or the session failed (`reason` says why).
    Failed,
}

impl AccountState {
    /// Every state, for metrics.
    pub const ALL: [AccountState; 6] = [
        AccountState::WaitingScan,
        AccountState::Scanned,
        AccountState::LoggedIn,
        AccountState::LoggedOut,
        AccountState::Resuming,
        AccountState::Failed,
    ];

    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::WaitingScan => "waiting_scan",
            AccountState::Scanned => "scanned",
            AccountState::LoggedIn => "logged_in",
            AccountState::LoggedOut => "logged_out",
            AccountState::Resuming => "resuming",
            AccountState::Failed => "failed",
        }
    }

    /// The state of a stored name (unknown names: logged out).
    pub fn parse(s: &str) -> AccountState {
        AccountState::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .unwrap_or_default()
    }

    /// The state after `event`, with the reason of a failure or logout; `None` when the
    /// event does not move it. `current` decides whether a login is a resume.
    pub fn after(current: AccountState, event: &Event) -> Option<(AccountState, Option<String>)> {
        let s = match event {
            Event::QrCode { .. } | Event::PushLoginSent => AccountState::WaitingScan,
            Event::Scanned { .. } => AccountState::Scanned,
            // Logged in means ready for commands: after the contacts (a resumed session
            // is confirmed by them too).
            Event::Ready => AccountState::LoggedIn,
            Event::LoggedOut { reason } => {
                let state = match reason {
                    LogoutReason::Requested | LogoutReason::Remote { .. } => {
                        AccountState::LoggedOut
                    }
                    _ => AccountState::Failed,
                };
                return Some((state, Some(reason.to_string())));
            }
            _ => return None,
        };
        (s != current).then_some((s, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_events_move_states() {
        for s in AccountState::ALL {
            assert_eq!(AccountState::parse(s.as_str()), s);
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::String(s.as_str().into())
            );
        }
        let qr = Event::QrCode {
            uuid: "u".into(),
            url: "x".into(),
            image_url: "y".into(),
        };
        assert_eq!(
            AccountState::after(AccountState::LoggedOut, &qr),
            Some((AccountState::WaitingScan, None))
        );
        assert_eq!(
            AccountState::after(AccountState::Scanned, &Event::Ready),
            Some((AccountState::LoggedIn, None))
        );
        let login = Event::LoggedIn {
            user_name: "@me".into(),
            nick_name: "me".into(),
        };
        assert_eq!(AccountState::after(AccountState::Resuming, &login), None);
        assert_eq!(AccountState::after(AccountState::Scanned, &login), None);
        assert_eq!(
            AccountState::after(AccountState::Resuming, &Event::Ready),
            Some((AccountState::LoggedIn, None))
        );
        let out = Event::LoggedOut {
            reason: LogoutReason::QrExpired,
        };
        assert_eq!(
            AccountState::after(AccountState::WaitingScan, &out)
                .unwrap()
                .0,
            AccountState::Failed
        );
        let out = Event::LoggedOut {
            reason: LogoutReason::Requested,
        };
        assert_eq!(
            AccountState::after(AccountState::LoggedIn, &out).unwrap().0,
            AccountState::LoggedOut
        );
    }
}
