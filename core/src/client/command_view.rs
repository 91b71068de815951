//! [`CommandView`]: a [`Client`] with its commands and reads, without its driver side.

use super::Client;
use crate::client::commands::{Download, FileSpec, UploadHandle};
use crate::endpoint::sendemoticon::Emoticon;
use crate::error::CommandError;
use crate::message::Message;
use crate::time::Now;
use crate::upload::MediaKind;
use crate::{DownloadId, LocalId, OpId, UploadId};

/// A running session's client as a handle's user may touch it: every command and every
/// read ([`Deref`](std::ops::Deref) to `&Client`), but not the driver's side —
/// `poll_output`, `handle_response`, `handle_transport_error`, `handle_timeout` — so
/// nobody but the driver can take a request it would then never send.
///
/// The drivers' `Session::with` hands one out.
pub struct CommandView<'a> {
    client: &'a mut Client,
}

impl<'a> CommandView<'a> {
    /// A view of `client`.
    pub fn new(client: &'a mut Client) -> CommandView<'a> {
        CommandView { client }
    }
}

impl std::ops::Deref for CommandView<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
    }
}

impl std::fmt::Debug for CommandView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CommandView").field(&self.client).finish()
    }
}

macro_rules! delegate {
    ($( $(#[$m:meta])* fn $name:ident(&mut self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl CommandView<'_> {
            $(
                $(#[$m])*
                #[doc = concat!("See [`Client::", stringify!($name), "`].")]
                pub fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                    self.client.$name($($arg),*)
                }
            )*
        }
    };
}

delegate! {
    fn login(&mut self, now: Now) -> Result<(), crate::client::Refusal>;
    fn push_login(&mut self, now: Now) -> Result<(), crate::client::Refusal>;
    fn resume(&mut self, now: Now) -> Result<(), crate::client::Refusal>;
    fn resume_for_commands(&mut self, now: Now) -> Result<(), crate::client::Refusal>;
    fn connect(&mut self, now: Now) -> Result<(), crate::client::Refusal>;
    fn logout(&mut self, now: Now) -> ();
    fn shutdown(&mut self) -> ();
    fn send_text(&mut self, now: Now, to: &str, text: &str) -> Result<LocalId, CommandError>;
    fn send_text_mentioning(&mut self, now: Now, to: &str, text: &str, mentions: &[&str]) -> Result<LocalId, CommandError>;
    fn send_emoticon(&mut self, now: Now, to: &str, emoticon: Emoticon) -> Result<LocalId, CommandError>;
    fn send_file(&mut self, now: Now, to: &str, file: FileSpec) -> Result<UploadHandle, CommandError>;
    fn send_file_as(&mut self, now: Now, to: &str, file: FileSpec, kind: MediaKind) -> Result<UploadHandle, CommandError>;
    fn upload_data(&mut self, now: Now, upload: UploadId, offset: u64, bytes: &[u8]) -> Result<(), CommandError>;
    fn cancel_upload(&mut self, upload: UploadId) -> Result<(), CommandError>;
    fn forward(&mut self, now: Now, msg: &Message, to: &str) -> Result<LocalId, CommandError>;
    fn revoke(&mut self, now: Now, svr_msg_id: &str, to: &str) -> Result<OpId, CommandError>;
    fn mark_read(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError>;
    fn download(&mut self, now: Now, what: Download) -> Result<DownloadId, CommandError>;
    fn add_friend(&mut self, now: Now, user_name: &str, greeting: &str) -> Result<OpId, CommandError>;
    fn accept_friend(&mut self, now: Now, user_name: &str, ticket: &str) -> Result<OpId, CommandError>;
    fn accept_friend_request(&mut self, now: Now, msg: &Message) -> Result<OpId, CommandError>;
    fn create_group(&mut self, now: Now, topic: &str, members: &[&str]) -> Result<OpId, CommandError>;
    fn add_members(&mut self, now: Now, group: &str, members: &[&str]) -> Result<OpId, CommandError>;
    fn remove_members(&mut self, now: Now, group: &str, members: &[&str]) -> Result<OpId, CommandError>;
    fn rename_group(&mut self, now: Now, group: &str, topic: &str) -> Result<OpId, CommandError>;
    fn set_remark(&mut self, now: Now, user: &str, remark: &str) -> Result<OpId, CommandError>;
    fn pin(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError>;
    fn unpin(&mut self, now: Now, chat: &str) -> Result<OpId, CommandError>;
    fn fetch_group_members(&mut self, now: Now, group: &str) -> Result<OpId, CommandError>;
    fn absorb_shared(&mut self, theirs: &crate::SessionState) -> ();
}
