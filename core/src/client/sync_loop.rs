//! The sync loop: synccheck long-polls on the push host; a non-zero selector calls
//! webwxsync, which delivers messages and contact changes and advances the keys;
//! `ContinueFlag` syncs again before the next synccheck.

use super::ctx::{Ctx, Step};
use super::recent::RecentMessages;
use super::startup::Startup;
use super::{Event, Failure, Inflight, LogoutReason, Pending, Phase, Timer};
use crate::endpoint::batchgetcontact::BatchItem;
use crate::endpoint::sync::SyncResponse;
use crate::endpoint::{sync, synccheck};
use crate::error::{ResponseError, Ret, TransportErrorKind};
use crate::message::{Message, SelfInfo};
use crate::time::Monotonic;
use http::Response;

/// The sync loop phase: what it alone reads and writes. The client hands it a [`Ctx`]
/// and the phase the session is in (to read); it returns a [`Step`] for what only the
/// client may do (retry, end the session, or note that a resumed session proved alive).
#[derive(Debug)]
pub(crate) struct SyncLoop {
    /// Whether this session runs the sync loop (off for one-shot commands on a saved
    /// session): a property of the session, set by the login commands, read when the
    /// contacts are loaded.
    pub(crate) enabled: bool,
    /// The loop's bookkeeping.
    sync: SyncState,
    /// The last messages seen (the client looks them up for the host).
    pub(crate) recent: RecentMessages,
}

impl Default for SyncLoop {
    fn default() -> SyncLoop {
        SyncLoop {
            enabled: true,
            sync: SyncState::default(),
            recent: RecentMessages::default(),
        }
    }
}

/// Sync loop bookkeeping.
#[derive(Debug, Default)]
struct SyncState {
    /// jQuery's `_` counter of synccheck.
    cache_buster: u64,
    /// When Ret 1205 started, while it persists.
    too_frequent_since: Option<Monotonic>,
    /// Consecutive 1205 answers.
    too_frequent_count: u32,
    /// Consecutive unknown synccheck retcodes.
    odd_retcodes: u32,
    /// When the current run of unknown retcodes started.
    odd_since: Option<Monotonic>,
    /// When the current run of synccheck timeouts (no answer at all) started.
    timeouts_since: Option<Monotonic>,
}

impl SyncLoop {
    /// Starts the loop (the session is ready and runs it).
    pub(crate) fn start(&mut self, ctx: &mut Ctx<'_>, phase: &Phase) -> Step {
        self.sync.cache_buster = ctx.now.wall.as_millis();
        self.send_synccheck(ctx, phase);
        Step::Stay
    }

    /// Whether a synccheck or webwxsync is in flight.
    fn busy(ctx: &Ctx<'_>) -> bool {
        ctx.in_flight(|p| matches!(p, Pending::SyncCheck | Pending::Sync))
    }

    fn send_synccheck(&mut self, ctx: &mut Ctx<'_>, phase: &Phase) {
        if *phase != Phase::Running || Self::busy(ctx) {
            return;
        }
        self.sync.cache_buster += 1;
        let cb = self.sync.cache_buster;
        let key = if ctx.state.sync_check_key.is_empty() {
            ctx.state.sync_key.clone()
        } else {
            ctx.state.sync_check_key.clone()
        };
        let Some(req) = ctx.session_ctx().map(|s| synccheck::build(&s, &key, cb)) else {
            return;
        };
        let t = ctx.cfg.long_poll_timeout;
        ctx.dispatch(Pending::SyncCheck, synccheck::NAME, req, t);
    }

    fn send_sync(ctx: &mut Ctx<'_>, phase: &Phase) {
        if *phase != Phase::Running || Self::busy(ctx) {
            return;
        }
        let key = ctx.state.sync_key.clone();
        let Some(req) = ctx.session_ctx().map(|s| sync::build(&s, &key)) else {
            return;
        };
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(Pending::Sync, sync::NAME, req, t);
    }

