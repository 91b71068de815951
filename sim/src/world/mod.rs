//! The simulated server's state: accounts, QR logins, sessions, media, faults
//! and what clients sent. One `World` per simulator, behind one mutex.

pub(crate) mod account;
pub(crate) mod contacts;
pub(crate) mod faults;
pub(crate) mod generate;
pub(crate) mod inject;
pub(crate) mod login;
pub(crate) mod media;
pub(crate) mod message;
pub(crate) mod session;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use tokio::sync::Notify;

use crate::config::SimConfig;
use crate::control_types::{
    AccountInfo, AccountSpec, ContactEvent, ContactInfo, ControlError, MemberInfo, SentRecord,
    SimState,
};
use crate::hosts;
use crate::prng::SplitMix64;
use account::Account;
use faults::ActiveFault;
use login::{Pending, PendingState, Ticket};
use media::{BlobRef, Upload};
use session::{EventKind, Session, SyncLog};

/// The time as the world sees it. The world never reads a clock: whoever takes its lock
/// hands it the time first ([`World::advance`]), the server the system's
/// (`shared::system_time`), an in-process test a virtual one.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SimTime {
    /// Wall-clock seconds since the epoch (what goes on the wire: `CreateTime`,
    /// cookie dates, `wxloadtime`).
    pub unix: u64,
    /// Monotonic time since an arbitrary origin (uuid and ticket lifetimes, sweeps).
    pub mono: Duration,
}

/// Why a ticket could not be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedeemError {
    /// Unknown, expired or for another uuid.
    BadTicket,
    /// The account may not use the web (1203).
    Refused,
}

/// Everything the simulator knows.
pub(crate) struct World {
    seed: u64,
    default_contacts: usize,
    default_groups: usize,
    default_home: &'static str,
    uuid_ttl: Duration,
    sync_batch: usize,
    contact_page: usize,
    rng: SplitMix64,
    /// Rolls of fault rates and garbage bodies, apart from `rng` so that a fault
    /// changes nothing the server hands out later.
    fault_rng: SplitMix64,
    accounts: HashMap<u64, Account>,
    account_order: Vec<u64>,
    next_index: u64,
    sessions: HashMap<String, Session>,
    by_skey: HashMap<String, String>,
    pending: HashMap<String, Pending>,
    pending_order: VecDeque<String>,
    tickets: HashMap<String, Ticket>,
    prepared: VecDeque<u64>,
    last_sweep: Duration,
    /// The time handed in last ([`World::advance`]).
    now: SimTime,
    faults: Vec<ActiveFault>,
    sent: Vec<SentRecord>,
    media: HashMap<String, BlobRef>,
    msg_media: HashMap<u64, BlobRef>,
    uploads: HashMap<(u64, String), Upload>,
    /// [`SimConfig::max_upload_memory`].
    max_upload_memory: u64,
    counters: BTreeMap<&'static str, u64>,
}

impl World {
    pub(crate) fn new(cfg: &SimConfig) -> Self {
        World {
            seed: cfg.seed,
            default_contacts: cfg.contacts,
            default_groups: cfg.groups,
            default_home: hosts::parse_home(&cfg.home).unwrap_or("wx.qq.com"),
            uuid_ttl: Duration::from_millis(cfg.uuid_ttl_ms),
            sync_batch: cfg.sync_batch.max(1),
            contact_page: cfg.contact_page.max(1),
            rng: SplitMix64::derive(cfg.seed, 0x1D5),
            fault_rng: SplitMix64::derive(cfg.seed, 0xFA17),
            accounts: HashMap::new(),
            account_order: Vec::new(),
            next_index: 0,
            sessions: HashMap::new(),
            by_skey: HashMap::new(),
            pending: HashMap::new(),
            pending_order: VecDeque::new(),
            tickets: HashMap::new(),
            prepared: VecDeque::new(),
            last_sweep: Duration::ZERO,
            now: SimTime::default(),
            faults: Vec::new(),
            sent: Vec::new(),
            media: HashMap::new(),
            msg_media: HashMap::new(),
            uploads: HashMap::new(),
            max_upload_memory: cfg.max_upload_memory,
            counters: BTreeMap::new(),
        }
    }

