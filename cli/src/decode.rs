//! `webwx decode KIND FILE`: parse a captured response with the core's endpoint parser
//! and print the typed result as one JSON document on stdout.
//!
//! The typed result is serialized straight to a buffered stdout, redacted on the way
//! ([`crate::redacting`]): no `serde_json::Value` in between. Keys come in the order the
//! types declare them. A webwxsync answer is parsed with its messages left as raw JSON
//! ([`sync::parse_each`]) and each message is typed ([`MessageRef`]: nothing copied)
//! and written in turn, so a large answer is held once, as the bytes read; past 256
//! messages, two threads type and render them, 256 at a time, while the body is still
//! being read, and the chunks are written in order once it is all read and checked
//! ([`crate::rendered`]).
//!
//! Errors never panic: they come back as one line that names the endpoint, what was
//! expected and an excerpt of the body (the core's [`ParseError`] redacts secrets in it).

use std::io::Write;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use webwx_core::contacts::ContactKind;
use webwx_core::endpoint::batchgetcontact::BatchContacts;
use webwx_core::endpoint::getcontact::ContactPage;
use webwx_core::endpoint::sync::SyncResponse;
use webwx_core::endpoint::{
    batchgetcontact, getcontact, init, jslogin, login, newloginpage, pushloginurl, sendmsg, sync,
    synccheck, uploadmedia,
};
use webwx_core::message::{MessageKind, MessageRef, NoGroupNames, RawMessage, SelfInfo};
use webwx_core::wire::RawContact;
use webwx_core::{ParseError, ParseErrorKind, ResponseError};

use crate::args::{DecodeArgs, DecodeKind};
use crate::input::{self, Input};
use crate::redacting::Redacted;
use crate::rendered::{self, Chunks, Rendered, Style};
use webwx_cli::capture;

/// Why decoding failed: one line for stderr; for a typed refusal of the server
/// (`BaseResponse.Ret` / `<ret>` != 0) also the refusal as JSON for stdout.
#[derive(Debug)]
pub struct DecodeError(pub String, pub Option<Value>);

