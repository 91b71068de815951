//! After login: webwxinit, statusnotify, the address book (getcontact pages, then group
//! members with batchgetcontact), then the sync loop.

use super::ctx::{Ctx, Step, ctx};
use super::{Client, Event, Failure, Inflight, Pending, Phase};
use crate::endpoint::batchgetcontact::{self, BATCH, BatchItem};
use crate::endpoint::{getcontact, init, statusnotify};
use crate::error::ResponseError;
use crate::time::Now;
use http::Response;

/// Hard cap on getcontact pages (the server's `Seq` must reach 0 long before).
pub(crate) const MAX_CONTACT_PAGES: u32 = 1000;

/// The startup phase: what it alone writes. The client hands it a [`Ctx`] and the
/// phase the session is in (to read); it returns a [`Step`] (`Ready` once the contacts
/// are loaded) for what only the client may do.
#[derive(Debug)]
pub(crate) struct Startup {
    /// Group size from which `invitemember` replaces `addmember` (webwxinit's
    /// `InviteStartCount`; the official client's 40 until init says otherwise). Commands
    /// read it.
    pub(crate) invite_start_count: usize,
}

impl Default for Startup {
    fn default() -> Startup {
        Startup {
            invite_start_count: crate::endpoint::updatechatroom::INVITE_START_COUNT,
        }
    }
}

impl Client {
    /// Runs `f` on the startup phase with a context and the current phase, then applies
    /// the step it returns.
    pub(crate) fn in_startup(
        &mut self,
        now: Now,
        f: impl FnOnce(&mut Startup, &mut Ctx<'_>, &Phase) -> Step,
    ) {
        let step = f(&mut self.startup, &mut ctx!(self, now), &self.phase);
        self.settle(now, step);
    }

    /// The contacts are loaded: the session is ready, with or without the sync loop.
    pub(crate) fn ready(&mut self, now: Now) {
        if self.phase != Phase::Starting {
            return;
        }
        if self.sync.enabled {
            self.phase = Phase::Running;
            self.emit(Event::Ready);
            self.in_sync_loop(now, |sync, ctx, phase| sync.start(ctx, phase));
            self.in_ctx(now, super::queue::schedule_heartbeat);
        } else {
            self.phase = Phase::CommandsOnly;
            self.emit(Event::Ready);
        }
    }
}

impl Startup {
    pub(crate) fn send_init(ctx: &mut Ctx<'_>) {
        let Some(req) = ctx.session_ctx().map(|s| init::build(&s)) else {
            return;
        };
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(Pending::Init, init::NAME, req, t);
    }

    pub(crate) fn send_getcontact(ctx: &mut Ctx<'_>, seq: u64, page: u32) {
        let Some(req) = ctx.session_ctx().map(|s| getcontact::build(&s, seq)) else {
            return;
        };
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(Pending::GetContact { seq, page }, getcontact::NAME, req, t);
    }

    /// Fetches `items` in batches of 50, one batch in flight at a time. `fetch` marks the
    /// startup fetch (which ends in `ContactsLoaded`, then `Ready`) as opposed to a
    /// background one (the sync loop's unknown groups).
    pub(crate) fn send_batch(ctx: &mut Ctx<'_>, mut items: Vec<BatchItem>, fetch: bool) -> Step {
        if items.is_empty() {
            if fetch {
                ctx.emit(Event::ContactsLoaded(ctx.contacts.summary()));
                return Step::Ready;
            }
            return Step::Stay;
        }
        let rest = items.split_off(items.len().min(BATCH));
        let Some(req) = ctx
            .session_ctx()
            .map(|s| batchgetcontact::build(&s, &items))
        else {
            return Step::Stay;
        };
        let t = ctx.cfg.request_timeout;
        ctx.dispatch(
            Pending::BatchGetContact { rest, fetch },
            batchgetcontact::NAME,
            req,
            t,
        );
        Step::Stay
    }

    /// Fetches the members of groups the sync loop came across: a background fetch,
    /// which never ends startup.
    pub(crate) fn fetch_groups(ctx: &mut Ctx<'_>, items: Vec<BatchItem>) {
        let step = Self::send_batch(ctx, items, false);
        debug_assert!(
            matches!(step, Step::Stay),
            "a background fetch returns no step"
        );
    }

