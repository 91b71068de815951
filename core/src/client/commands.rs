//! Commands: sends, uploads, downloads, friend and group operations.

use super::{Client, Failure, Inflight, Output};
use crate::time::Timestamp;
use http::Response;
use serde::Serialize;
use std::collections::VecDeque;

/// An in-flight command request.
#[derive(Debug)]
pub(crate) enum Cmd {}

/// Per-session command bookkeeping.
#[derive(Debug, Default)]
pub(crate) struct CommandState {}

impl CommandState {
    /// Fails every pending command when the session ends.
    pub(crate) fn fail_all_pending(&mut self, _out: &mut VecDeque<Output>) {}
}

/// The outcome or progress of a command.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandEvent {}

impl Client {
    pub(crate) fn on_cmd_response(
        &mut self,
        _now: Timestamp,
        inflight: Inflight,
        _resp: Response<Vec<u8>>,
    ) {
        let super::Pending::Cmd(cmd) = inflight.pending else {
            return;
        };
        match cmd {}
    }

    pub(crate) fn on_cmd_failure(&mut self, _now: Timestamp, cmd: Cmd, _failure: Failure) {
        match cmd {}
    }
}