    /// Moves the world's time to `now` (its monotonic part never goes back). Call before
    /// anything else under the lock.
    pub(crate) fn advance(&mut self, now: SimTime) {
        self.now = SimTime {
            unix: now.unix,
            mono: now.mono.max(self.now.mono),
        };
    }

    /// Messages per webwxsync answer ([`SimConfig::sync_batch`]).
    pub(crate) fn sync_batch(&self) -> usize {
        self.sync_batch
    }

    /// Contacts per webwxgetcontact page ([`SimConfig::contact_page`]).
    pub(crate) fn contact_page(&self) -> usize {
        self.contact_page
    }

    /// The session id of a session's skey.
    pub(crate) fn sid_of_skey(&self, skey: &str) -> Option<String> {
        self.by_skey.get(skey).cloned()
    }

    /// A QR login in progress (or done) by its uuid, as it stands.
    pub(crate) fn pending_login(&self, uuid: &str) -> Option<&Pending> {
        self.pending.get(uuid)
    }

    /// A confirmed login's ticket.
    pub(crate) fn ticket(&self, ticket: &str) -> Option<&Ticket> {
        self.tickets.get(ticket)
    }

    /// Every message a client sent, in order.
    pub(crate) fn sent(&self) -> &[SentRecord] {
        &self.sent
    }

    /// A client's message, accepted as `msg_id`: its account answers a retry (same
    /// ClientMsgId and recipient) with the same id, may revoke it for two minutes, and
    /// `GET /_sim/sent` lists it.
    pub(crate) fn record_send(&mut self, msg_id: u64, record: SentRecord) {
        let now = self.unix_now();
        let acc = self.accounts.get_mut(&record.uin).expect("session account");
        if !record.client_msg_id.is_empty() {
            acc.sent_ids
                .insert((record.client_msg_id.clone(), record.to.clone()), msg_id);
        }
        acc.sent_msgs.insert(msg_id, (record.to.clone(), now));
        self.sent.push(record);
        self.bump("messages_sent");
    }

    /// The faults in force, as they were added.
    pub(crate) fn fault_specs(&self) -> Vec<crate::control_types::FaultSpec> {
        self.faults.iter().map(|f| f.spec.clone()).collect()
    }

    /// Marks the messages `uin` sent with MsgID `msg_id` revoked.
    pub(crate) fn mark_revoked(&mut self, uin: u64, msg_id: &str) {
        for r in self
            .sent
            .iter_mut()
            .filter(|r| r.uin == uin && r.msg_id == msg_id)
        {
            r.revoked = true;
        }
    }

    /// The MediaId of a file `uin` already uploaded with this md5 and size (webwxcheckupload).
    pub(crate) fn uploaded_media(&self, uin: u64, md5: &str, size: u64) -> Option<String> {
        self.media
            .iter()
            .find(|(_, b)| b.uin == uin && b.md5 == md5 && b.bytes.len() as u64 == size)
            .map(|(id, _)| id.clone())
    }

    /// Removes every fault.
    pub(crate) fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// Number of faults in force.
    pub(crate) fn fault_count(&self) -> usize {
        self.faults.len()
    }

    /// An uploaded file by MediaId.
    pub(crate) fn media(&self, media_id: &str) -> Option<&BlobRef> {
        self.media.get(media_id)
    }

    /// Stores an uploaded file of `uin` and returns its new MediaId.
    pub(crate) fn add_media(&mut self, uin: u64, bytes: Vec<u8>, file_name: &str) -> String {
        let blob = self.store_blob(uin, bytes, file_name);
        let media_id = self.new_media_id();
        self.media.insert(media_id.clone(), blob);
        media_id
    }

    /// The media of a message (image, voice, video) by its MsgId.
    pub(crate) fn msg_media(&self, msg_id: u64) -> Option<&BlobRef> {
        self.msg_media.get(&msg_id)
    }

    /// Wall-clock seconds since the epoch, as last handed in.
    pub(crate) fn unix_now(&self) -> u64 {
        self.now.unix
    }

    /// Monotonic time, as last handed in.
    pub(crate) fn mono_now(&self) -> Duration {
        self.now.mono
    }