impl DecodeError {
    fn msg(s: impl Into<String>) -> DecodeError {
        DecodeError(s.into(), None)
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `webwx decode`; returns the process exit code.
pub fn run(args: &DecodeArgs) -> i32 {
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    let result = decode_file(args, &mut out).and_then(|()| {
        out.flush()
            .map_err(|e| DecodeError::msg(format!("cannot write the output: {e}")))
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            // What is buffered of a document that could not be finished is dropped (the
            // only error after the first byte: an AddMsgList entry with a duplicate key).
            drop(out.into_parts());
            if let Some(refused) = &e.1 {
                let mut text = Vec::new();
                if write_json(&mut text, refused, args).is_ok() {
                    crate::terminal::out_raw(String::from_utf8_lossy(&text).trim_end());
                }
            }
            crate::terminal::err(&format!(
                "webwx decode {}: {}",
                kind_name(args.kind),
                one_line(&e.0)
            ));
            1
        }
    }
}

/// Reads, parses and writes the JSON document (and a line break) to `out`.
pub fn decode_file(args: &DecodeArgs, out: &mut impl Write) -> Result<(), DecodeError> {
    let not_a_response = |e| {
        DecodeError::msg(format!(
            "{}: expected a bare body or a raw HTTP response: {e}",
            args.file.display()
        ))
    };
    if let Some(list) = List::of(args.kind) {
        // The large answers: read into huge pages when large (crate::input).
        let input = input::read(&args.file)
            .map_err(|e| DecodeError::msg(format!("cannot read {}: {e}", args.file.display())))?;
        let resp = capture::into_response_with(input, Input::skip).map_err(not_a_response)?;
        return decode_list(list, args, &resp, out, CHUNK);
    }
    let bytes = capture::read_input(&args.file)
        .map_err(|e| DecodeError::msg(format!("cannot read {}: {e}", args.file.display())))?;
    let resp = capture::into_response(bytes).map_err(not_a_response)?;
    decode(args, &resp, out)
}

/// Writes `value` as JSON (pretty unless `--compact`, redacted unless `--show-secrets`)
/// and a line break.
fn write_json<T: Serialize + ?Sized>(
    out: &mut impl Write,
    value: &T,
    args: &DecodeArgs,
) -> Result<(), DecodeError> {
    let written = match (args.compact, args.show_secrets) {
        (true, true) => serde_json::to_writer(&mut *out, value),
        (true, false) => serde_json::to_writer(&mut *out, &Redacted(value)),
        (false, true) => serde_json::to_writer_pretty(&mut *out, value),
        (false, false) => serde_json::to_writer_pretty(&mut *out, &Redacted(value)),
    };
    written
        .map_err(|e| DecodeError::msg(format!("cannot write JSON: {e}")))
        .and_then(|()| {
            out.write_all(b"\n")
                .map_err(|e| DecodeError::msg(format!("cannot write the output: {e}")))
        })
}

/// Writes the typed result of `resp` as JSON to `out`.
// Not only newloginpage is redacted: webwxinit answers the skey and our uin too, and
// avatar URLs carry `skey=`.
pub fn decode(
    args: &DecodeArgs,
    resp: &http::Response<Vec<u8>>,
    out: &mut impl Write,
) -> Result<(), DecodeError> {
    decode_in_chunks(args, resp, out, CHUNK)
}

/// [`decode`], with more than `chunk` messages of a webwxsync answer typed and rendered
/// on two threads, `chunk` at a time.
fn decode_in_chunks(
    args: &DecodeArgs,
    resp: &http::Response<Vec<u8>>,
    out: &mut impl Write,
    chunk: usize,
) -> Result<(), DecodeError> {
    let me = args.self_info();
    match args.kind {
        DecodeKind::Jslogin => write_json(out, &typed(jslogin::parse(resp))?, args),
        DecodeKind::Login => write_json(out, &typed(login::parse(resp))?, args),
        DecodeKind::Newloginpage => write_json(out, &typed(newloginpage::parse(resp))?, args),
        DecodeKind::Init => {
            // A small answer of many shapes: through a Value, to add each contact's kind.
            let mut value = serde_json::to_value(typed(init::parse(resp))?)
                .map_err(|e| DecodeError::msg(format!("cannot render JSON: {e}")))?;
            add_kinds(&mut value, args.me.as_deref().unwrap_or(""));
            write_json(out, &value, args)
        }
        DecodeKind::Contacts => decode_list(List::Contacts, args, resp, out, chunk),
        DecodeKind::Sync => decode_list(List::Sync, args, resp, out, chunk),
        DecodeKind::Batchcontacts => {
            let batch = typed(batchgetcontact::parse(resp))?;
            let me = args.me.as_deref().unwrap_or("");
            write_json(out, &BatchView { batch: &batch, me }, args)
        }
        DecodeKind::Synccheck => write_json(out, &typed(synccheck::parse(resp))?, args),
        DecodeKind::Message => {
            let raw: RawMessage = serde_json::from_slice(resp.body()).map_err(|e| {
                parse_error(ParseError::new(
                    "AddMsgList entry",
                    ParseErrorKind::Json(e.to_string()),
                    resp.body(),
                ))
            })?;
            let msg = MessageRef::new(&raw, &me, &NoGroupNames);
            write_json(out, &MessageView::new(&msg, args.raw), args)
        }
        DecodeKind::Sendmsg => write_json(out, &typed(sendmsg::parse(resp))?, args),
        DecodeKind::Pushloginurl => {
            let uuid = pushloginurl::parse(resp).map_err(response_error)?;
            write_json(out, &serde_json::json!({ "uuid": uuid }), args)
        }
        DecodeKind::Upload => write_json(out, &typed(uploadmedia::parse(resp))?, args),
    }
}

impl DecodeArgs {
    /// Who "me" is for typing messages (`--me`, `--nick`; empty when not given).
    fn self_info(&self) -> SelfInfo<'_> {
        SelfInfo {
            user_name: self.me.as_deref().unwrap_or(""),
            nick_name: self.nick.as_deref().unwrap_or(""),
        }
    }
}

/// The answers with one long list, whose entries [`decode_list`] types and renders on
/// two threads while the body is read.
#[derive(Clone, Copy)]
enum List {
    /// webwxgetcontact's `MemberList`.
    Contacts,
    /// webwxsync's `AddMsgList`.
    Sync,
}

impl List {
    fn of(kind: DecodeKind) -> Option<List> {
        match kind {
            DecodeKind::Contacts => Some(List::Contacts),
            DecodeKind::Sync => Some(List::Sync),
            _ => None,
        }
    }
}

/// [`List::Contacts`] and [`List::Sync`]: typed and rendered on two threads, `chunk`
/// entries at a time, while the body is read; any bytes as the body ([`crate::input`]).
fn decode_list<B: AsRef<[u8]>>(
    list: List,
    args: &DecodeArgs,
    resp: &http::Response<B>,
    out: &mut impl Write,
    chunk: usize,
) -> Result<(), DecodeError> {
    let me = args.self_info();
    // The body checked as UTF-8 once, by simdutf8 (several times faster than the
    // standard library's check): the pass over it then reads it as text, and no entry is
    // checked on its own (~5 % of the CPU time of `decode sync`). A body that is not
    // UTF-8 goes the bytes' way, which says where.
    let text = simdutf8::basic::from_utf8(resp.body().as_ref()).ok();
    let style = Style {
        compact: args.compact,
        redact: !args.show_secrets,
        depth: 2,
    };
    match list {
        List::Contacts => {
            let me = me.user_name;
            rendered::pipelined(
                chunk,
                CONTACTS_AHEAD,
                &style.separator(),
                |i, raw: &RawValue, buf| {
                    let contact = contact(i, raw)?;
                    let kind = webwx_core::contacts::classify(&contact, me);
                    rendered::render(
                        buf,
                        &WithKind {
                            contact: &contact,
                            kind,
                        },
                        style,
                    )
                    .map_err(|e| format!("cannot render MemberList[{i}]: {e}"))
                },
                |feed| match text {
                    Some(text) => {
                        getcontact::parse_each_text(resp.status(), text, |_, raw| feed(raw))
                    }
                    None => getcontact::parse_each(resp, |_, raw| feed(raw)),
                },
                |parsed, chunks| {
                    let (page, _) = parsed.map_err(response_error)?;
                    let view = ContactPageView {
                        page: &page,
                        chunks: &chunks,
                        me,
                    };
                    write_json(out, &view, args)
                },
            )
        }
        List::Sync => {
            let keep_raw = args.raw;
            let me = &me;
            rendered::pipelined(
                chunk,
                AHEAD,
                &style.separator(),
                |i, raw: &RawValue, buf| {
                    let raw = entry(i, raw)?;
                    let msg = MessageRef::new(&raw, me, &NoGroupNames);
                    rendered::render(buf, &MessageView::new(&msg, keep_raw), style)
                        .map_err(|e| format!("cannot render AddMsgList[{i}]: {e}"))
                },
                |feed| match text {
                    Some(text) => sync::parse_each_text(resp.status(), text, |_, raw| feed(raw)),
                    None => sync::parse_each(resp, |_, raw| feed(raw)),
                },
                |parsed, chunks| {
                    let (head, _) = parsed.map_err(response_error)?;
                    let view = SyncView {
                        head: &head,
                        chunks: &chunks,
                        me,
                        keep_raw,
                    };
                    write_json(out, &view, args)
                },
            )
        }
    }
}

/// A contact with `"kind"` (friend, group, official, file_helper, special, myself: as
/// the core classifies it) after its wire fields.
#[derive(Serialize)]
struct WithKind<'a> {
    #[serde(flatten)]
    contact: &'a RawContact,
    kind: ContactKind,
}

