//! The command line: every subcommand and flag of `webwx`.
//!
//! The flags of DESIGN.md ("The command line (webwx)") are a contract: never rename or
//! drop one; adding is fine. The flags marked "for tests" exist so that the integration
//! tests can run a command against a simulator in bounded time.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// webwx — the WeChat Web (wx.qq.com) personal-account protocol from the command line.
#[derive(Debug, Parser)]
#[command(name = "webwx", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More logs on stderr: -v info, -vv debug, -vvv trace. Secrets are never logged.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A whole session against an embedded simulator: no setup, finishes in seconds.
    Demo(DemoArgs),
    /// Log in (QR code in the terminal, or a saved session) and print events as they come.
    Login(LoginArgs),
    /// Send one text or file from a saved session (never touches the sync loop).
    Send(SendArgs),
    /// List the saved session's contacts (by kind, by a search).
    Contacts(ContactsArgs),
    /// Create a group, add or remove members, rename it (on a saved session).
    Group(GroupArgs),
    /// Accept a friend request, ask someone to be a friend, set a remark name.
    Friend(FriendArgs),
    /// Revoke a message this account sent (within 2 minutes of sending).
    Revoke(RevokeArgs),
    /// Parse a captured response and print the typed result as one JSON document.
    Decode(DecodeArgs),
    /// Run the WeChat Web simulator.
    Sim(webwx_sim::SimArgs),
    /// Run the browser relay (the hosts of the domain table only; loopback by default).
    Relay(RelayArgs),
    /// Run the gateway: many accounts over HTTP (REST, SSE, WebSocket, webhooks), durable
    /// in an embedded SQLite file.
    Serve(ServeArgs),
}

/// `webwx demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the simulator's world and of the client's PRNG.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the downloaded media is written (default: a fresh temporary directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also save the session to FILE (mode 0600) after every change until the demo logs
    /// out, as `webwx login --session` does: a look at what a saved session holds.
    #[arg(long, value_name = "FILE")]
    pub session: Option<std::path::PathBuf>,
}

/// `webwx login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Session file: reused when it exists (resume, then push login, then QR), written
    /// (mode 0600) after every change.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Log in as the desktop (UOS) client: for accounts whose web login is refused (1203).
    #[arg(long)]
    pub desktop: bool,
    /// Answer every private text with the same text.
    #[arg(long)]
    pub echo: bool,
    /// Print events as JSON lines instead of the human form.
    #[arg(long)]
    pub json: bool,
    /// Read JSON commands on stdin, one per line, and answer each on stdout beside the
    /// events: `{"answer": id, "result": {..}}` or `{"answer": id, "error": {..}}`
    /// (needs --json). Commands before `ready` wait for it; `{"cmd": "logout"}` logs out.
    #[arg(long, requires = "json")]
    pub commands: bool,
    /// Send every request to this origin in the relay form (a simulator or `webwx relay`).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// Allow an `http://` --origin beyond the loopback interface (it would carry skey,
    /// sid, pass_ticket and the cookies in clear over the network).
    #[arg(long)]
    pub insecure_origin: bool,
    /// Where the QR code's PNG is written (default: qr.png in a new private directory
    /// under the system's temporary directory).
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,
    /// The content host before login (wx.qq.com, wx2.qq.com, web.wechat.com, ...).
    #[arg(long, value_name = "HOST")]
    pub home: Option<String>,
    /// PRNG seed of a new session (default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Log out of the server when exiting through --exit-after-login, --max-messages or
    /// --timeout (default: stop and keep the saved session valid).
    #[arg(long)]
    pub logout: bool,
    /// Exit once logged in and ready (for tests and scripts).
    #[arg(long)]
    pub exit_after_login: bool,
    /// Exit after this many incoming messages (for tests and scripts).
    #[arg(long, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Give up after this many seconds (exit 1).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Client-side timeout of the long-polls in milliseconds (for simulators with short holds).
    #[arg(long, value_name = "MS")]
    pub long_poll_ms: Option<u64>,
    /// Save every incoming image, voice, video and file in DIR (created if missing), under
    /// a safe name, never overwriting (`name (1).ext`...); each saved path is printed.
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// Pacing.
    #[command(flatten)]
    pub pacing: PacingArgs,
    /// How many received messages to keep for `forward`, `download` and `accept_friend`
    /// by `msg_id` (default: 512; the newest are kept).
    #[arg(long, value_name = "N")]
    pub recent_messages: Option<usize>,
    /// How many bytes the kept messages may take (default: 1048576, 1 MiB — one session
    /// keeps more than the library's default of 8 KiB, sized for hosts of thousands).
    #[arg(long, value_name = "BYTES")]
    pub recent_bytes: Option<usize>,
}