    /// One of the loop's timers fired: poll or sync again.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, phase: &Phase, timer: Timer) -> Step {
        match timer {
            Timer::SyncCheck => self.send_synccheck(ctx, phase),
            Timer::Sync => Self::send_sync(ctx, phase),
            _ => {}
        }
        Step::Stay
    }

    /// The synccheck long-poll ran into its timeout: poll again. The server holds ~25 s
    /// and answers; a poll that outlives the timeout again and again for as long as the
    /// loop may fail means the server is gone, however silently.
    pub(crate) fn on_poll_timeout(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        endpoint: &str,
        kind: TransportErrorKind,
    ) -> Step {
        let since = *self.sync.timeouts_since.get_or_insert(ctx.now.mono);
        if ctx.now.mono.since(since) >= ctx.cfg.retry.sync_give_up_after {
            return Step::End(LogoutReason::Unreachable {
                endpoint: endpoint.to_owned(),
                kind,
            });
        }
        self.send_synccheck(ctx, phase);
        Step::Stay
    }

    /// The answer to a synccheck or webwxsync (the client routes it here).
    pub(crate) fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) -> Step {
        if *phase != Phase::Running {
            return Step::Stay;
        }
        match &inflight.pending {
            Pending::SyncCheck => match synccheck::parse(&resp) {
                Ok(sc) if sc.retcode == 0 => {
                    self.alive();
                    if sc.selector != 0 {
                        Self::send_sync(ctx, phase);
                    } else {
                        self.send_synccheck(ctx, phase);
                    }
                    Step::Alive
                }
                Ok(sc) => {
                    let ret = Ret::from_code(sc.retcode);
                    if ret.is_session_end() {
                        Step::SessionOver(ret)
                    } else if ret == Ret::TOO_FREQUENT {
                        self.too_frequent(ctx, Timer::SyncCheck)
                    } else {
                        // The official client: "syncCheck net error", poll again later;
                        // like any sync-loop failure, only for so long.
                        let since = *self.sync.odd_since.get_or_insert(ctx.now.mono);
                        if ctx.now.mono.since(since) >= ctx.cfg.retry.sync_give_up_after {
                            return Step::End(LogoutReason::Refused {
                                endpoint: synccheck::NAME.to_owned(),
                                ret,
                                message: "unknown synccheck retcode".to_owned(),
                            });
                        }
                        self.sync.odd_retcodes += 1;
                        let d = ctx.backoff(self.sync.odd_retcodes);
                        tracing::warn!(retcode = sc.retcode, "unknown synccheck retcode; retrying");
                        ctx.set_timer(ctx.now.mono.plus(d), Timer::SyncCheck);
                        Step::Stay
                    }
                }
                Err(e) => Step::Retry(inflight, Failure::Response(e)),
            },
            Pending::Sync => match sync::parse(&resp) {
                Ok(r) => {
                    self.alive();
                    let more = r.continue_flag != 0;
                    self.apply_sync(ctx, r);
                    if more {
                        Self::send_sync(ctx, phase);
                    } else {
                        self.send_synccheck(ctx, phase);
                    }
                    Step::Alive
                }
                Err(ResponseError::Wx(e)) if e.ret.is_session_end() => Step::SessionOver(e.ret),
                Err(ResponseError::Wx(e)) if e.ret == Ret::TOO_FREQUENT => {
                    self.too_frequent(ctx, Timer::Sync)
                }
                Err(e) => Step::Retry(inflight, Failure::Response(e)),
            },
            _ => Step::Stay,
        }
    }

    /// A synccheck or webwxsync out of retries ends the session.
    pub(crate) fn on_failure(&mut self, endpoint: &str, failure: Failure) -> Step {
        Step::End(failure.into_reason(endpoint))
    }

    /// The server answered: the loop's runs of trouble are over.
    fn alive(&mut self) {
        self.sync.too_frequent_since = None;
        self.sync.too_frequent_count = 0;
        self.sync.odd_retcodes = 0;
        self.sync.odd_since = None;
        self.sync.timeouts_since = None;
    }

    fn too_frequent(&mut self, ctx: &mut Ctx<'_>, then: Timer) -> Step {
        let since = *self.sync.too_frequent_since.get_or_insert(ctx.now.mono);
        if ctx.now.mono.since(since) >= ctx.cfg.retry.too_frequent_give_up_after {
            return Step::End(LogoutReason::TooFrequent);
        }
        self.sync.too_frequent_count += 1;
        let d = ctx.backoff(self.sync.too_frequent_count);
        tracing::warn!(delay = ?d, "too frequent (1205); backing off");
        ctx.set_timer(ctx.now.mono.plus(d), then);
        Step::Stay
    }

    /// Applies one webwxsync answer: messages (deduplicated, in order), contact changes,
    /// keys (never backwards), skey; the members of groups not known yet are fetched.
    fn apply_sync(&mut self, ctx: &mut Ctx<'_>, r: SyncResponse) {
        let me = ctx.state.me.clone().unwrap_or_default();
        let mut unknown_groups: Vec<String> = Vec::new();
        for raw in r.add_msg_list {
            if !ctx.state.seen.insert_within(&raw.msg_id, ctx.cfg.seen_ids) {
                tracing::debug!("duplicate message ignored");
                continue;
            }
            let mut msg = Message::from_raw(
                raw,
                &SelfInfo {
                    user_name: &me.user_name,
                    nick_name: &me.nick_name,
                },
                &*ctx.contacts,
            );
            self.recent.complete_revoke(&mut msg);
            if msg.is_group
                && ctx.contacts.get(&msg.chat).is_none()
                && !unknown_groups.contains(&msg.chat)
            {
                unknown_groups.push(msg.chat.clone());
            }
            self.recent.push(&msg, ctx.cfg.recent);
            let msg = Box::new(msg);
            ctx.emit(Event::Message(msg));
        }
        for c in r.mod_contact_list {
            if let Some(change) = ctx.contacts.upsert(c) {
                ctx.emit(Event::Contact(change));
            }
        }
        for c in r.mod_chat_room_member_list {
            let name = c.user_name.clone();
            let members = c.member_list.clone();
            let change = if ctx.contacts.get(&name).is_some() {
                ctx.contacts.set_members(&name, members)
            } else {
                ctx.contacts.upsert(c)
            };
            if let Some(change) = change {
                ctx.emit(Event::Contact(change));
            }
        }
        for d in r.del_contact_list {
            if let Some(change) = ctx.contacts.remove(&d.user_name) {
                ctx.emit(Event::Contact(change));
            }
        }
        ctx.state.sync_key.advance(&r.sync_key);
        if !r.sync_check_key.is_empty() {
            ctx.state.sync_check_key.advance(&r.sync_check_key);
        }
        ctx.refresh_skey(&r.skey);
        ctx.emit(Event::SessionChanged);
        if !unknown_groups.is_empty() {
            let items = unknown_groups
                .into_iter()
                .map(|user_name| BatchItem {
                    user_name,
                    encry_chat_room_id: String::new(),
                })
                .collect();
            Startup::fetch_groups(ctx, items);
        }
    }
}

impl super::Client {
    /// Runs `f` on the sync loop with a context and the current phase, then applies the
    /// step it returns.
    pub(crate) fn in_sync_loop(
        &mut self,
        now: crate::time::Now,
        f: impl FnOnce(&mut SyncLoop, &mut Ctx<'_>, &Phase) -> Step,
    ) {
        let step = f(
            &mut self.sync,
            &mut super::ctx::ctx!(self, now),
            &self.phase,
        );
        self.settle(now, step);
    }
}