/// The contacts of a list, each with its kind.
struct Kinds<'a> {
    list: &'a [RawContact],
    me: &'a str,
}

impl Serialize for Kinds<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.list.iter().map(|c| WithKind {
            contact: c,
            kind: webwx_core::contacts::classify(c, self.me),
        }))
    }
}

/// A webwxgetcontact page as `webwx decode contacts` writes it: [`ContactPage`]'s
/// fields in its order, each contact with its kind — a few typed and written in turn;
/// more, typed and rendered on two threads while the body was read, and written in order
/// (as `decode sync` does its messages).
struct ContactPageView<'a> {
    page: &'a ContactPage,
    chunks: &'a Chunks<&'a RawValue>,
    me: &'a str,
}

/// Entry `i` of `MemberList`, parsed.
fn contact(i: usize, raw: &RawValue) -> Result<RawContact, String> {
    getcontact::contact(raw).map_err(|e| format!("MemberList[{i}]: {}", e.kind))
}

/// The contacts of a page, each with its kind: a few typed and written one at a time, or
/// the rendered chunks.
struct PageContacts<'a>(&'a ContactPageView<'a>);

impl Serialize for PageContacts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let mut seq = s.serialize_seq(None)?;
        match view.chunks {
            Chunks::Few(entries) => {
                for (i, raw) in entries.iter().enumerate() {
                    let c = contact(i, raw).map_err(serde::ser::Error::custom)?;
                    let kind = webwx_core::contacts::classify(&c, view.me);
                    seq.serialize_element(&WithKind { contact: &c, kind })?
                }
            }
            rendered => rendered.emit(|text| seq.serialize_element(&Rendered(text)))?,
        }
        seq.end()
    }
}