    /// Adds one to a counter.
    pub(crate) fn bump(&mut self, name: &'static str) {
        *self.counters.entry(name).or_insert(0) += 1;
    }

    /// Adds `n` to a counter.
    pub(crate) fn bump_by(&mut self, name: &'static str, n: u64) {
        *self.counters.entry(name).or_insert(0) += n;
    }

    /// A fresh 19-digit message id.
    pub(crate) fn new_msg_id(&mut self) -> u64 {
        self.rng
            .range(1_000_000_000_000_000_000, 9_200_000_000_000_000_000)
    }

    /// A fresh MediaId (`@crypt_...`).
    pub(crate) fn new_media_id(&mut self) -> String {
        format!("@crypt_{}_{}", self.rng.hex(8), self.rng.hex(256))
    }

    // ---------------------------------------------------------------- QR logins

    /// Hands out a new uuid (jslogin), for a push login of `account` if given;
    /// `desktop` when the client asked for the desktop (UOS) variant.
    pub(crate) fn new_uuid(&mut self, account: Option<u64>, desktop: bool) -> String {
        self.sweep_pending();
        let uuid = loop {
            let u = format!("{}==", self.rng.url_safe(10));
            if !self.pending.contains_key(&u) {
                break u;
            }
        };
        let mut p = Pending::new(self.now.mono);
        p.account = account;
        p.desktop = desktop;
        self.pending.insert(uuid.clone(), p);
        self.pending_order.push_back(uuid.clone());
        self.bump("uuids");
        uuid
    }

    /// Forgets uuids long expired or used (at most every few seconds).
    fn sweep_pending(&mut self) {
        let now = self.now.mono;
        if now.saturating_sub(self.last_sweep) < Duration::from_secs(5) {
            return;
        }
        self.last_sweep = now;
        let keep = self.uuid_ttl * 2 + Duration::from_secs(60);
        while let Some(front) = self.pending_order.front() {
            let old = self
                .pending
                .get(front)
                .is_none_or(|p| now.saturating_sub(p.created) > keep);
            if !old {
                break;
            }
            let u = self.pending_order.pop_front().expect("front exists");
            self.pending.remove(&u);
        }
        let ticket_ttl = Duration::from_secs(600);
        self.tickets
            .retain(|_, t| now.saturating_sub(t.created) < ticket_ttl);
    }

    /// The pending login of `uuid`, marked expired if its time is up.
    pub(crate) fn pending_mut(&mut self, uuid: &str) -> Option<&mut Pending> {
        let (ttl, now) = (self.uuid_ttl, self.now.mono);
        let p = self.pending.get_mut(uuid)?;
        if p.is_open() && now.saturating_sub(p.created) > ttl {
            p.state = PendingState::Expired;
            p.notify.notify_waiters();
        }
        Some(p)
    }

    /// uuids still waiting for the phone, oldest first.
    pub(crate) fn open_uuids(&mut self) -> Vec<String> {
        let order: Vec<String> = self.pending_order.iter().cloned().collect();
        order
            .into_iter()
            .filter(|u| self.pending_mut(u).is_some_and(|p| p.is_open()))
            .collect()
    }

    fn resolve_uuid(&mut self, uuid: Option<&str>) -> Result<String, ControlError> {
        match uuid {
            Some(u) => {
                let p = self
                    .pending_mut(u)
                    .ok_or_else(|| ControlError::NotFound(format!("uuid {u}")))?;
                if !p.is_open() {
                    return Err(ControlError::Invalid(format!(
                        "uuid {u} is no longer waiting for a scan"
                    )));
                }
                Ok(u.to_string())
            }
            None => self
                .open_uuids()
                .into_iter()
                .next()
                .ok_or_else(|| ControlError::NotFound("no pending uuid".into())),
        }
    }

