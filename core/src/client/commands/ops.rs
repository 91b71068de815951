//! Operations: revoke, mark read, friends, groups, remarks, pins.

use super::{Client, CommandFailure, Inflight, OpKind, OpOutcome};
use crate::endpoint::{revokemsg, statusnotify};
use crate::error::ResponseError;
use crate::time::Timestamp;
use http::Response;

impl Client {
    pub(crate) fn on_op_response(
        &mut self,
        now: Timestamp,
        inflight: Inflight,
        op: u64,
        what: OpKind,
        resp: Response<Vec<u8>>,
    ) {
        let result: Result<OpOutcome, ResponseError> = match what {
            OpKind::Revoke => revokemsg::parse(&resp).map(|_| OpOutcome::Done),
            OpKind::MarkRead => statusnotify::parse(&resp).map(|_| OpOutcome::Done),
            _ => Ok(OpOutcome::Done),
        };
        match result {
            Ok(outcome) => self.finish_op(op, Ok::<_, CommandFailure>(outcome)),
            Err(e) => self.cmd_error(now, inflight, e),
        }
    }
}