impl Serialize for ContactPageView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.page;
        let mut st = s.serialize_struct("ContactPage", 4)?;
        st.serialize_field("BaseResponse", &p.base_response)?;
        st.serialize_field("MemberCount", &p.member_count)?;
        st.serialize_field("MemberList", &PageContacts(self))?;
        st.serialize_field("Seq", &p.seq)?;
        st.end()
    }
}

/// A webwxbatchgetcontact answer as `webwx decode batchcontacts` writes it, each contact
/// (not a group's members) with its kind.
struct BatchView<'a> {
    batch: &'a BatchContacts,
    me: &'a str,
}

impl Serialize for BatchView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.batch;
        let mut st = s.serialize_struct("BatchContacts", 3)?;
        st.serialize_field("BaseResponse", &b.base_response)?;
        st.serialize_field("Count", &b.count)?;
        st.serialize_field(
            "ContactList",
            &Kinds {
                list: &b.contact_list,
                me: self.me,
            },
        )?;
        st.end()
    }
}

/// Adds `"kind"` to every contact of an answer's `ContactList` / `MemberList` as a
/// `Value` (webwxinit). Our own UserName is the init answer's `User`, else `--me`.
fn add_kinds(value: &mut Value, me: &str) {
    let me = value
        .pointer("/User/UserName")
        .and_then(Value::as_str)
        .unwrap_or(me)
        .to_owned();
    for list in ["ContactList", "MemberList"] {
        let Some(Value::Array(contacts)) = value.get_mut(list) else {
            continue;
        };
        for c in contacts {
            let Ok(raw) = serde_json::from_value::<RawContact>(c.clone()) else {
                continue;
            };
            let kind = webwx_core::contacts::classify(&raw, &me);
            if let (Value::Object(map), Ok(k)) = (c, serde_json::to_value(kind)) {
                map.insert("kind".into(), k);
            }
        }
    }
}

/// A typed message as `webwx decode` writes it: [`Message`]'s fields in its order (from
/// a [`MessageRef`]: nothing copied), the wire entry (`raw`) only with `--raw`.
pub struct MessageView<'a> {
    msg: &'a MessageRef<'a>,
    keep_raw: bool,
}

impl<'a> MessageView<'a> {
    /// `msg`, with its raw entry when `keep_raw`.
    pub fn new(msg: &'a MessageRef<'a>, keep_raw: bool) -> MessageView<'a> {
        MessageView { msg, keep_raw }
    }
}

/// `u64` ids as strings (`boundary::id64`).
struct Id64(u64);

impl Serialize for Id64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        webwx_core::boundary::id64::serialize(&self.0, s)
    }
}

impl Serialize for MessageView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.msg;
        let mut st = s.serialize_struct("Message", 14)?;
        st.serialize_field("id", &m.raw.msg_id)?;
        st.serialize_field("new_id", &Id64(m.raw.new_msg_id))?;
        st.serialize_field("from", &m.raw.from_user_name)?;
        st.serialize_field("to", &m.raw.to_user_name)?;
        st.serialize_field("chat", &m.chat)?;
        st.serialize_field("sender", &m.sender)?;
        st.serialize_field("is_group", &m.is_group)?;
        st.serialize_field("outgoing", &m.outgoing)?;
        st.serialize_field("time", &m.raw.create_time)?;
        st.serialize_field("mentioned_me", &m.mentioned_me)?;
        st.serialize_field("mentions", &m.mentions)?;
        st.serialize_field("mentioned_names", &m.mentioned_names)?;
        st.serialize_field::<MessageKind>("kind", &m.kind)?;
        if self.keep_raw {
            st.serialize_field("raw", m.raw)?;
        } else {
            st.skip_field("raw")?;
        }
        st.end()
    }
}

/// Messages (contacts) a thread types and renders at a time in `decode sync` (`decode
/// contacts`), [`rendered::pipelined`].
const CHUNK: usize = 256;

/// Chunks a thread of `decode sync` renders ahead of the one being written (while the
/// body is read, nothing is written): at most `2 * AHEAD` chunks of rendered messages
/// (~180 KB each, pretty) are held, whatever the number of messages.
const AHEAD: usize = 16;