    /// The phone scans `uuid` and, with `confirm`, confirms; `uin` picks an existing account.
    pub(crate) fn scan(
        &mut self,
        uuid: Option<&str>,
        confirm: bool,
        uin: Option<u64>,
    ) -> Result<String, ControlError> {
        if let Some(u) = uin
            && !self.accounts.contains_key(&u)
        {
            return Err(ControlError::UnknownAccount(u));
        }
        let uuid = self.resolve_uuid(uuid)?;
        let now = self.unix_now();
        {
            let p = self.pending_mut(&uuid).expect("resolved");
            if p.state == PendingState::Waiting {
                p.state = PendingState::Scanned;
                p.scan_time = now;
            }
            if uin.is_some() {
                p.account = uin;
            }
            p.notify.notify_waiters();
        }
        self.bump("scans");
        if confirm {
            self.confirm(&uuid)?;
        }
        Ok(uuid)
    }

    /// The phone confirms: the account is chosen and a ticket issued.
    fn confirm(&mut self, uuid: &str) -> Result<(), ControlError> {
        let chosen = self.pending.get(uuid).and_then(|p| p.account);
        let uin = match chosen {
            Some(u) => u,
            None => match self.prepared.pop_front() {
                Some(u) => u,
                None => self.create_account(&AccountSpec::default())?,
            },
        };
        let ticket = format!("{}@qrticket_0", self.rng.alnum(24));
        self.tickets.insert(
            ticket.clone(),
            Ticket {
                uuid: uuid.to_string(),
                uin,
                created: self.now.mono,
                sid: None,
            },
        );
        let unix = self.unix_now();
        let p = self.pending_mut(uuid).expect("exists");
        p.state = PendingState::Confirmed;
        p.account = Some(uin);
        p.ticket = Some(ticket);
        if p.scan_time == 0 {
            p.scan_time = unix;
        }
        p.notify.notify_waiters();
        self.bump("confirms");
        tracing::debug!("phone confirmed a login");
        Ok(())
    }

    /// The phone cancels.
    pub(crate) fn cancel(&mut self, uuid: Option<&str>) -> Result<String, ControlError> {
        let uuid = self.resolve_uuid(uuid)?;
        let p = self.pending_mut(&uuid).expect("resolved");
        p.state = PendingState::Cancelled;
        p.notify.notify_waiters();
        Ok(uuid)
    }

    /// The uuid expires now.
    pub(crate) fn expire(&mut self, uuid: Option<&str>) -> Result<String, ControlError> {
        let uuid = self.resolve_uuid(uuid)?;
        let p = self.pending_mut(&uuid).expect("resolved");
        p.state = PendingState::Expired;
        p.notify.notify_waiters();
        Ok(uuid)
    }

    // ---------------------------------------------------------------- accounts

    /// Creates an account from `spec` (defaults from the configuration).
    pub(crate) fn create_account(&mut self, spec: &AccountSpec) -> Result<u64, ControlError> {
        let home = match &spec.home {
            Some(h) => hosts::parse_home(h)
                .ok_or_else(|| ControlError::Invalid(format!("unknown home {h:?}")))?,
            None => self.default_home,
        };
        let contacts = spec.contacts.unwrap_or(self.default_contacts);
        let groups = spec.groups.unwrap_or(self.default_groups);
        if contacts > 100_000 || groups > 10_000 {
            return Err(ControlError::Invalid("too many contacts or groups".into()));
        }
        let index = self.next_index;
        self.next_index += 1;
        let mut salt = 0;
        let uin = loop {
            let u = generate::uin_for(self.seed, index, salt);
            if !self.accounts.contains_key(&u) {
                break u;
            }
            salt += 1;
        };
        let mut acc = generate::account(
            self.seed,
            index,
            uin,
            home,
            spec.nick_name.as_deref(),
            contacts,
            groups,
        );
        acc.refuse = spec.refuse;
        acc.desktop_only = spec.desktop_only;
        self.accounts.insert(uin, acc);
        self.account_order.push(uin);
        self.bump("accounts");
        Ok(uin)
    }

    /// Prepares the account of the next confirmed scan.
    pub(crate) fn prepare_account(&mut self, spec: AccountSpec) -> Result<u64, ControlError> {
        let uin = self.create_account(&spec)?;
        self.prepared.push_back(uin);
        Ok(uin)
    }

    /// An account by its uin.
    pub(crate) fn account(&self, uin: u64) -> Option<&Account> {
        self.accounts.get(&uin)
    }