/// How sends are paced against Ret 1205 (`login`, `send` and the one-shot commands).
/// The defaults (8 at once, then one every 2 s; media 3, then one every 10 s; friend and
/// group operations 2, then one a minute; a second between two sends to one chat) keep
/// an account well clear of the ~60 fast texts or ~20 fast images that trigger 1205.
#[derive(Debug, Args, Clone, Default)]
pub struct PacingArgs {
    /// Send at once, without pacing (a 1205 is then retried like any failure).
    #[arg(long)]
    pub no_pacing: bool,
    /// Sends that may go at once (the session's burst).
    #[arg(long, value_name = "N")]
    pub pace_burst: Option<u32>,
    /// Then one every this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub pace_every_ms: Option<u64>,
    /// The least time between two sends to one chat, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub pace_chat_gap_ms: Option<u64>,
}

/// What every command on a saved session takes (`send` and the one-shot commands).
#[derive(Debug, Args, Clone)]
pub struct SavedSessionArgs {
    /// The saved session (written by `webwx login --session`).
    #[arg(long, value_name = "FILE")]
    pub session: PathBuf,
    /// Send every request to this origin in the relay form (a simulator or `webwx relay`).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// Allow an `http://` --origin beyond the loopback interface (it would carry skey,
    /// sid, pass_ticket and the cookies in clear over the network).
    #[arg(long)]
    pub insecure_origin: bool,
    /// Give up after this many seconds (exit 1).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Pacing.
    #[command(flatten)]
    pub pacing: PacingArgs,
}

/// What every one-shot command on a saved session takes.
#[derive(Debug, Args, Clone)]
pub struct OneShotArgs {
    /// The saved session and how to reach the server.
    #[command(flatten)]
    pub saved: SavedSessionArgs,
    /// Print the answer as one JSON object (`{"answer": null, "result": ..}` or
    /// `{"answer": null, "error": ..}`).
    #[arg(long)]
    pub json: bool,
}

/// `webwx contacts`.
#[derive(Debug, Args)]
pub struct ContactsArgs {
    /// The session and output.
    #[command(flatten)]
    pub common: OneShotArgs,
    /// Only this kind: friend, group, official, special (the file helper too), myself.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only contacts whose UserName is TEXT, or whose nick name, remark name or alias
    /// contains it (case-insensitively).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// List each group's members too.
    #[arg(long)]
    pub members: bool,
}

/// `webwx group`.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: GroupAction,
}

/// `webwx group ACTION`.
#[derive(Debug, Subcommand)]
pub enum GroupAction {
    /// Create a group named --topic with the friends --member (two at least).
    Create {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// The group's name.
        #[arg(long, value_name = "NAME")]
        topic: String,
        /// A friend to put in it (UserName, remark or nick name); repeat.
        #[arg(long = "member", value_name = "NAME", required = true)]
        members: Vec<String>,
    },
    /// Add --member (or, in big groups, invite) to --group.
    Add {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// The group (UserName or name).
        #[arg(long, value_name = "NAME")]
        group: String,
        /// Who (repeat).
        #[arg(long = "member", value_name = "NAME", required = true)]
        members: Vec<String>,
    },
    /// Remove --member from --group (the owner only).
    Remove {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// The group (UserName or name).
        #[arg(long, value_name = "NAME")]
        group: String,
        /// Who (repeat).
        #[arg(long = "member", value_name = "NAME", required = true)]
        members: Vec<String>,
    },
    /// Rename --group to --topic.
    Rename {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// The group (UserName or name).
        #[arg(long, value_name = "NAME")]
        group: String,
        /// The new name.
        #[arg(long, value_name = "NAME")]
        topic: String,
    },
}

/// `webwx friend`.
#[derive(Debug, Args)]
pub struct FriendArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: FriendAction,
}

