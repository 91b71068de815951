//! The sync loop: synccheck long-polls on the push host; a non-zero selector calls
//! webwxsync, which delivers messages and contact changes and advances the keys;
//! `ContinueFlag` syncs again before the next synccheck.

use super::{Client, Event, Failure, Inflight, LogoutReason, Pending, Phase, Timer};
use crate::endpoint::batchgetcontact::BatchItem;
use crate::endpoint::sync::SyncResponse;
use crate::endpoint::{sync, synccheck};
use crate::error::{ResponseError, Ret};
use crate::message::{Message, SelfInfo};
use crate::time::{Monotonic, Now};
use http::Response;

/// Sync loop bookkeeping.
#[derive(Debug, Default)]
pub(crate) struct SyncState {
    /// jQuery's `_` counter of synccheck.
    pub(crate) cache_buster: u64,
    /// When Ret 1205 started, while it persists.
    pub(crate) too_frequent_since: Option<Monotonic>,
    /// Consecutive 1205 answers.
    pub(crate) too_frequent_count: u32,
    /// Consecutive unknown synccheck retcodes.
    pub(crate) odd_retcodes: u32,
    /// When the current run of unknown retcodes started.
    pub(crate) odd_since: Option<Monotonic>,
    /// When the current run of synccheck timeouts (no answer at all) started.
    pub(crate) timeouts_since: Option<Monotonic>,
}

impl Client {
    pub(crate) fn start_sync_loop(&mut self, now: Now) {
        self.sync.cache_buster = now.wall.as_millis();
        self.send_synccheck(now);
    }

    fn loop_busy(&self) -> bool {
        self.inflight
            .values()
            .any(|i| matches!(i.pending, Pending::SyncCheck | Pending::Sync))
    }

    pub(crate) fn send_synccheck(&mut self, now: Now) {
        if self.phase != Phase::Running || self.loop_busy() {
            return;
        }
        self.sync.cache_buster += 1;
        let cb = self.sync.cache_buster;
        let key = if self.state.sync_check_key.is_empty() {
            self.state.sync_key.clone()
        } else {
            self.state.sync_check_key.clone()
        };
        let Some(req) = self
            .session_ctx(now)
            .map(|ctx| synccheck::build(&ctx, &key, cb))
        else {
            return;
        };
        let t = self.cfg.long_poll_timeout;
        self.dispatch(now, Pending::SyncCheck, synccheck::NAME, req, t);
    }

    pub(crate) fn send_sync(&mut self, now: Now) {
        if self.phase != Phase::Running || self.loop_busy() {
            return;
        }
        let key = self.state.sync_key.clone();
        let Some(req) = self.session_ctx(now).map(|ctx| sync::build(&ctx, &key)) else {
            return;
        };
        let t = self.cfg.request_timeout;
        self.dispatch(now, Pending::Sync, sync::NAME, req, t);
    }

    pub(crate) fn on_sync_response(
        &mut self,
        now: Now,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) {
        if self.phase != Phase::Running {
            return;
        }
        match &inflight.pending {
            Pending::SyncCheck => match synccheck::parse(&resp) {
                Ok(sc) if sc.retcode == 0 => {
                    self.alive();
                    if sc.selector != 0 {
                        self.send_sync(now);
                    } else {
                        self.send_synccheck(now);
                    }
                }
                Ok(sc) => {
                    let ret = Ret::from_code(sc.retcode);
                    if ret.is_session_end() {
                        self.session_over(now, ret);
                    } else if ret == Ret::TOO_FREQUENT {
                        self.too_frequent(now, Timer::SyncCheck);
                    } else {
                        // The official client: "syncCheck net error", poll again later;
                        // like any sync-loop failure, only for so long.
                        let since = *self.sync.odd_since.get_or_insert(now.mono);
                        if now.mono.since(since) >= self.cfg.retry.sync_give_up_after {
                            self.die(LogoutReason::Refused {
                                endpoint: synccheck::NAME.to_owned(),
                                ret,
                                message: "unknown synccheck retcode".to_owned(),
                            });
                            return;
                        }
                        self.sync.odd_retcodes += 1;
                        let d = self.backoff(self.sync.odd_retcodes);
                        tracing::warn!(retcode = sc.retcode, "unknown synccheck retcode; retrying");
                        self.set_timer(now.mono.plus(d), Timer::SyncCheck);
                    }
                }
                Err(e) => self.retry_or_fail(now, inflight, Failure::Response(e)),
            },
            Pending::Sync => match sync::parse(&resp) {
                Ok(r) => {
                    self.alive();
                    let more = r.continue_flag != 0;
                    self.apply_sync(now, r);
                    if more {
                        self.send_sync(now);
                    } else {
                        self.send_synccheck(now);
                    }
                }
                Err(ResponseError::Wx(e)) if e.ret.is_session_end() => {
                    self.session_over(now, e.ret)
                }
                Err(ResponseError::Wx(e)) if e.ret == Ret::TOO_FREQUENT => {
                    self.too_frequent(now, Timer::Sync);
                }
                Err(e) => self.retry_or_fail(now, inflight, Failure::Response(e)),
            },
            _ => {}
        }
    }