    /// The answer to a startup request (the client routes it here while logged in).
    pub(crate) fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) -> Step {
        match &inflight.pending {
            Pending::Init => match init::parse(&resp) {
                Ok(r) => {
                    let me = r.user.clone();
                    ctx.contacts.set_me(&me.user_name);
                    ctx.refresh_skey(&r.skey);
                    if r.invite_start_count > 0 {
                        self.invite_start_count =
                            usize::try_from(r.invite_start_count).unwrap_or(usize::MAX);
                    }
                    ctx.state.sync_key.advance(&r.sync_key);
                    if ctx.state.sync_check_key.is_empty() {
                        ctx.state.sync_check_key = ctx.state.sync_key.clone();
                    }
                    ctx.state.me = Some(me.clone());
                    ctx.contacts.upsert(me.clone());
                    for c in r.contact_list {
                        ctx.contacts.upsert(c);
                    }
                    ctx.emit(Event::SessionChanged);
                    ctx.emit(Event::LoggedIn {
                        user_name: me.user_name.clone(),
                        nick_name: crate::message::normalize_text(&me.nick_name),
                    });
                    if ctx.cfg.notify_inited
                        && let Some(req) = ctx.session_ctx().map(|s| {
                            statusnotify::build(&s, statusnotify::CODE_INITED, &me.user_name)
                        })
                    {
                        let t = ctx.cfg.request_timeout;
                        ctx.dispatch(Pending::StatusNotify, statusnotify::NAME, req, t);
                    }
                    Self::send_getcontact(ctx, 0, 0);
                    Step::Stay
                }
                Err(e) => Self::failed(inflight, e),
            },
            Pending::StatusNotify => {
                if let Err(e) = statusnotify::parse(&resp) {
                    tracing::debug!(error = %e, "statusnotify refused (ignored)");
                }
                Step::Stay
            }
            Pending::GetContact { seq, page } => {
                let (seq, page) = (*seq, *page);
                match getcontact::parse(&resp) {
                    Ok(p) => {
                        for c in p.member_list {
                            ctx.contacts.upsert(c);
                        }
                        if p.seq != 0 && p.seq != seq && page + 1 < MAX_CONTACT_PAGES {
                            Self::send_getcontact(ctx, p.seq, page + 1);
                            Step::Stay
                        } else {
                            let items = ctx
                                .contacts
                                .groups_without_members()
                                .into_iter()
                                .map(|(user_name, _)| BatchItem {
                                    user_name,
                                    encry_chat_room_id: String::new(),
                                })
                                .collect();
                            Self::send_batch(ctx, items, true)
                        }
                    }
                    Err(e) => Self::failed(inflight, e),
                }
            }
            Pending::BatchGetContact { rest, fetch } => {
                let fetch = *fetch;
                match batchgetcontact::parse(&resp) {
                    Ok(b) => {
                        let in_loop = *phase == Phase::Running;
                        for c in b.contact_list {
                            let change = ctx.contacts.upsert(c);
                            if in_loop && let Some(change) = change {
                                ctx.emit(Event::Contact(change));
                            }
                        }
                        let Pending::BatchGetContact { rest, .. } = inflight.pending else {
                            unreachable!()
                        };
                        Self::send_batch(ctx, rest, fetch)
                    }
                    Err(e) => {
                        if fetch && *phase == Phase::Starting {
                            // Member lists are a nicety: carry on without this batch.
                            tracing::warn!(error = %e, "batchgetcontact failed; members unknown for this batch");
                            let rest = rest.clone();
                            return Self::send_batch(ctx, rest, fetch);
                        }
                        Step::Stay
                    }
                }
            }
            _ => Step::Stay,
        }
    }

    /// A startup request out of retries: statusnotify is best effort and member lists
    /// a nicety (carry on without the batch, as when its answer is refused or unreadable;
    /// the sync loop will notice a dead session); init and the contacts are needed.
    pub(crate) fn on_failure(
        &mut self,
        ctx: &mut Ctx<'_>,
        phase: &Phase,
        pending: Pending,
        endpoint: &str,
        failure: Failure,
    ) -> Step {
        match pending {
            Pending::StatusNotify => Step::Stay,
            Pending::BatchGetContact { rest, fetch } => {
                tracing::warn!(%failure, "batchgetcontact failed; members unknown for this batch");
                if fetch && *phase == Phase::Starting {
                    return Self::send_batch(ctx, rest, true);
                }
                Step::Stay
            }
            _ => Step::End(failure.into_reason(endpoint)),
        }
    }

    /// An answer refused or unreadable: a session-ending Ret ends (or re-logs) the
    /// session, anything else goes through the retry policy.
    fn failed(inflight: Inflight, e: ResponseError) -> Step {
        if let Some(ret) = e.ret().filter(|r| r.is_session_end()) {
            return Step::SessionOver(ret);
        }
        Step::Retry(inflight, Failure::Response(e))
    }
}