/// `webwx friend ACTION`.
#[derive(Debug, Subcommand)]
pub enum FriendAction {
    /// Accept the friend request of --user with its --ticket (both in the request's
    /// message: `kind.contact.user_name` and `kind.contact.ticket` in `login --json`).
    Accept {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// The requester's UserName.
        #[arg(long, value_name = "USERNAME")]
        user: String,
        /// The request's ticket.
        #[arg(long, value_name = "TICKET")]
        ticket: String,
    },
    /// Ask --user (a group member, say) to be a friend.
    Add {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// Their UserName.
        #[arg(long, value_name = "USERNAME")]
        user: String,
        /// The greeting.
        #[arg(long, value_name = "TEXT", default_value = "")]
        greeting: String,
    },
    /// Set the remark name of --user (empty clears it).
    Remark {
        /// The session and output.
        #[command(flatten)]
        common: OneShotArgs,
        /// The contact (UserName, remark or nick name).
        #[arg(long, value_name = "NAME")]
        user: String,
        /// The remark name.
        #[arg(long, value_name = "NAME")]
        remark: String,
    },
}

/// `webwx revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The session and output.
    #[command(flatten)]
    pub common: OneShotArgs,
    /// The chat the message went to (UserName, remark or nick name).
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// Its MsgID (what `webwx send` printed). Its ClientMsgId comes from the saved
    /// session, which remembers this account's last 256 sends.
    #[arg(long, value_name = "ID")]
    pub msg_id: String,
}

/// `webwx send`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["text", "file"])))]
pub struct SendArgs {
    /// The saved session and how to reach the server.
    #[command(flatten)]
    pub saved: SavedSessionArgs,
    /// Recipient: a UserName, a remark name or a nick name.
    #[arg(long, value_name = "NAME|ID")]
    pub to: String,
    /// Send this text.
    #[arg(long, value_name = "T")]
    pub text: Option<String>,
    /// Send this file (images and videos as such, anything else as a file).
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `webwx decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// What FILE holds: the answer of which endpoint (or one AddMsgList entry: `message`).
    #[arg(value_enum)]
    pub kind: DecodeKind,
    /// A bare body, or a raw HTTP response (status line, headers, blank line, body);
    /// `# comment` lines before it are skipped. `-` reads standard input.
    pub file: PathBuf,
    /// Print skey, sid, uin, pass_ticket and tickets instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
    /// My UserName, to tell outgoing messages and mentions apart (sync, message).
    #[arg(long, value_name = "USERNAME")]
    pub me: Option<String>,
    /// My nick name, for mentions (sync, message).
    #[arg(long, value_name = "NAME")]
    pub nick: Option<String>,
    /// Keep each message's raw wire entry beside its typed form (sync, message).
    #[arg(long)]
    pub raw: bool,
    /// One line of JSON instead of pretty-printed.
    #[arg(long)]
    pub compact: bool,
}

/// The endpoints `webwx decode` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecodeKind {
    /// `jslogin`: the QR uuid.
    Jslogin,
    /// The login poll (`window.code=…`).
    Login,
    /// `webwxnewloginpage`: credentials (redacted unless --show-secrets) or a refusal.
    Newloginpage,
    /// `webwxinit`.
    Init,
    /// `webwxgetcontact`.
    Contacts,
    /// `webwxbatchgetcontact`.
    Batchcontacts,
    /// `synccheck`.
    Synccheck,
    /// `webwxsync`, every AddMsgList entry typed.
    Sync,
    /// One AddMsgList entry (JSON object), typed.
    Message,
    /// `webwxsendmsg` (and the other send endpoints' answers).
    Sendmsg,
    /// `webwxuploadmedia`.
    Upload,
    /// `webwxpushloginurl`.
    Pushloginurl,
}