    /// The account a control call acts on.
    pub(crate) fn target_account(&self, uin: Option<u64>) -> Result<u64, ControlError> {
        if let Some(u) = uin {
            return if self.accounts.contains_key(&u) {
                Ok(u)
            } else {
                Err(ControlError::UnknownAccount(u))
            };
        }
        let mut live = self
            .account_order
            .iter()
            .filter(|u| self.live_session_of(**u).is_some());
        match (live.next(), live.next()) {
            (Some(u), None) => Ok(*u),
            (None, _) => Err(ControlError::NoAccount),
            _ => Err(ControlError::AmbiguousAccount),
        }
    }

    /// The sid of the account's live session.
    pub(crate) fn live_session_of(&self, uin: u64) -> Option<&str> {
        let sid = self.accounts.get(&uin)?.session.as_deref()?;
        let s = self.sessions.get(sid)?;
        s.ended.is_none().then_some(sid)
    }

    // ---------------------------------------------------------------- sessions

    /// Redeems a login ticket: a new session (or the same one again).
    pub(crate) fn redeem(
        &mut self,
        ticket: &str,
        uuid: &str,
        desktop: bool,
    ) -> Result<String, RedeemError> {
        let t = self
            .tickets
            .get(ticket)
            .cloned()
            .ok_or(RedeemError::BadTicket)?;
        if t.uuid != uuid {
            return Err(RedeemError::BadTicket);
        }
        let acc = self.accounts.get(&t.uin).ok_or(RedeemError::BadTicket)?;
        if acc.refuse || (acc.desktop_only && !desktop) {
            self.bump("refusals");
            return Err(RedeemError::Refused);
        }
        if let Some(sid) = &t.sid
            && self.sessions.get(sid).is_some_and(|s| s.ended.is_none())
        {
            return Ok(sid.clone());
        }
        if t.sid.is_some() {
            return Err(RedeemError::BadTicket);
        }
        let home = acc.home;
        // A new web login ends the previous one ("logged in elsewhere").
        if let Some(old) = acc.session.clone()
            && let Some(s) = self.sessions.get_mut(&old)
        {
            s.end(1101);
        }
        let sid = self.rng.alnum(16);
        let skey = format!("@crypt_{}_{}", self.rng.hex(8), self.rng.hex(32));
        let pass_ticket = loop {
            let raw = self.rng.bytes(32);
            let s = base64::engine::general_purpose::STANDARD.encode(raw);
            if s.contains('+') && s.contains('/') {
                break s;
            }
        };
        let data_ticket = base64::engine::general_purpose::STANDARD.encode(self.rng.bytes(18));
        let auth_ticket = base64::engine::general_purpose::STANDARD.encode(self.rng.bytes(120));
        let uvid = self.rng.hex(96);
        let base = self.rng.range(600_000_000, 700_000_000);
        let session = Session {
            sid: sid.clone(),
            skey: skey.clone(),
            pass_ticket,
            uin: t.uin,
            data_ticket,
            auth_ticket,
            uvid,
            login_time: self.unix_now(),
            ended: None,
            sync: SyncLog::new(base),
            notify: Arc::new(Notify::new()),
            inited: false,
            sync_conv_sent: false,
            home,
        };
        self.sessions.insert(sid.clone(), session);
        self.by_skey.insert(skey, sid.clone());
        if let Some(acc) = self.accounts.get_mut(&t.uin) {
            acc.session = Some(sid.clone());
        }
        if let Some(tk) = self.tickets.get_mut(ticket) {
            tk.sid = Some(sid.clone());
        }
        self.bump("logins");
        tracing::info!(home, "session started");
        Ok(sid)
    }

    /// Appends an event to the account's live session; false if none.
    pub(crate) fn push_event(&mut self, uin: u64, kind: EventKind) -> bool {
        let Some(sid) = self.live_session_of(uin).map(str::to_string) else {
            return false;
        };
        let s = self.sessions.get_mut(&sid).expect("live");
        s.sync.push(kind);
        s.notify.notify_waiters();
        true
    }

