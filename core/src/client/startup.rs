//! After login: webwxinit, statusnotify, the address book (getcontact pages, then group
//! members with batchgetcontact), then the sync loop.

use super::{Client, Event, Failure, Inflight, Pending, Phase};
use crate::endpoint::batchgetcontact::{self, BATCH, BatchItem};
use crate::endpoint::{getcontact, init, statusnotify};
use crate::error::ResponseError;
use crate::time::Now;
use http::Response;

/// Hard cap on getcontact pages (the server's `Seq` must reach 0 long before).
pub(crate) const MAX_CONTACT_PAGES: u32 = 1000;

impl Client {
    pub(crate) fn send_init(&mut self, now: Now) {
        let Some(req) = self.session_ctx(now).map(|ctx| init::build(&ctx)) else {
            return;
        };
        let t = self.cfg.request_timeout;
        self.dispatch(now, Pending::Init, init::NAME, req, t);
    }

    pub(crate) fn send_getcontact(&mut self, now: Now, seq: u64, page: u32) {
        let Some(req) = self
            .session_ctx(now)
            .map(|ctx| getcontact::build(&ctx, seq))
        else {
            return;
        };
        let t = self.cfg.request_timeout;
        self.dispatch(
            now,
            Pending::GetContact { seq, page },
            getcontact::NAME,
            req,
            t,
        );
    }

    /// Fetches `items` in batches of 50, one batch in flight at a time. `fetch` marks the
    /// startup fetch (which ends in `ContactsLoaded`) as opposed to a background one.
    pub(crate) fn send_batch(&mut self, now: Now, mut items: Vec<BatchItem>, fetch: bool) {
        if items.is_empty() {
            if fetch {
                self.contacts_loaded(now);
            }
            return;
        }
        let rest = items.split_off(items.len().min(BATCH));
        let Some(req) = self
            .session_ctx(now)
            .map(|ctx| batchgetcontact::build(&ctx, &items))
        else {
            return;
        };
        let t = self.cfg.request_timeout;
        self.dispatch(
            now,
            Pending::BatchGetContact { rest, fetch },
            batchgetcontact::NAME,
            req,
            t,
        );
    }

    fn contacts_loaded(&mut self, now: Now) {
        self.emit(Event::ContactsLoaded(self.contacts.summary()));
        if self.sync_loop {
            self.phase = Phase::Running;
            self.emit(Event::Ready);
            self.start_sync_loop(now);
            self.schedule_heartbeat(now);
        } else {
            self.phase = Phase::CommandsOnly;
            self.emit(Event::Ready);
        }
    }

    pub(crate) fn on_startup_response(
        &mut self,
        now: Now,
        inflight: Inflight,
        resp: Response<Vec<u8>>,
    ) {
        if !matches!(
            self.phase,
            Phase::Starting | Phase::Running | Phase::CommandsOnly
        ) {
            return;
        }
        match &inflight.pending {
            Pending::Init => match init::parse(&resp) {
                Ok(r) => {
                    let me = r.user.clone();
                    self.contacts.set_me(&me.user_name);
                    self.refresh_skey(&r.skey);
                    if r.invite_start_count > 0 {
                        self.invite_start_count =
                            usize::try_from(r.invite_start_count).unwrap_or(usize::MAX);
                    }
                    self.state.sync_key.advance(&r.sync_key);
                    if self.state.sync_check_key.is_empty() {
                        self.state.sync_check_key = self.state.sync_key.clone();
                    }
                    self.state.me = Some(me.clone());
                    self.contacts.upsert(me.clone());
                    for c in r.contact_list {
                        self.contacts.upsert(c);
                    }
                    self.emit(Event::SessionChanged);
                    self.emit(Event::LoggedIn {
                        user_name: me.user_name.clone(),
                        nick_name: crate::message::normalize_text(&me.nick_name),
                    });
                    if self.cfg.notify_inited
                        && let Some(req) = self.session_ctx(now).map(|ctx| {
                            statusnotify::build(&ctx, statusnotify::CODE_INITED, &me.user_name)
                        })
                    {
                        let t = self.cfg.request_timeout;
                        self.dispatch(now, Pending::StatusNotify, statusnotify::NAME, req, t);
                    }
                    self.send_getcontact(now, 0, 0);
                }
                Err(e) => self.startup_failed(now, inflight, e),
            },
            Pending::StatusNotify => {
                if let Err(e) = statusnotify::parse(&resp) {
                    tracing::debug!(error = %e, "statusnotify refused (ignored)");
                }
            }
            Pending::GetContact { seq, page } => {
                let (seq, page) = (*seq, *page);
                match getcontact::parse(&resp) {
                    Ok(p) => {
                        for c in p.member_list {
                            self.contacts.upsert(c);
                        }
                        if p.seq != 0 && p.seq != seq && page + 1 < MAX_CONTACT_PAGES {
                            self.send_getcontact(now, p.seq, page + 1);
                        } else {
                            let items = self
                                .contacts
                                .groups_without_members()
                                .into_iter()
                                .map(|(user_name, _)| BatchItem {
                                    user_name,
                                    encry_chat_room_id: String::new(),
                                })
                                .collect();
                            self.send_batch(now, items, true);
                        }
                    }
                    Err(e) => self.startup_failed(now, inflight, e),
                }
            }
            Pending::BatchGetContact { rest, fetch } => {
                let fetch = *fetch;
                match batchgetcontact::parse(&resp) {
                    Ok(b) => {
                        let in_loop = self.phase == Phase::Running;
                        for c in b.contact_list {
                            let change = self.contacts.upsert(c);
                            if in_loop && let Some(change) = change {
                                self.emit(Event::Contact(change));
                            }
                        }
                        let Pending::BatchGetContact { rest, .. } = inflight.pending else {
                            unreachable!()
                        };
                        self.send_batch(now, rest, fetch);
                    }
                    Err(e) => {
                        if fetch && self.phase == Phase::Starting {
                            // Member lists are a nicety: carry on without this batch.
                            tracing::warn!(error = %e, "batchgetcontact failed; members unknown for this batch");
                            let rest = rest.clone();
                            self.send_batch(now, rest, fetch);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// A startup request out of retries: statusnotify is best effort and member lists
    /// a nicety (carry on without the batch, as when its answer is refused or unreadable;
    /// the sync loop will notice a dead session); init and the contacts are needed.
    pub(crate) fn on_startup_failure(
        &mut self,
        now: Now,
        pending: Pending,
        endpoint: &str,
        failure: Failure,
    ) {
        match pending {
            Pending::StatusNotify => {}
            Pending::BatchGetContact { rest, fetch } => {
                tracing::warn!(%failure, "batchgetcontact failed; members unknown for this batch");
                if fetch && self.phase == Phase::Starting {
                    self.send_batch(now, rest, true);
                }
            }
            _ => self.die(failure.into_reason(endpoint)),
        }
    }

    fn startup_failed(&mut self, now: Now, inflight: Inflight, e: ResponseError) {
        if let Some(ret) = e.ret().filter(|r| r.is_session_end()) {
            self.session_over(now, ret);
            return;
        }
        self.retry_or_fail(now, inflight, Failure::Response(e));
    }
}