/// [`AHEAD`] for `decode contacts`: a page is read in a few milliseconds, and the
/// rendered contacts would otherwise be held beside the body (peak memory).
const CONTACTS_AHEAD: usize = 1;

/// A webwxsync answer as `webwx decode sync` writes it: [`SyncResponse`]'s fields in its
/// order, the `AddMsgList` entries typed — a few, typed and written in turn; more, typed
/// and rendered on two threads, `chunk` at a time, while the body was read, and written
/// in order.
struct SyncView<'a> {
    head: &'a SyncResponse,
    chunks: &'a Chunks<&'a RawValue>,
    me: &'a SelfInfo<'a>,
    keep_raw: bool,
}

/// Entry `i` of `AddMsgList`, parsed.
fn entry(i: usize, raw: &RawValue) -> Result<RawMessage, String> {
    sync::message(raw).map_err(|e| format!("AddMsgList[{i}]: {}", e.kind))
}

/// The typed messages: a few typed and written one at a time, or the rendered chunks.
struct Messages<'a>(&'a SyncView<'a>);

impl Serialize for Messages<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let mut seq = s.serialize_seq(None)?;
        match view.chunks {
            Chunks::Few(entries) => {
                for (i, raw) in entries.iter().enumerate() {
                    let raw = entry(i, raw).map_err(serde::ser::Error::custom)?;
                    let msg = MessageRef::new(&raw, view.me, &NoGroupNames);
                    seq.serialize_element(&MessageView::new(&msg, view.keep_raw))?
                }
            }
            rendered => rendered.emit(|text| seq.serialize_element(&Rendered(text)))?,
        }
        seq.end()
    }
}

impl Serialize for SyncView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h: &SyncResponse = self.head;
        let mut st = s.serialize_struct("SyncResponse", 14)?;
        st.serialize_field("BaseResponse", &h.base_response)?;
        st.serialize_field("AddMsgCount", &h.add_msg_count)?;
        st.serialize_field("AddMsgList", &Messages(self))?;
        st.serialize_field("ModContactCount", &h.mod_contact_count)?;
        st.serialize_field("ModContactList", &h.mod_contact_list)?;
        st.serialize_field("DelContactCount", &h.del_contact_count)?;
        st.serialize_field("DelContactList", &h.del_contact_list)?;
        st.serialize_field("ModChatRoomMemberCount", &h.mod_chat_room_member_count)?;
        st.serialize_field("ModChatRoomMemberList", &h.mod_chat_room_member_list)?;
        st.serialize_field("Profile", &h.profile)?;
        st.serialize_field("ContinueFlag", &h.continue_flag)?;
        st.serialize_field("SyncKey", &h.sync_key)?;
        st.serialize_field("SyncCheckKey", &h.sync_check_key)?;
        st.serialize_field("SKey", &h.skey)?;
        st.end()
    }
}

fn typed<T>(r: Result<T, ResponseError>) -> Result<T, DecodeError> {
    r.map_err(response_error)
}

fn response_error(e: ResponseError) -> DecodeError {
    match e {
        ResponseError::Parse(p) => parse_error(p),
        ResponseError::Wx(w) => DecodeError(
            format!(
                "the server refused: ret {}{}",
                w.ret,
                if w.message.is_empty() {
                    String::new()
                } else {
                    format!(", message {:?}", w.message)
                }
            ),
            Some(serde_json::json!({ "refused": { "ret": w.ret, "message": w.message } })),
        ),
        other => DecodeError::msg(other.to_string()),
    }
}

fn parse_error(p: ParseError) -> DecodeError {
    DecodeError::msg(format!(
        "{}: expected {}; {}; body starts {:?}",
        p.endpoint,
        expected(&p.endpoint),
        p.kind,
        p.excerpt
    ))
}

/// What the endpoint answers with, for error messages.
fn expected(endpoint: &str) -> &'static str {
    match endpoint {
        "jslogin" => "`window.QRLogin.code = 200; window.QRLogin.uuid = \"…\";`",
        "login" => "`window.code=…;` (408, 201, 200 with window.redirect_uri, 400, 202)",
        "webwxnewloginpage" => "an `<error><ret>…</ret>…</error>` XML document",
        "synccheck" => "`window.synccheck={retcode:\"…\",selector:\"…\"}`",
        "webwxpushloginurl" => "a JSON object with `ret` and `uuid`",
        "AddMsgList entry" => "one AddMsgList entry (a JSON object)",
        _ => "a JSON object with a BaseResponse",
    }
}

