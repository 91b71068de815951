//! Faults injected through the control API: which requests they hit.

use super::World;
use crate::control_types::{ControlError, FaultKind, FaultSpec};

/// The canonical name of webwxsync, the one endpoint whose answer a fault can alter.
const SYNC: &str = "sync";

/// A fault in force.
#[derive(Debug, Clone)]
pub(crate) struct ActiveFault {
    pub spec: FaultSpec,
    endpoint: String,
    remaining: Option<u64>,
}

/// Canonical endpoint name: `webwxsync` and `sync` are the same, and so are
/// `/cgi-bin/mmwebwx-bin/webwxnewloginpage` and `newloginpage`.
pub(crate) fn normalize(name: &str) -> String {
    let name = name.trim().to_ascii_lowercase();
    let last = name.rsplit('/').next().unwrap_or("");
    let last = last.split('?').next().unwrap_or("");
    last.strip_prefix("webwx").unwrap_or(last).to_string()
}

impl World {
    /// Adds a fault after checking it.
    pub(crate) fn add_fault(&mut self, spec: FaultSpec) -> Result<(), ControlError> {
        if spec.endpoint.trim().is_empty() {
            return Err(ControlError::required("endpoint"));
        }
        if let Some(r) = spec.rate
            && !(0.0..=1.0).contains(&r)
        {
            return Err(ControlError::Invalid(
                "\"rate\" must be within 0..=1".into(),
            ));
        }
        if spec.count == Some(0) {
            return Err(ControlError::Invalid("\"count\" must be at least 1".into()));
        }
        if let Some(s) = spec.status
            && !(500..=599).contains(&s)
        {
            return Err(ControlError::Invalid(
                "\"status\" must be a 5xx code".into(),
            ));
        }
        if let Some(uin) = spec.uin
            && !self.accounts.contains_key(&uin)
        {
            return Err(ControlError::UnknownAccount(uin));
        }
        if spec.kind == FaultKind::Ret && spec.ret == Some(0) {
            return Err(ControlError::Invalid("\"ret\" must not be 0".into()));
        }
        let endpoint = if spec.endpoint.trim() == "*" {
            "*".to_string()
        } else {
            normalize(&spec.endpoint)
        };
        if spec.kind.sync_only() && endpoint != "*" && endpoint != SYNC {
            let kind = if spec.kind == FaultKind::Rewind {
                "rewind"
            } else {
                "duplicate"
            };
            return Err(ControlError::Invalid(format!(
                "a \"{kind}\" fault applies to webwxsync only"
            )));
        }
        self.faults.push(ActiveFault {
            remaining: spec.count,
            endpoint,
            spec,
        });
        Ok(())
    }

    /// `n` random bytes for a garbage body, from the fault rolls' generator (so that a
    /// fault changes nothing the server hands out later).
    pub(crate) fn fault_noise(&mut self, n: usize) -> Vec<u8> {
        self.fault_rng.bytes(n)
    }

    /// The fault that hits this request, if any (consumes one of its count).
    pub(crate) fn pick_fault(&mut self, endpoint: &str, uin: Option<u64>) -> Option<FaultSpec> {
        let name = normalize(endpoint);
        let mut hit = None;
        for i in 0..self.faults.len() {
            let f = &self.faults[i];
            if f.endpoint != "*" && f.endpoint != name {
                continue;
            }
            if f.spec.uin.is_some() && f.spec.uin != uin {
                continue;
            }
            if f.spec.kind.sync_only() && name != SYNC {
                continue;
            }
            if let Some(rate) = f.spec.rate
                && self.fault_rng.unit() >= rate
            {
                continue;
            }
            hit = Some(i);
            break;
        }
        let i = hit?;
        let spec = self.faults[i].spec.clone();
        if let Some(n) = self.faults[i].remaining.as_mut() {
            *n -= 1;
            if *n == 0 {
                self.faults.remove(i);
            }
        }
        self.bump("faults_fired");
        Some(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalize("webwxsync"), "sync");
        assert_eq!(normalize("sync"), "sync");
        assert_eq!(normalize("synccheck"), "synccheck");
        assert_eq!(
            normalize("/cgi-bin/mmwebwx-bin/webwxnewloginpage"),
            "newloginpage"
        );
        assert_eq!(normalize("login"), "login");
    }
}
