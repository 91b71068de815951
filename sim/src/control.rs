//! The control API's in-process handle: the same operations as `/_sim/*`, for tests and
//! embedders (its types are in `control_types`).

use std::fmt;
use std::sync::Arc;

use crate::control_types::{
    AccountSpec, ContactEvent, ContactInfo, ControlError, FaultSpec, InjectMessage, SentRecord,
    SimState,
};
use crate::shared::Shared;

/// In-process handle on a running simulator: the same operations as `/_sim/*`,
/// callable from blocking code (each takes the state lock briefly).
#[derive(Clone)]
pub struct Control {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Control").finish_non_exhaustive()
    }
}

impl Control {
    /// Accounts, pending uuids and counters (`GET /_sim/state`).
    pub fn state(&self) -> SimState {
        self.shared.world().state_info()
    }

    /// The phone scans a pending uuid (the oldest if `None`) and, with `confirm`,
    /// confirms the login. Returns the uuid.
    pub fn scan(&self, uuid: Option<&str>, confirm: bool) -> Result<String, ControlError> {
        self.shared.world().scan(uuid, confirm, None)
    }

    /// Like [`Control::scan`], logging in the existing account `uin` (a re-login).
    pub fn scan_as(&self, uuid: Option<&str>, uin: u64) -> Result<String, ControlError> {
        self.shared.world().scan(uuid, true, Some(uin))
    }

    /// The phone cancels a pending login (the poll answers 202).
    pub fn cancel(&self, uuid: Option<&str>) -> Result<String, ControlError> {
        self.shared.world().cancel(uuid)
    }

    /// Expires a pending uuid at once (the poll answers 400).
    pub fn expire(&self, uuid: Option<&str>) -> Result<String, ControlError> {
        self.shared.world().expire(uuid)
    }

    /// Delivers an incoming message; returns its MsgId.
    pub fn inject_message(&self, msg: InjectMessage) -> Result<String, ControlError> {
        self.shared.world().inject_message(msg)
    }

    /// Like [`Control::inject_message`], from the JSON that `POST /_sim/messages` takes.
    pub fn inject_json(&self, msg: serde_json::Value) -> Result<String, ControlError> {
        let msg: InjectMessage =
            serde_json::from_value(msg).map_err(|e| ControlError::Invalid(e.to_string()))?;
        self.inject_message(msg)
    }

    /// Every message sent by clients, in order.
    pub fn sent(&self) -> Vec<SentRecord> {
        self.shared.world().sent().to_vec()
    }

    /// The contacts of an account (default: the only logged-in one).
    pub fn contacts(&self, uin: Option<u64>) -> Result<Vec<ContactInfo>, ControlError> {
        self.shared.world().contacts_info(uin)
    }

    /// Adds, changes or removes a contact, visible in the next sync.
    pub fn contact_event(&self, ev: ContactEvent) -> Result<String, ControlError> {
        self.shared.world().contact_event(ev)
    }

    /// Injects a fault.
    pub fn add_fault(&self, fault: FaultSpec) -> Result<(), ControlError> {
        self.shared.world().add_fault(fault)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.world().clear_faults();
    }

    /// The phone ends the session of `uin` (default: the only logged-in account):
    /// later requests get `retcode` (1101 logged out elsewhere, 1100, 1102, ...).
    pub fn remote_logout(&self, uin: Option<u64>, retcode: i64) -> Result<u64, ControlError> {
        self.shared.world().remote_logout(uin, retcode)
    }

    /// Prepares the account that the next confirmed scan logs in; returns its uin.
    pub fn prepare_account(&self, spec: AccountSpec) -> Result<u64, ControlError> {
        self.shared.world().prepare_account(spec)
    }

    /// The base URL of the simulator (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }
}