/// `webwx relay`.
#[derive(Debug, Args)]
pub struct RelayArgs {
    /// Address to listen on (loopback by default; port 0 picks a free one). The first
    /// stdout line says where it listens.
    #[arg(long, value_name = "ADDR", default_value = webwx_hyper::relay::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Also relay this host (exact name, or `*.domain`); repeatable. The hosts of the
    /// domain table (wx/wx2/wx8.qq.com, web/web2.wechat.com and their login, file and
    /// push hosts, login.weixin.qq.com) are always allowed.
    #[arg(long, value_name = "HOST")]
    pub allow: Vec<String>,
    /// Serve under this path prefix (`/wx` serves `/wx/HOST/PATH`).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Serve this folder's page and files from the relay's own origin (`index.html` for
    /// `/`; no `x-wx-relay` needed there): such a page needs no CORS.
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// Let pages of this other origin (`http://host:port`) call the relay through CORS;
    /// repeatable. Default: none besides the relay's own origin.
    #[arg(long, value_name = "ORIGIN")]
    pub cors_origin: Vec<String>,
    /// Also accept requests whose `Host` is this name (`name` or `name:port`), e.g. when
    /// listening beyond the loopback interface; repeatable. Loopback names and the
    /// listen address are always accepted; anything else gets 421 (DNS rebinding).
    #[arg(long, value_name = "HOST")]
    pub accept_host: Vec<String>,
    /// For tests and the simulator: send every allowed request to this
    /// `http://host:port` in the relay form (`URL/HOST/PATH`, so `webwx sim` still checks
    /// each request's host) instead of to the real host.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Client connections served at once (more wait until one closes).
    #[arg(long, value_name = "N", default_value_t = webwx_hyper::relay::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers (and an idle connection
    /// stays open).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body (408 past it).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub body_timeout: u64,
    /// Largest request body in bytes (413 past it).
    #[arg(long, value_name = "BYTES", default_value_t = webwx_hyper::relay::DEFAULT_MAX_REQUEST_BODY)]
    pub max_request_body: usize,
    /// Largest answer relayed, in bytes (answers are streamed).
    #[arg(long, value_name = "BYTES", default_value_t = webwx_hyper::relay::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Seconds to wait for upstream's answer (long-polls hold about 25 s), and then
    /// between two pieces of its body.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
}

/// `webwx serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free one). The first
    /// stdout line says where it listens. Beyond loopback only with a token given by
    /// --token or $WEBWX_TOKEN.
    #[arg(long, value_name = "ADDR", default_value = webwx_gateway::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// The store: `sqlite:PATH` (one file, created when missing; one node), or
    /// `postgres://USER:PASSWORD@HOST:PORT/DB` (several `webwx serve --node NAME`
    /// sharing it, with leases and failover).
    #[arg(long, value_name = "URL", default_value = "sqlite:webwx.db")]
    pub db: String,
    /// The bearer token of every /v1 call (else $WEBWX_TOKEN, else a new one printed
    /// as the second stdout line `token: T`).
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// POST every event (JSON, with `X-Webwx-Seq`) to this URL, in order per account,
    /// retried until a 2xx; repeatable.
    #[arg(long = "webhook", value_name = "URL")]
    pub webhooks: Vec<String>,
    /// Post only these events to the webhooks (comma-separated names: message,
    /// logged_out, ...; default every event).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub webhook_events: Vec<String>,
    /// First delay before a failed webhook POST is retried, in milliseconds (doubling).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub webhook_retry_ms: u64,
    /// Longest delay between two webhook attempts, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 60_000)]
    pub webhook_retry_max_ms: u64,
    /// Send every account's requests to this origin in the relay form (a simulator or
    /// `webwx relay`) instead of the real hosts.
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// Let `POST /v1/accounts` name an account's own "origin" (else refused: a token
    /// holder could send an account's credentials elsewhere).
    #[arg(long)]
    pub allow_origin_override: bool,
    /// This node's name (shown as each account's "node"); with a postgres:// store,
    /// unique per node (a node restarted under its name takes its leases back).
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// With a postgres:// store: the most accounts this node holds.
    #[arg(long, value_name = "N")]
    pub max_accounts: Option<usize>,
    /// With a postgres:// store: how long a node's leases last without renewal, in
    /// milliseconds (renewed every third of it). A dead node's accounts move to live
    /// nodes after about this long.
    #[arg(long, value_name = "MS", default_value_t = 15_000)]
    pub lease_ms: u64,
    /// Also accept requests whose `Host` is this name (`name` or `name:port`);
    /// repeatable. Loopback names and the listen address are always accepted; anything
    /// else gets 421 (DNS rebinding).
    #[arg(long, value_name = "HOST")]
    pub accept_host: Vec<String>,
    /// Client-side timeout of the long-polls in milliseconds (for simulators with short
    /// holds).
    #[arg(long, value_name = "MS")]
    pub long_poll_ms: Option<u64>,
}
