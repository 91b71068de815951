//! Configuration of a simulator: the library's [`SimConfig`] and the command
//! line's [`SimArgs`].

use std::net::SocketAddr;

/// How a simulator is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Scan and confirm every pending uuid after `scan_delay_ms`.
    pub auto_scan: bool,
    /// Seed of every generated account, id and ticket.
    pub seed: u64,
    /// Friends and official accounts per generated account.
    pub contacts: usize,
    /// Groups per generated account.
    pub groups: usize,
    /// How long the long-polls (login poll, synccheck) hold before answering "nothing".
    pub hold_ms: u64,
    /// Delay of the auto-scan (and again of its confirm).
    pub scan_delay_ms: u64,
    /// Lifetime of a QR uuid before the poll answers 400.
    pub uuid_ttl_ms: u64,
    /// Home host of generated accounts.
    pub home: String,
    /// Most AddMsgList/ModContactList entries in one webwxsync answer (ContinueFlag beyond).
    pub sync_batch: usize,
    /// Largest request body accepted (413 beyond).
    pub max_body: usize,
    /// Contacts per webwxgetcontact page (Seq paging beyond).
    pub contact_page: usize,
    /// Most bytes of uploads held at once (chunks in progress and uploaded files): a chunk
    /// beyond is refused with Ret 1 and an ErrMsg that says so.
    pub max_upload_memory: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            auto_scan: false,
            seed: 1,
            contacts: 20,
            groups: 3,
            hold_ms: 25_000,
            scan_delay_ms: 300,
            uuid_ttl_ms: 300_000,
            home: "wx.qq.com".to_string(),
            sync_batch: 50,
            max_body: 64 * 1024 * 1024,
            contact_page: 1_000,
            max_upload_memory: 512 * 1024 * 1024,
        }
    }
}

/// Command-line flags of `webwx-sim` / `webwx sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Scan and confirm every QR login automatically.
    #[arg(long)]
    pub auto_scan: bool,
    /// Seed of generated accounts and ids.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Friends and official accounts per account.
    #[arg(long, default_value_t = 20)]
    pub contacts: usize,
    /// Groups per account.
    #[arg(long, default_value_t = 3)]
    pub groups: usize,
    /// Long-poll hold in milliseconds (login poll, synccheck).
    #[arg(long, default_value_t = 25_000)]
    pub hold_ms: u64,
    /// Delay of the auto-scan and of its confirm, in milliseconds.
    #[arg(long, default_value_t = 300)]
    pub scan_delay_ms: u64,
    /// Lifetime of a QR uuid in milliseconds.
    #[arg(long, default_value_t = 300_000)]
    pub uuid_ttl_ms: u64,
    /// Home host of generated accounts (wx.qq.com, wx2.qq.com, wx8.qq.com, web.wechat.com, web2.wechat.com).
    #[arg(long, default_value = "wx.qq.com")]
    pub home: String,
    /// Contacts per webwxgetcontact page.
    #[arg(long, default_value_t = 1_000)]
    pub contact_page: usize,
    /// Most bytes of uploads held in memory at once (chunks in progress and uploaded
    /// files); a chunk beyond is refused.
    #[arg(long, value_name = "BYTES", default_value_t = 512 * 1024 * 1024)]
    pub max_upload_memory: u64,
}

impl From<SimArgs> for SimConfig {
    fn from(a: SimArgs) -> Self {
        SimConfig {
            listen: a.listen,
            auto_scan: a.auto_scan,
            seed: a.seed,
            contacts: a.contacts,
            groups: a.groups,
            hold_ms: a.hold_ms,
            scan_delay_ms: a.scan_delay_ms,
            uuid_ttl_ms: a.uuid_ttl_ms,
            home: a.home,
            contact_page: a.contact_page.max(1),
            max_upload_memory: a.max_upload_memory,
            ..SimConfig::default()
        }
    }
}