fn kind_name(kind: DecodeKind) -> String {
    clap::ValueEnum::to_possible_value(&kind)
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// Joins the lines of a message so that stderr gets exactly one line.
fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::redacting::redact_value;
    use std::path::{Path, PathBuf};
    use webwx_core::message::Message;

    fn args(kind: DecodeKind, raw: bool, show_secrets: bool, compact: bool) -> DecodeArgs {
        DecodeArgs {
            kind,
            file: PathBuf::new(),
            show_secrets,
            me: Some("@f0c04abe389590b02d91684d99584439".into()),
            nick: Some("小桔同学".into()),
            raw,
            compact,
        }
    }

    /// What `webwx decode` wrote before it wrote typed output: the typed result turned
    /// into a `serde_json::Value`, messages typed into it, `raw` removed, the `Value`
    /// walked for secrets. The oracle of the streaming path.
    fn through_value(args: &DecodeArgs, resp: &http::Response<Vec<u8>>) -> Value {
        let me = args.self_info();
        let message = |raw: RawMessage| {
            let mut v = serde_json::to_value(Message::from_raw(raw, &me, &NoGroupNames)).unwrap();
            if !args.raw {
                v.as_object_mut().unwrap().remove("raw");
            }
            v
        };
        let mut v = match args.kind {
            DecodeKind::Sync => {
                let parsed = sync::parse(resp).unwrap();
                let list: Vec<Value> = parsed.add_msg_list.iter().cloned().map(message).collect();
                let mut v = serde_json::to_value(&parsed).unwrap();
                v["AddMsgList"] = Value::Array(list);
                v
            }
            DecodeKind::Message => message(serde_json::from_slice(resp.body()).unwrap()),
            DecodeKind::Contacts => {
                let mut v = serde_json::to_value(getcontact::parse(resp).unwrap()).unwrap();
                add_kinds(&mut v, args.me.as_deref().unwrap_or(""));
                v
            }
            DecodeKind::Batchcontacts => {
                let mut v = serde_json::to_value(batchgetcontact::parse(resp).unwrap()).unwrap();
                add_kinds(&mut v, args.me.as_deref().unwrap_or(""));
                v
            }
            DecodeKind::Init => {
                let mut v = serde_json::to_value(init::parse(resp).unwrap()).unwrap();
                add_kinds(&mut v, args.me.as_deref().unwrap_or(""));
                v
            }
            DecodeKind::Login => serde_json::to_value(login::parse(resp).unwrap()).unwrap(),
            DecodeKind::Newloginpage => {
                serde_json::to_value(newloginpage::parse(resp).unwrap()).unwrap()
            }
            other => panic!("no oracle for {other:?}"),
        };
        if !args.show_secrets {
            redact_value(&mut v);
        }
        v
    }

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// The streaming output is the JSON the `Value` path wrote, on every capture and
    /// message fixture, with and without `--raw`, `--show-secrets`, `--compact`.
    #[test]
    fn streaming_output_is_the_value_paths() {
        let core = root().join("core/tests/fixtures");
        let mut cases: Vec<(DecodeKind, PathBuf)> = vec![
            (DecodeKind::Sync, root().join("cli/tests/fixtures/sync.txt")),
            (
                DecodeKind::Sync,
                core.join("captures/wechat4u_test_response_webwxsync.json"),
            ),
            (DecodeKind::Sync, core.join("messages/sync_wechat4u.json")),
            (
                DecodeKind::Contacts,
                core.join("captures/10_9_webwxgetcontact_0.demojibaked.txt"),
            ),
            (
                DecodeKind::Contacts,
                core.join("captures/wechat4u_test_response_webwxgetcontact.json"),
            ),
            (
                DecodeKind::Batchcontacts,
                core.join("captures/11_10_webwxbatchgetcontact_0.demojibaked.txt"),
            ),
            (
                DecodeKind::Init,
                core.join("captures/06_5_webwxinit_0.demojibaked.txt"),
            ),
            (
                DecodeKind::Init,
                core.join("captures/wechat4u_test_response_webwxinit.json"),
            ),
            (DecodeKind::Login, core.join("captures/04_3_login_2.txt")),
            (
                DecodeKind::Newloginpage,
                core.join("captures/05_4_webwxnewloginpage_0.txt"),
            ),
        ];
        for dir in [core.join("messages"), root().join("cli/tests/fixtures")] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if let Some(raw) = v.get("raw").filter(|r| r.is_object()) {
                    let file = std::env::temp_dir()
                        .join(format!("webwx-decode-oracle-{}.json", std::process::id()));
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let file = file.with_extension(format!("{name}.json"));
                    std::fs::write(&file, raw.to_string()).unwrap();
                    cases.push((DecodeKind::Message, file));
                }
            }
        }
        assert!(
            cases.len() > 40,
            "the message fixtures are there: {}",
            cases.len()
        );
        for (kind, path) in &cases {
            let bytes = std::fs::read(path).unwrap();
            let resp = capture::into_response(bytes).unwrap();
            for (raw, secrets, compact) in [
                (false, false, false),
                (true, false, true),
                (false, true, true),
                (true, true, false),
            ] {
                let a = args(*kind, raw, secrets, compact);
                let mut out = Vec::new();
                decode(&a, &resp, &mut out).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(text.ends_with('\n'));
                assert_eq!(text.trim_end().contains('\n'), !compact);
                let got: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(got, through_value(&a, &resp), "{kind:?} {}", path.display());
            }
            if *kind == DecodeKind::Message {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// A webwxsync answer of `n` messages: the entries of the sync fixtures in turn.
    fn big_sync(n: usize) -> http::Response<Vec<u8>> {
        let core = root().join("core/tests/fixtures");
        let mut entries = Vec::new();
        for path in [
            core.join("captures/wechat4u_test_response_webwxsync.json"),
            core.join("messages/sync_wechat4u.json"),
        ] {
            let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            entries.extend(v["AddMsgList"].as_array().unwrap().iter().cloned());
        }
        let mut body: Value = serde_json::from_slice(
            &std::fs::read(core.join("captures/wechat4u_test_response_webwxsync.json")).unwrap(),
        )
        .unwrap();
        let list: Vec<Value> = entries.iter().cycle().take(n).cloned().collect();
        body["AddMsgCount"] = n.into();
        body["AddMsgList"] = Value::Array(list);
        http::Response::new(serde_json::to_vec(&body).unwrap())
    }

    /// Typed and rendered on two threads in chunks, `decode sync` writes the same bytes
    /// as on one thread: every flag combination, chunks of 1, 2 and 7 messages (a last
    /// chunk shorter), an answer with no message and one with a single message.
    #[test]
    fn parallel_output_is_the_one_thread_output() {
        for n in [0, 1, 3, 50] {
            let resp = big_sync(n);
            for (raw, secrets, compact) in [
                (false, false, false),
                (true, false, true),
                (false, true, true),
                (true, true, false),
                (false, false, true),
            ] {
                let a = args(DecodeKind::Sync, raw, secrets, compact);
                let mut one = Vec::new();
                decode_in_chunks(&a, &resp, &mut one, usize::MAX).unwrap();
                assert!(one.len() > 100);
                for chunk in [1, 2, 7] {
                    let mut two = Vec::new();
                    decode_in_chunks(&a, &resp, &mut two, chunk).unwrap();
                    assert!(
                        one == two,
                        "n {n} chunk {chunk} raw {raw} secrets {secrets} compact {compact}:\n{}\n---\n{}",
                        String::from_utf8_lossy(&one),
                        String::from_utf8_lossy(&two)
                    );
                }
            }
        }
    }

    /// A webwxgetcontact page of `n` contacts: the capture's in turn.
    /// A file large enough to be read into huge pages (`crate::input`), bare and as a
    /// capture with a head, decodes as its bytes do in memory.
    #[test]
    fn large_file_is_the_bytes_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, resp) in [
            (DecodeKind::Sync, big_sync(3000)),
            (DecodeKind::Contacts, big_contacts(3000)),
        ] {
            assert!(resp.body().len() > 2 << 20, "{}", resp.body().len());
            let a = args(kind, false, false, false);
            let mut expected = Vec::new();
            decode(&a, &resp, &mut expected).unwrap();
            for head in [
                &b""[..],
                b"# source: x\n# response: HTTP/1.1 200 OK\nA: b\n\n",
            ] {
                let path = dir.path().join("body");
                std::fs::write(&path, [head, resp.body()].concat()).unwrap();
                let a = DecodeArgs {
                    file: path,
                    ..args(kind, false, false, false)
                };
                let mut got = Vec::new();
                decode_file(&a, &mut got).unwrap();
                assert!(got == expected, "{kind:?} head {}", head.len());
            }
        }
    }

    /// A body that is not UTF-8 is not read as text: refused as the bytes' parse refuses
    /// it (where), nothing written.
    #[test]
    fn a_body_not_utf8_is_refused_where_it_is_not() {
        let mut body = big_sync(600).into_body();
        let content = b"\"Content\":\"";
        let at = body
            .windows(content.len())
            .rposition(|w| w == content)
            .unwrap();
        body.insert(at + content.len(), 0xff);
        let resp = http::Response::new(body);
        let want = response_error(sync::parse_each(&resp, |_, _| ()).unwrap_err()).0;
        assert!(want.contains("unicode") || want.contains("UTF-8"), "{want}");
        for chunk in [usize::MAX, 7] {
            let mut out = Vec::new();
            let got = decode_in_chunks(
                &args(DecodeKind::Sync, false, false, false),
                &resp,
                &mut out,
                chunk,
            )
            .unwrap_err();
            assert_eq!(got.0, want);
            assert!(out.is_empty());
        }
    }

    fn big_contacts(n: usize) -> http::Response<Vec<u8>> {
        let path =
            root().join("core/tests/fixtures/captures/wechat4u_test_response_webwxgetcontact.json");
        let mut body: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let entries = body["MemberList"].as_array().unwrap().clone();
        let list: Vec<Value> = entries.iter().cycle().take(n).cloned().collect();
        body["MemberCount"] = n.into();
        body["MemberList"] = Value::Array(list);
        http::Response::new(serde_json::to_vec(&body).unwrap())
    }

    /// `decode contacts` on two threads writes the bytes it writes on one, as `decode
    /// sync` does; and a contact that cannot be typed stops both at that contact.
    #[test]
    fn parallel_contacts_are_the_one_thread_contacts() {
        for n in [0, 1, 3, 50] {
            let resp = big_contacts(n);
            for (raw, secrets, compact) in [(false, false, false), (false, true, true)] {
                let a = args(DecodeKind::Contacts, raw, secrets, compact);
                let mut one = Vec::new();
                decode_in_chunks(&a, &resp, &mut one, usize::MAX).unwrap();
                assert!(one.len() > 50);
                for chunk in [1, 2, 7] {
                    let mut two = Vec::new();
                    decode_in_chunks(&a, &resp, &mut two, chunk).unwrap();
                    assert!(
                        one == two,
                        "n {n} chunk {chunk} secrets {secrets} compact {compact}"
                    );
                }
            }
        }
        let mut v: Value = serde_json::from_slice(big_contacts(20).body()).unwrap();
        v["MemberList"][13] = "<duplicate>".into();
        let text = serde_json::to_string(&v)
            .unwrap()
            .replace(r#""<duplicate>""#, r#"{"UserName":"@a","UserName":"@b"}"#);
        let resp = http::Response::new(text.into_bytes());
        let a = args(DecodeKind::Contacts, false, false, false);
        let mut one = Vec::new();
        let e1 = decode_in_chunks(&a, &resp, &mut one, usize::MAX).unwrap_err();
        assert!(e1.0.contains("MemberList[13]"), "{}", e1.0);
        for chunk in [1, 4, 5] {
            let mut two = Vec::new();
            let e2 = decode_in_chunks(&a, &resp, &mut two, chunk).unwrap_err();
            assert_eq!(e1.0, e2.0);
            assert!(one == two, "chunk {chunk}");
        }
    }

    /// An entry that cannot be typed (a duplicate key) stops `decode sync` at that entry
    /// on two threads as on one: the same error, the same output before it.
    #[test]
    fn parallel_stops_where_one_thread_stops() {
        let resp = big_sync(20);
        let mut v: Value = serde_json::from_slice(resp.body()).unwrap();
        v["AddMsgList"][13] = Value::Null;
        let text = serde_json::to_string(&v)
            .unwrap()
            .replace("null", r#"{"MsgId":"1","MsgId":"2"}"#);
        let resp = http::Response::new(text.into_bytes());
        let a = args(DecodeKind::Sync, false, false, false);
        let mut one = Vec::new();
        let e1 = decode_in_chunks(&a, &resp, &mut one, usize::MAX).unwrap_err();
        assert!(e1.0.contains("AddMsgList[13]"), "{}", e1.0);
        for chunk in [1, 4, 5] {
            let mut two = Vec::new();
            let e2 = decode_in_chunks(&a, &resp, &mut two, chunk).unwrap_err();
            assert_eq!(e1.0, e2.0);
            assert!(one == two, "chunk {chunk}");
        }
    }

    #[test]
    fn one_line_joins() {
        assert_eq!(one_line("a\nb\r\nc"), "a b c");
    }
}