    /// The phone ends the account's session.
    pub(crate) fn remote_logout(
        &mut self,
        uin: Option<u64>,
        retcode: i64,
    ) -> Result<u64, ControlError> {
        let uin = self.target_account(uin)?;
        let sid = self
            .live_session_of(uin)
            .map(str::to_string)
            .ok_or(ControlError::NoAccount)?;
        let code = if retcode == 0 { 1101 } else { retcode };
        if let Some(s) = self.sessions.get_mut(&sid) {
            s.end(code);
        }
        self.bump("remote_logouts");
        Ok(uin)
    }

    // ---------------------------------------------------------------- reports

    /// `GET /_sim/state`.
    pub(crate) fn state_info(&mut self) -> SimState {
        let pending_uuids = self.open_uuids();
        let accounts = self
            .account_order
            .iter()
            .map(|u| {
                let a = &self.accounts[u];
                AccountInfo {
                    uin: a.uin,
                    user_name: a.me.user_name.clone(),
                    nick_name: a.me.nick_name.clone(),
                    home: a.home.to_string(),
                    logged_in: self.live_session_of(*u).is_some(),
                    refuse: a.refuse,
                    contacts: a.contacts.len(),
                }
            })
            .collect();
        let mut counters: BTreeMap<String, u64> = [
            "requests",
            "faults_fired",
            "messages_injected",
            "messages_delivered",
            "messages_sent",
            "logins",
            "uploads",
        ]
        .iter()
        .map(|k| (k.to_string(), 0))
        .collect();
        for (k, v) in &self.counters {
            counters.insert(k.to_string(), *v);
        }
        let live = self.sessions.values().filter(|s| s.ended.is_none()).count();
        counters.insert("sessions_live".into(), live as u64);
        counters.insert("pending_uuids".into(), pending_uuids.len() as u64);
        SimState {
            accounts,
            pending_uuids,
            counters,
        }
    }

    /// `GET /_sim/contacts`.
    pub(crate) fn contacts_info(&self, uin: Option<u64>) -> Result<Vec<ContactInfo>, ControlError> {
        let uin = self.target_account(uin)?;
        let acc = &self.accounts[&uin];
        Ok(acc
            .contacts
            .iter()
            .map(|c| ContactInfo {
                user_name: c.user_name.clone(),
                nick_name: c.nick_name.clone(),
                kind: c.kind.as_str().to_string(),
                remark_name: c.remark_name.clone(),
                pinned: c.pinned(),
                members: c.group.as_ref().map(|g| {
                    g.members
                        .iter()
                        .map(|m| MemberInfo {
                            user_name: m.user_name.clone(),
                            nick_name: m.nick_name.clone(),
                            display_name: m.display_name.clone(),
                        })
                        .collect()
                }),
            })
            .collect())
    }