    fn alive(&mut self) {
        self.login.resumed = false;
        self.sync.too_frequent_since = None;
        self.sync.too_frequent_count = 0;
        self.sync.odd_retcodes = 0;
        self.sync.odd_since = None;
        self.sync.timeouts_since = None;
    }

    fn too_frequent(&mut self, now: Now, then: Timer) {
        let since = *self.sync.too_frequent_since.get_or_insert(now.mono);
        if now.mono.since(since) >= self.cfg.retry.too_frequent_give_up_after {
            self.die(LogoutReason::TooFrequent);
            return;
        }
        self.sync.too_frequent_count += 1;
        let d = self.backoff(self.sync.too_frequent_count);
        tracing::warn!(delay = ?d, "too frequent (1205); backing off");
        self.set_timer(now.mono.plus(d), then);
    }

    /// Applies one webwxsync answer: messages (deduplicated, in order), contact changes,
    /// keys (never backwards), skey.
    pub(crate) fn apply_sync(&mut self, now: Now, r: SyncResponse) {
        let me = self.state.me.clone().unwrap_or_default();
        let mut unknown_groups: Vec<String> = Vec::new();
        for raw in r.add_msg_list {
            if !self.state.seen.insert(&raw.msg_id) {
                tracing::debug!("duplicate message ignored");
                continue;
            }
            let mut msg = Message::from_raw(
                raw,
                &SelfInfo {
                    user_name: &me.user_name,
                    nick_name: &me.nick_name,
                },
                &self.contacts,
            );
            self.recent.complete_revoke(&mut msg);
            if msg.is_group
                && self.contacts.get(&msg.chat).is_none()
                && !unknown_groups.contains(&msg.chat)
            {
                unknown_groups.push(msg.chat.clone());
            }
            let msg = Box::new(msg);
            self.recent.push(msg.clone());
            self.emit(Event::Message(msg));
        }
        for c in r.mod_contact_list {
            if let Some(change) = self.contacts.upsert(c) {
                self.emit(Event::Contact(change));
            }
        }
        for c in r.mod_chat_room_member_list {
            let name = c.user_name.clone();
            let members = c.member_list.clone();
            let change = if self.contacts.get(&name).is_some() {
                self.contacts.set_members(&name, members)
            } else {
                self.contacts.upsert(c)
            };
            if let Some(change) = change {
                self.emit(Event::Contact(change));
            }
        }
        for d in r.del_contact_list {
            if let Some(change) = self.contacts.remove(&d.user_name) {
                self.emit(Event::Contact(change));
            }
        }
        self.state.sync_key.advance(&r.sync_key);
        if !r.sync_check_key.is_empty() {
            self.state.sync_check_key.advance(&r.sync_check_key);
        }
        self.refresh_skey(&r.skey);
        self.emit(Event::SessionChanged);
        if !unknown_groups.is_empty() {
            let items = unknown_groups
                .into_iter()
                .map(|user_name| BatchItem {
                    user_name,
                    encry_chat_room_id: String::new(),
                })
                .collect();
            self.in_startup(now, |_, ctx, _| {
                super::startup::Startup::send_batch(ctx, items, false)
            });
        }
    }
}