    /// `POST /_sim/contacts`: a contact appears, changes or disappears.
    pub(crate) fn contact_event(&mut self, ev: ContactEvent) -> Result<String, ControlError> {
        let uin = self.target_account(ev.uin)?;
        match ev.op.as_str() {
            "add" => {
                let nick = ev.nick_name.clone().unwrap_or_else(|| "新朋友".to_string());
                let user_name = format!("@{}", self.rng.hex(64));
                let mut c = generate::new_friend(&mut self.rng, user_name.clone(), &nick);
                c.sex = 1;
                let acc = self.accounts.get_mut(&uin).expect("target");
                acc.put_contact(c);
                self.push_event(uin, EventKind::AddContact(user_name.clone()));
                Ok(user_name)
            }
            "mod" | "del" => {
                let name = ev
                    .user_name
                    .clone()
                    .ok_or_else(|| ControlError::required("user_name"))?;
                let acc = self.accounts.get_mut(&uin).expect("target");
                let un = acc
                    .find_contact(&name)
                    .map(|c| c.user_name.clone())
                    .ok_or_else(|| ControlError::NotFound(format!("contact {name}")))?;
                if ev.op == "del" {
                    acc.remove_contact(&un);
                    self.push_event(uin, EventKind::DelContact(un.clone()));
                } else {
                    let c = acc.contact_mut(&un).expect("found");
                    if let Some(n) = &ev.nick_name {
                        c.nick_name = n.clone();
                    }
                    if let Some(r) = &ev.remark_name {
                        c.remark_name = r.clone();
                    }
                    self.push_event(uin, EventKind::ModContact(un.clone()));
                }
                Ok(un)
            }
            "profile" => {
                let nick = ev
                    .nick_name
                    .clone()
                    .ok_or_else(|| ControlError::required("nick_name"))?;
                let acc = self.accounts.get_mut(&uin).expect("target");
                acc.me.nick_name = nick.clone();
                let me = acc.me.user_name.clone();
                for c in acc.contacts.iter_mut() {
                    if let Some(g) = c.group.as_mut() {
                        for m in g.members.iter_mut().filter(|m| m.user_name == me) {
                            m.nick_name = nick.clone();
                        }
                    }
                }
                self.push_event(uin, EventKind::Profile);
                Ok(me)
            }
            "join" | "leave" => {
                let gname = ev
                    .group
                    .clone()
                    .ok_or_else(|| ControlError::required("group"))?;
                let acc = self.accounts.get(&uin).expect("target");
                let room = acc
                    .find_contact(&gname)
                    .filter(|c| c.is_group())
                    .map(|c| c.user_name.clone())
                    .ok_or_else(|| ControlError::NotFound(format!("group {gname}")))?;
                let member = if ev.op == "join" {
                    let nick = ev.nick_name.clone().unwrap_or_else(|| "新成员".into());
                    let m = generate::stranger(&mut self.rng, Some(&nick));
                    let acc = self.accounts.get_mut(&uin).expect("target");
                    let (my_un, my_nick) = (acc.me.user_name.clone(), acc.me.nick_name.clone());
                    let g = acc
                        .contact_mut(&room)
                        .and_then(|c| c.group.as_mut())
                        .expect("group");
                    let inviter = g
                        .members
                        .iter()
                        .find(|x| x.user_name != my_un)
                        .map_or(my_nick, |x| x.nick_name.clone());
                    g.members.push(m.clone());
                    self.push_event(uin, EventKind::ModMembers(room.clone()));
                    self.system_message(
                        uin,
                        &room,
                        &format!("\"{inviter}\"邀请\"{nick}\"加入了群聊"),
                    );
                    m.user_name
                } else {
                    let who = ev
                        .user_name
                        .clone()
                        .or_else(|| ev.nick_name.clone())
                        .ok_or_else(|| ControlError::required("user_name"))?;
                    let acc = self.accounts.get_mut(&uin).expect("target");
                    let me = acc.me.user_name.clone();
                    let g = acc
                        .contact_mut(&room)
                        .and_then(|c| c.group.as_mut())
                        .expect("group");
                    let i = g
                        .members
                        .iter()
                        .position(|m| {
                            m.user_name != me && (m.user_name == who || m.nick_name == who)
                        })
                        .ok_or_else(|| ControlError::NotFound(format!("member {who}")))?;
                    let m = g.members.remove(i);
                    self.push_event(uin, EventKind::ModMembers(room.clone()));
                    m.user_name
                };
                Ok(member)
            }
            other => Err(ControlError::Invalid(format!(
                "\"op\" must be add, mod, del, join, leave or profile, not {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    fn at(unix: u64, mono_ms: u64) -> SimTime {
        SimTime {
            unix,
            mono: Duration::from_millis(mono_ms),
        }
    }

    #[test]
    fn uuids_expire_on_the_worlds_monotonic_time_not_the_wall_clock() {
        let cfg = SimConfig {
            uuid_ttl_ms: 1_000,
            ..SimConfig::default()
        };
        let mut w = World::new(&cfg);
        w.advance(at(1_700_000_000, 0));
        let uuid = w.new_uuid(None, false);
        // The wall clock jumps a day ahead, the monotonic clock 999 ms: still open.
        w.advance(at(1_700_086_400, 999));
        assert!(w.pending_mut(&uuid).unwrap().is_open());
        // The wall clock steps back an hour, the monotonic clock past the ttl: expired.
        w.advance(at(1_699_996_400, 1_001));
        assert!(!w.pending_mut(&uuid).unwrap().is_open());
        assert_eq!(
            w.unix_now(),
            1_699_996_400,
            "wire times follow the wall clock"
        );
        // The monotonic clock never goes back, whatever is handed in.
        w.advance(at(1_700_000_000, 5));
        assert_eq!(w.mono_now(), Duration::from_millis(1_001));
    }
}
