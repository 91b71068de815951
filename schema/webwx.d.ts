// The webwx JSON boundary, generated from webwx-core's types by ts-rs
// (`UPDATE_SCHEMA=1 cargo test -p webwx-tests --test schema`); do not edit.
// One line of the boundary is an `Event` (tagged `event`), a `Request` (a `Command`
// tagged `cmd`, from the host) or an `Answer` (`answer`: the command's `id`).
// 64-bit ids are decimal strings; bytes are standard base64.

/**
 * The answer to one command: `{"answer": id|null, "result": {..}}` or
 * `{"answer": id|null, "error": {..}}`.
 */
export type Answer = {
  /**
   * The command's `"id"`, or `null`.
   */
  answer: CommandId | null, } & ({ "result": CommandResult } | { "error": ErrorInfo });

/**
 * The `AppMsgType`-specific part of an [`AppMessage`], tagged by `"type"`.
 */
export type AppDetail = { "type": "text" } | { "type": "music",
  /**
   * `<dataurl>`: the stream.
   */
  data_url: string,
  /**
   * `<lowdataurl>`.
   */
  low_data_url: string,
  /**
   * `<lowurl>`.
   */
  low_url: string, } | { "type": "video" } | { "type": "link" } | { "type": "file",
  /**
   * File name (`FileName`, else the title).
   */
  file_name: string,
  /**
   * Size in bytes (`<appattach><totallen>`, else `FileSize`).
   */
  size: number,
  /**
   * `<appattach><attachid>`.
   */
  attach_id: string,
  /**
   * `<appattach><fileext>` (else from the file name).
   */
  ext: string,
  /**
   * `MediaId`: the id for `webwxgetmedia`.
   */
  media_id: string,
  /**
   * `EncryFileName`.
   */
  encry_file_name: string,
  /**
   * `<md5>`, or empty.
   */
  md5: string, } | { "type": "emoji",
  /**
   * `<appattach><emoticonmd5>`, or empty.
   */
  md5: string,
  /**
   * `<appattach><totallen>`.
   */
  size: number | null, } | { "type": "realtime_location" } | { "type": "mini_program",
  /**
   * `<weappinfo><username>` (`gh_…@app`).
   */
  user_name: string,
  /**
   * `<weappinfo><appid>`.
   */
  app_id: string,
  /**
   * `<weappinfo><pagepath>`.
   */
  page_path: string,
  /**
   * `<weappinfo><weappiconurl>`.
   */
  icon_url: string,
  /**
   * `<weappinfo><version>`.
   */
  version: number | null, } | { "type": "transfer",
  /**
   * `<wcpayinfo><feedesc>`, e.g. `￥0.10`.
   */
  fee_desc: string,
  /**
   * `<pay_memo>`.
   */
  pay_memo: string,
  /**
   * `<paysubtype>` (1 sent, 3 received…).
   */
  pay_subtype: number | null,
  /**
   * `<transcationid>` (sic).
   */
  transaction_id: string,
  /**
   * `<transferid>`.
   */
  transfer_id: string,
  /**
   * `<invalidtime>`.
   */
  invalid_time: number | null, } | { "type": "red_envelope",
  /**
   * `<wcpayinfo><receivertitle>`: the wishes.
   */
  receiver_title: string,
  /**
   * `<sendertitle>`.
   */
  sender_title: string,
  /**
   * `<scenetext>`, e.g. `微信红包`.
   */
  scene_text: string,
  /**
   * `<nativeurl>`.
   */
  native_url: string,
  /**
   * `<iconurl>`.
   */
  icon_url: string,
  /**
   * `<invalidtime>`.
   */
  invalid_time: number | null, } | { "type": "unknown",
  /**
   * The unescaped XML of the content.
   */
  xml: string, };

/**
 * An app message (MsgType 49): the common `<appmsg>` fields and the details of its
 * `AppMsgType`.
 */
export type AppMessage = {
  /**
   * `AppMsgType` (else the `<type>` of the XML).
   */
  app_type: number,
  /**
   * `<title>` (else `FileName`).
   */
  title: string,
  /**
   * `<des>`.
   */
  description: string,
  /**
   * `<url>` (else `Url`).
   */
  url: string,
  /**
   * `<thumburl>`, or empty.
   */
  thumb_url: string,
  /**
   * `<appmsg appid>` (else `AppInfo.AppID`).
   */
  app_id: string,
  /**
   * `<appinfo><appname>`, or empty.
   */
  app_name: string,
  /**
   * `<sourcedisplayname>` (official account or mini program name), or empty.
   */
  source_display_name: string,
  /**
   * `<sourceusername>`, or empty.
   */
  source_user_name: string,
  /**
   * What is specific to the `AppMsgType`.
   */
  detail: AppDetail, };

/**
 * A contact a name could have meant.
 */
export type Candidate = {
  /**
   * Its UserName: use this to name it for sure.
   */
  user_name: string,
  /**
   * Its nick name (normalized).
   */
  nick_name: string,
  /**
   * Its remark name (normalized), or empty.
   */
  remark_name: string,
  /**
   * What it is.
   */
  kind: ContactKind, };

/**
 * A command, as a host writes it: `{"cmd": "send_text", "to": "Alice", "text": "hi"}`.
 *
 * Every field not listed is refused (`deny_unknown_fields`): a typo such as `"txt"` is
 * a `bad_command` error naming the fields expected, never a silently ignored field.
 * Beside these fields a command object may carry `"id"` (see [`CommandId`]) and
 * `"timeout_ms"` ([`Request`]).
 *
 * Names (`to`, `chat`, `group`, `user`, `members`) are UserNames or names, resolved by
 * [`crate::names`].
 */
export type Command = { "cmd": "send_text",
  /**
   * The chat.
   */
  to: string,
  /**
   * The text, as sent (write `@Name\u2005` for a mention).
   */
  text: string,
  /**
   * Group members to @mention (UserNames, display or nick names in the group).
   */
  mentions?: Array<string>, } | { "cmd": "send_file",
  /**
   * The chat.
   */
  to: string,
  /**
   * The file name (required with `data_b64`; defaults to the name in `path`).
   */
  file_name?: string,
  /**
   * The bytes, standard base64.
   */
  data_b64?: string,
  /**
   * A local file (not over the gateway's HTTP API, nor in the browser).
   */
  path?: string,
  /**
   * Send as this kind instead of the extension's.
   */
  as?: MediaKind, } | { "cmd": "send_emoticon",
  /**
   * The chat.
   */
  to: string,
  /**
   * The sticker's md5.
   */
  md5?: string,
  /**
   * The MediaId of an uploaded GIF.
   */
  media_id?: string, } | { "cmd": "forward",
  /**
   * The chat to forward to.
   */
  to: string,
  /**
   * The `id` of a message seen in this session (the newest are kept: by default
   * 512 at most, taking 8 KiB at most).
   */
  msg_id?: string,
  /**
   * The message itself, as its event carried it (read only with the
   * `inline-forward` feature, on by default; without it — the browser package —
   * forward by `msg_id`).
   */
  message?: Message, } | { "cmd": "revoke",
  /**
   * The chat.
   */
  to: string,
  /**
   * The server's MsgId of the message.
   */
  msg_id: string, } | { "cmd": "mark_read",
  /**
   * The chat.
   */
  chat: string, } | { "cmd": "download",
  /**
   * A message seen in this session (image, voice, video or file).
   */
  msg_id?: string,
  /**
   * What to download, when not by `msg_id` (avatars, a file by its MediaId…).
   */
  media?: Download,
  /**
   * Save to this directory or new file.
   */
  save_to?: string,
  /**
   * Answer with the bytes in base64 (the default where `save_to` is not given).
   */
  inline?: boolean, } | { "cmd": "accept_friend",
  /**
   * The friend request message (seen in this session).
   */
  msg_id?: string,
  /**
   * The requester's UserName.
   */
  user_name?: string,
  /**
   * The request's ticket.
   */
  ticket?: string, } | { "cmd": "add_friend",
  /**
   * Their UserName.
   */
  user_name: string,
  /**
   * The greeting.
   */
  greeting?: string, } | { "cmd": "create_group",
  /**
   * Its name.
   */
  topic: string,
  /**
   * Friends to put in it.
   */
  members: Array<string>, } | { "cmd": "add_members",
  /**
   * The group.
   */
  group: string,
  /**
   * Who.
   */
  members: Array<string>, } | { "cmd": "remove_members",
  /**
   * The group.
   */
  group: string,
  /**
   * Who.
   */
  members: Array<string>, } | { "cmd": "rename_group",
  /**
   * The group.
   */
  group: string,
  /**
   * The new name.
   */
  topic: string, } | { "cmd": "set_remark",
  /**
   * The contact.
   */
  user: string,
  /**
   * The remark name (empty clears it).
   */
  remark: string, } | { "cmd": "pin",
  /**
   * The chat.
   */
  chat: string, } | { "cmd": "unpin",
  /**
   * The chat.
   */
  chat: string, } | { "cmd": "fetch_group_members",
  /**
   * The group.
   */
  group: string, } | { "cmd": "cancel_upload",
  /**
   * The `id` of the `send_file` command.
   */
  command?: CommandId,
  /**
   * The send's LocalID.
   */
  local_id?: string,
  /**
   * The upload's id.
   */
  upload?: number, } | { "cmd": "logout", } | { "cmd": "contacts",
  /**
   * Only this kind (`special` takes the file helper too).
   */
  kind?: ContactKind,
  /**
   * Only contacts whose UserName is this, or whose nick name, remark name or
   * alias contains it (case-insensitively).
   */
  search?: string,
  /**
   * List each group's members too.
   */
  members?: boolean, } | { "cmd": "me", };

/**
 * The outcome or progress of a command.
 */
export type CommandEvent = { "kind": "sent",
  /**
   * Its LocalID.
   */
  local_id: LocalId,
  /**
   * The server's `MsgID` (revoke with it).
   */
  msg_id: string, } | { "kind": "send_failed",
  /**
   * Its LocalID.
   */
  local_id: LocalId,
  /**
   * Why.
   */
  error: CommandFailure, } | { "kind": "upload_progress",
  /**
   * The upload.
   */
  upload: UploadId,
  /**
   * The send it belongs to.
   */
  local_id: LocalId,
  /**
   * Bytes uploaded so far.
   */
  sent: number,
  /**
   * The file's size.
   */
  total: number, } | { "kind": "uploaded",
  /**
   * The upload.
   */
  upload: UploadId,
  /**
   * The send it belongs to.
   */
  local_id: LocalId,
  /**
   * The server's MediaId of the file.
   */
  media_id: string, } | { "kind": "download_failed",
  /**
   * The download.
   */
  download: DownloadId,
  /**
   * Why.
   */
  error: CommandFailure, } | { "kind": "op_done",
  /**
   * The operation.
   */
  op: OpId,
  /**
   * What it was.
   */
  what: OpKind,
  /**
   * What it produced.
   */
  outcome: OpOutcome, } | { "kind": "op_failed",
  /**
   * The operation.
   */
  op: OpId,
  /**
   * What it was.
   */
  what: OpKind,
  /**
   * Why.
   */
  error: CommandFailure, };

/**
 * Why a command that was accepted did not complete.
 */
export type CommandFailure = { "reason": "refused",
  /**
   * The code.
   */
  ret: Ret,
  /**
   * The server's message, possibly empty.
   */
  message: string, } | { "reason": "transport",
  /**
   * The last failure.
   */
  kind: TransportErrorKind, } | { "reason": "protocol",
  /**
   * The last error.
   */
  error: ParseError, } | { "reason": "session_ended" } | { "reason": "cancelled" };

/**
 * The `"id"` a host puts on a command, echoed as the `"answer"` of its answer: any JSON
 * number, string or boolean.
 */
export type CommandId = number | string | boolean;

/**
 * What a command produced, tagged by `"kind"`.
 */
export type CommandResult = { "kind": "sent",
  /**
   * Its LocalID / ClientMsgId.
   */
  local_id: LocalId,
  /**
   * The server's MsgId: revoke with it.
   */
  msg_id: string, } | { "kind": "done",
  /**
   * Which.
   */
  op: OpKind, } | { "kind": "group_created",
  /**
   * Its UserName.
   */
  group: string,
  /**
   * Its name.
   */
  topic: string,
  /**
   * Members the server did not add.
   */
  failed: Array<string>, } | { "kind": "members_fetched",
  /**
   * The group.
   */
  group: string,
  /**
   * How many members.
   */
  members: number, } | { "kind": "downloaded",
  /**
   * A file name safe to write (also the saved file's name, unless `save_to`
   * named the file).
   */
  file_name: string,
  /**
   * The server's content type, or empty.
   */
  content_type: string,
  /**
   * Its size in bytes.
   */
  len: number,
  /**
   * Where it was saved (`save_to`).
   */
  path?: string,
  /**
   * The bytes in standard base64 (`inline`).
   */
  data_b64?: string, } | { "kind": "upload_cancelled",
  /**
   * The send's LocalID.
   */
  local_id: LocalId, } | { "kind": "logged_out", } | { "kind": "contacts",
  /**
   * Sorted by the name shown (remark, else nick name).
   */
  contacts: Array<Contact>, } | { "kind": "me" } & Me;

/**
 * A contact as the `contacts` query lists it (names normalized: emoji spans and
 * entities decoded).
 */
export type Contact = {
  /**
   * Its UserName (session-scoped: `@…` people, `@@…` groups, fixed names for special
   * accounts): name it with this to be sure.
   */
  user_name: string,
  /**
   * The name it chose.
   */
  nick_name: string,
  /**
   * The name you gave it, or empty.
   */
  remark_name: string,
  /**
   * What it is, as the core classifies it.
   */
  kind: ContactKind,
  /**
   * Its WeChat id, or empty (the server mostly leaves it out).
   */
  alias: string,
  /**
   * Its signature, or empty.
   */
  signature: string,
  /**
   * Its province, or empty.
   */
  province: string,
  /**
   * Its city, or empty.
   */
  city: string,
  /**
   * 1 male, 2 female, 0 unknown.
   */
  sex: number,
  /**
   * Whether its chat is pinned (`ContactFlag & 0x800`).
   */
  pinned: boolean,
  /**
   * How many members (groups only).
   */
  member_count?: number,
  /**
   * The members (groups, with `"members": true`; empty until they are fetched).
   */
  members?: Array<Member>, };

/**
 * A change to the store.
 */
export type ContactChange = { "change": "added",
  /**
   * UserName.
   */
  user_name: string,
  /**
   * Kind.
   */
  kind: ContactKind, } | { "change": "updated",
  /**
   * UserName.
   */
  user_name: string,
  /**
   * Kind.
   */
  kind: ContactKind, } | { "change": "removed",
  /**
   * UserName.
   */
  user_name: string, };

/**
 * What kind of contact a UserName is.
 */
export type ContactKind = "myself" | "friend" | "group" | "official" | "file_helper" | "special";

/**
 * Counts by kind.
 */
export type ContactSummary = {
  /**
   * All entries.
   */
  total: number,
  /**
   * People.
   */
  friends: number,
  /**
   * Groups.
   */
  groups: number,
  /**
   * Official accounts.
   */
  official: number,
  /**
   * Special accounts and the file helper.
   */
  special: number, };

/**
 * What to download.
 */
export type Download = { "what": "image",
  /**
   * The message's `MsgId`.
   */
  msg_id: string,
  /**
   * The thumbnail instead of the full image.
   */
  thumbnail: boolean, } | { "what": "voice",
  /**
   * The message's `MsgId`.
   */
  msg_id: string, } | { "what": "video",
  /**
   * The message's `MsgId`.
   */
  msg_id: string, } | { "what": "file",
  /**
   * Who sent it (`FromUserName`).
   */
  sender: string,
  /**
   * Its `MediaId`.
   */
  media_id: string,
  /**
   * Its `FileName`.
   */
  file_name: string,
  /**
   * Its `EncryFileName`, or empty.
   */
  encry_file_name: string, } | { "what": "avatar",
  /**
   * The UserName.
   */
  user_name: string, } | { "what": "member_avatar",
  /**
   * The member's UserName.
   */
  user_name: string,
  /**
   * The group's UserName.
   */
  group: string, };

/**
 * Identifies a download.
 */
export type DownloadId = number;

/**
 * An error answer.
 */
export type ErrorInfo = {
  /**
   * What kind of error.
   */
  kind: ErrorKind,
  /**
   * A sentence for people.
   */
  message: string,
  /**
   * The server's code, for `refused`.
   */
  ret?: number,
  /**
   * How the transport failed, for `transport`.
   */
  transport?: TransportErrorKind,
  /**
   * The name, for `unknown_name` and `ambiguous_name`.
   */
  name?: string,
  /**
   * The contacts a name could have meant.
   */
  candidates?: Array<Candidate>, };

/**
 * What kind of error a command answered with.
 */
export type ErrorKind = "bad_command" | "invalid" | "too_large" | "not_logged_in" | "unknown_name" | "ambiguous_name" | "unknown" | "refused" | "transport" | "protocol" | "timeout" | "session_ended" | "cancelled" | "unsupported" | "io";

/**
 * Something that happened in the session.
 */
export type Event = { "event": "qr_code",
  /**
   * The uuid.
   */
  uuid: string,
  /**
   * What the QR encodes: `https://login.weixin.qq.com/l/<uuid>`.
   */
  url: string,
  /**
   * The server's PNG of it.
   */
  image_url: string, } | { "event": "scanned",
  /**
   * The `data:img/jpg;base64,..` avatar, if sent.
   */
  avatar: string | null, } | { "event": "qr_expired" } | { "event": "qr_cancelled" } | { "event": "push_login_sent" } | { "event": "push_login_failed",
  /**
   * Why.
   */
  reason: string, } | { "event": "resume_failed",
  /**
   * The server's code.
   */
  ret: Ret, } | { "event": "logged_in",
  /**
   * Our UserName.
   */
  user_name: string,
  /**
   * Our nickname.
   */
  nick_name: string, } | { "event": "contacts_loaded" } & ContactSummary | { "event": "ready" } | { "event": "contact" } & ContactChange | { "event": "message" } & Message | { "event": "session_changed" } | { "event": "logged_out",
  /**
   * Why.
   */
  reason: LogoutReason, } | { "event": "command" } & CommandEvent;

/**
 * A send's `LocalID` (the same value as its `ClientMsgId`): 17 digits.
 */
export type LocalId = string;

/**
 * A location.
 */
export type Location = {
  /**
   * The address label (`<location label>`, else the text before `:<br/>`).
   */
  label: string,
  /**
   * Latitude (`<location x>`, else the `coord=` of the map URL).
   */
  lat: number | null,
  /**
   * Longitude (`<location y>`, else the `coord=` of the map URL).
   */
  lng: number | null,
  /**
   * `<location scale>` (map zoom).
   */
  scale: number | null,
  /**
   * Point of interest name (`poiname`), or empty.
   */
  poi_name: string,
  /**
   * Point of interest id (`poiid`), or empty.
   */
  poi_id: string,
  /**
   * `Url`: the map link (`apis.map.qq.com/…`), or empty.
   */
  map_url: string,
  /**
   * The map snapshot path (`/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?…`), or empty.
   */
  image_url: string, };

/**
 * Why the session ended.
 */
export type LogoutReason = { "reason": "requested" } | { "reason": "remote",
  /**
   * The code.
   */
  ret: Ret, } | { "reason": "login_refused",
  /**
   * The code.
   */
  ret: Ret,
  /**
   * The server's message.
   */
  message: string, } | { "reason": "qr_expired" } | { "reason": "too_frequent" } | { "reason": "unreachable",
  /**
   * The endpoint that failed last.
   */
  endpoint: string,
  /**
   * How.
   */
  kind: TransportErrorKind, } | { "reason": "protocol",
  /**
   * The last error.
   */
  error: ParseError, } | { "reason": "refused",
  /**
   * The endpoint.
   */
  endpoint: string,
  /**
   * The code.
   */
  ret: Ret,
  /**
   * The message.
   */
  message: string, };

/**
 * What the `me` query answers: where the session is, who we are, how many contacts.
 */
export type Me = {
  /**
   * Where the session is.
   */
  phase: SessionPhase,
  /**
   * Our UserName, once logged in.
   */
  user_name?: string,
  /**
   * Our nick name, once logged in.
   */
  nick_name?: string,
  /**
   * The address book, by kind.
   */
  contacts: ContactSummary,
  /**
   * What waits in the send queue ([`crate::pacing`]).
   */
  send_queue: SendQueue, };

/**
 * How a file is sent once uploaded.
 */
export type MediaKind = "image" | "video" | "emoticon" | "file";

/**
 * A group member.
 */
export type Member = {
  /**
   * Its UserName.
   */
  user_name: string,
  /**
   * Its nick name.
   */
  nick_name: string,
  /**
   * Its display name in the group, or empty.
   */
  display_name: string, };

/**
 * A received message, typed.
 */
export type Message = {
  /**
   * `MsgId`: the id for media downloads (`webwxgetmsgimg?MsgID=`…) and revoking.
   */
  id: string,
  /**
   * `NewMsgId` (a string in JSON: it does not fit a JavaScript number).
   */
  new_id: string,
  /**
   * `FromUserName`.
   */
  from: string,
  /**
   * `ToUserName`.
   */
  to: string,
  /**
   * The conversation: the peer (or group) — `to` for my own messages, else `from`.
   */
  chat: string,
  /**
   * The real sender: in groups the member split from the `@id:<br/>` prefix (the
   * group itself when there is none, e.g. system messages); my user name for
   * outgoing messages; else `from`.
   */
  sender: string,
  /**
   * Whether `chat` is a group.
   */
  is_group: boolean,
  /**
   * Whether I sent it (from this or another of my devices).
   */
  outgoing: boolean,
  /**
   * `CreateTime`: seconds since the Unix epoch.
   */
  time: number,
  /**
   * Whether an incoming group text mentions me (`@` + my display name in the group,
   * else my nick name, ended by U+2005, a space or the end), or the `MsgSource`
   * at-user list names me.
   */
  mentioned_me: boolean,
  /**
   * User names of the `MsgSource` `<atuserlist>` (empty when absent, as it mostly is
   * on the web).
   */
  mentions: Array<string>,
  /**
   * Names mentioned in a group text (`@name` followed by U+2005).
   */
  mentioned_names: Array<string>,
  /**
   * What the message is.
   */
  kind: MessageKind,
  /**
   * The entry as it came.
   */
  raw: RawMessage, };

/**
 * What a message is, by `MsgType` (and `AppMsgType`, `SubMsgType`), with the fields a
 * bot needs. Serialized with a `"kind"` tag, e.g. `{"kind": "text", "text": "hi"}`.
 */
export type MessageKind = { "kind": "text",
  /**
   * The normalized text (group sender prefix removed).
   */
  text: string, } | { "kind": "image",
  /**
   * `ImgWidth`: width of the thumbnail the server renders.
   */
  thumb_width: number,
  /**
   * `ImgHeight`: height of the thumbnail.
   */
  thumb_height: number,
  /**
   * Size in bytes of the full image (`<img length>`), when the XML is present.
   */
  size: number | null,
  /**
   * Size in bytes of the HD image (`<img hdlength>`).
   */
  hd_size: number | null,
  /**
   * Size in bytes of the thumbnail (`cdnthumblength`).
   */
  thumb_size: number | null,
  /**
   * MD5 of the image (`<img md5>`), or empty.
   */
  md5: string, } | { "kind": "voice",
  /**
   * `VoiceLength`: duration in milliseconds.
   */
  duration_ms: number,
  /**
   * Size in bytes (`<voicemsg length>`).
   */
  size: number | null,
  /**
   * `<voicemsg voiceformat>` (4: silk/amr as the phone recorded it).
   */
  format: number | null, } | { "kind": "friend_request",
  /**
   * Who asks (`RecommendInfo`, completed from the XML).
   */
  contact: RecommendContact,
  /**
   * The greeting the requester wrote.
   */
  greeting: string,
  /**
   * `RecommendInfo.Ticket`: needed to accept.
   */
  ticket: string,
  /**
   * `Scene`: where the request came from (14 group, 17 card, 30 QR code…).
   */
  scene: number,
  /**
   * `OpCode` (2: request).
   */
  op_code: number,
  /**
   * The group the requester found me in (`chatroomusername`), or empty.
   */
  chatroom: string, } | { "kind": "possible_friend",
  /**
   * The recommended contact.
   */
  contact: RecommendContact,
  /**
   * `Scene` of the recommendation.
   */
  scene: number, } | { "kind": "card",
  /**
   * The contact on the card (`RecommendInfo`, completed from the XML).
   */
  contact: RecommendContact,
  /**
   * Whether the card is an official account (`VerifyFlag & 8`).
   */
  is_official: boolean,
  /**
   * `Scene` (17 for cards).
   */
  scene: number,
  /**
   * `antispamticket` of the card XML, or empty.
   */
  antispam_ticket: string, } | { "kind": "video" } & VideoInfo | { "kind": "micro_video" } & VideoInfo | { "kind": "emoticon",
  /**
   * MD5 of the emoticon (`<emoji md5>`), or empty (store emoticons come with no XML).
   */
  md5: string,
  /**
   * Download URL (`<emoji cdnurl>`), or empty.
   */
  cdn_url: string,
  /**
   * `<emoji width>`, else `ImgWidth`.
   */
  width: number,
  /**
   * `<emoji height>`, else `ImgHeight`.
   */
  height: number,
  /**
   * Size in bytes (`<emoji len>`).
   */
  size: number | null,
  /**
   * Store product id (`<emoji productid>`), or empty.
   */
  product_id: string,
  /**
   * `<emoji type>` (2: GIF).
   */
  emoji_type: number | null, } | { "kind": "location" } & Location | { "kind": "app" } & AppMessage | { "kind": "voip",
  /**
   * 50 message, 52 notify, 53 invite.
   */
  msg_type: number,
  /**
   * The bubble text if the XML has one (`<VoIPBubbleMsg><msg>`), else the normalized content.
   */
  text: string,
  /**
   * `<roomid>` of an invitation, when present (a string in JSON).
   */
  room_id: string | null, } | { "kind": "status_notify",
  /**
   * `StatusNotifyCode`.
   */
  code: number,
  /**
   * What the code means.
   */
  op: StatusNotifyOp,
  /**
   * `StatusNotifyUserName` split at commas: for `SyncConv` (4) the recent
   * conversations, otherwise the chat concerned.
   */
  user_names: Array<string>, } | { "kind": "sys_notice",
  /**
   * The normalized content.
   */
  text: string, } | { "kind": "system",
  /**
   * The normalized text.
   */
  text: string,
  /**
   * What happened, when recognized.
   */
  event: SystemEvent, } | { "kind": "revoke",
  /**
   * `<msgid>`: the `MsgId` of the revoked message (`"0"`: the last one I sent).
   */
  revoked_msg_id: string,
  /**
   * `<oldmsgid>`: the short id of the revoked message.
   */
  old_msg_id: string,
  /**
   * `<session>`: the conversation (long user name).
   */
  session: string,
  /**
   * `<replacemsg>`: the text that replaces it, e.g. `"丶" 撤回了一条消息`.
   */
  replace_text: string,
  /**
   * Who revoked, read from the replace text.
   */
  revoker: Party | null,
  /**
   * What was revoked, when this session saw it (the client keeps its newest
   * messages, [`RecentLimits`](crate::client::RecentLimits)): set by the
   * [`Client`](crate::Client), never by [`Message::from_raw`](super::Message::from_raw).
   */
  original?: RevokedMessage, } | { "kind": "unknown",
  /**
   * The `MsgType`.
   */
  msg_type: number,
  /**
   * The raw `Content`.
   */
  raw: string, };

/**
 * Identifies an operation (revoke, mark read, friend and group operations).
 */
export type OpId = number;

/**
 * What an operation was.
 */
export type OpKind = "revoke" | "mark_read" | "add_friend" | "accept_friend" | "create_group" | "add_members" | "invite_members" | "remove_members" | "rename_group" | "set_remark" | "pin" | "unpin" | "fetch_group_members";

/**
 * What a successful operation produced.
 */
export type OpOutcome = { "outcome": "done" } | { "outcome": "group_created",
  /**
   * The new group's UserName (`@@…`).
   */
  group: string,
  /**
   * Its topic.
   */
  topic: string,
  /**
   * Members the server did not add (`MemberStatus != 0`).
   */
  failed: Array<string>, } | { "outcome": "members_fetched",
  /**
   * The group.
   */
  group: string,
  /**
   * Number of members.
   */
  members: number, };

/**
 * A response body that does not have the shape the endpoint answers with.
 */
export type ParseError = {
  /**
   * The endpoint whose answer this was (`"synccheck"`, `"webwxinit"`, ...).
   */
  endpoint: string,
  /**
   * What was wrong.
   */
  kind: ParseErrorKind,
  /**
   * The first bytes of the body (at most 160 characters), with secrets redacted.
   */
  excerpt: string, };

/**
 * What was wrong with a response body.
 */
export type ParseErrorKind = { "Status": number } | { "Json": string } | { "Xml": string } | { "Js": string } | { "Missing": string } | { "Invalid": string };

/**
 * Someone named in a system message: me (`你` / `You`), or a display name.
 * Serialized as `"me"` or `{"name": "…"}`.
 */
export type Party = "me" | { "name": string };

/**
 * `AppInfo` of an `AddMsgList` entry.
 */
export type RawAppInfo = {
  /**
   * `AppID`.
   */
  AppID: string,
  /**
   * `Type`.
   */
  Type: number, };

/**
 * One `AddMsgList` entry, as the server sends it.
 */
export type RawMessage = {
  /**
   * `MsgId`: the message id (a decimal string); used to download media and to revoke.
   */
  MsgId: string,
  /**
   * `FromUserName`: the sender (`@…` contact, `@@…` group, or a special name such as `fmessage`).
   */
  FromUserName: string,
  /**
   * `ToUserName`: the receiver.
   */
  ToUserName: string,
  /**
   * `MsgType` (constants.md §4).
   */
  MsgType: number,
  /**
   * `Content`: HTML-escaped text or XML, `<br/>` line breaks, emoji as `<span>`s.
   */
  Content: string,
  /**
   * `Status`.
   */
  Status: number,
  /**
   * `ImgStatus`.
   */
  ImgStatus: number,
  /**
   * `CreateTime`: seconds since the Unix epoch.
   */
  CreateTime: number,
  /**
   * `VoiceLength`: milliseconds (voice messages).
   */
  VoiceLength: number,
  /**
   * `PlayLength`: seconds (videos).
   */
  PlayLength: number,
  /**
   * `FileName`: file name (files), title (links), or a caption.
   */
  FileName: string,
  /**
   * `FileSize`: a decimal string, often empty.
   */
  FileSize: string,
  /**
   * `MediaId`: the attachment id for `webwxgetmedia`.
   */
  MediaId: string,
  /**
   * `Url`: link of app messages, map link of locations.
   */
  Url: string,
  /**
   * `AppMsgType`: subtype of app messages (49).
   */
  AppMsgType: number,
  /**
   * `StatusNotifyCode` (51): 1 read, 2 enter session, 3 inited, 4 sync conversations, 5 quit session.
   */
  StatusNotifyCode: number,
  /**
   * `StatusNotifyUserName` (51): one user name, or a comma-separated list.
   */
  StatusNotifyUserName: string,
  /**
   * `RecommendInfo`: the contact of friend requests (37), possible friends (40) and cards (42).
   */
  RecommendInfo: RawRecommendInfo,
  /**
   * `ForwardFlag`.
   */
  ForwardFlag: number,
  /**
   * `AppInfo`: the app that produced an app message.
   */
  AppInfo: RawAppInfo,
  /**
   * `HasProductId`.
   */
  HasProductId: number,
  /**
   * `Ticket`.
   */
  Ticket: string,
  /**
   * `ImgHeight`: height of the (thumbnail) image or video.
   */
  ImgHeight: number,
  /**
   * `ImgWidth`: width of the (thumbnail) image or video.
   */
  ImgWidth: number,
  /**
   * `SubMsgType`: 48 marks a location sent as a text message.
   */
  SubMsgType: number,
  /**
   * `NewMsgId`: the 64-bit message id (a JSON number).
   */
  NewMsgId: string,
  /**
   * `OriContent`: the location XML of a location-in-text message.
   */
  OriContent: string,
  /**
   * `EncryFileName`: URL-encoded file name for `webwxgetmedia`.
   */
  EncryFileName: string,
  /**
   * `MsgSource`: `<msgsource>` XML with the `<atuserlist>`; not always present.
   */
  MsgSource: string, };

/**
 * `RecommendInfo` of an `AddMsgList` entry.
 */
export type RawRecommendInfo = {
  /**
   * `UserName`: the contact's session user name (`@…`).
   */
  UserName: string,
  /**
   * `NickName`.
   */
  NickName: string,
  /**
   * `QQNum`.
   */
  QQNum: string,
  /**
   * `Province`.
   */
  Province: string,
  /**
   * `City`.
   */
  City: string,
  /**
   * `Content`: the greeting of a friend request.
   */
  Content: string,
  /**
   * `Signature`.
   */
  Signature: string,
  /**
   * `Alias`: the WeChat id the contact chose, if any.
   */
  Alias: string,
  /**
   * `Scene`: how the request came (e.g. 14 group, 17 card, 30 QR code).
   */
  Scene: number,
  /**
   * `VerifyFlag`: `& 8` marks an official account.
   */
  VerifyFlag: number,
  /**
   * `AttrStatus`.
   */
  AttrStatus: number,
  /**
   * `Sex`: 1 male, 2 female, 0 unknown.
   */
  Sex: number,
  /**
   * `Ticket`: needed to accept a friend request (`webwxverifyuser` Opcode 3).
   */
  Ticket: string,
  /**
   * `OpCode`.
   */
  OpCode: number, };

/**
 * The contact carried by friend requests, possible friends and cards
 * (`RecommendInfo`, completed from the content XML where it is empty).
 */
export type RecommendContact = {
  /**
   * Session user name (`@…`), usable in `webwxverifyuser`; may be empty on cards of strangers.
   */
  user_name: string,
  /**
   * Nick name (normalized).
   */
  nick_name: string,
  /**
   * WeChat id chosen by the user (`Alias` / `alias`), or empty.
   */
  alias: string,
  /**
   * Province.
   */
  province: string,
  /**
   * City.
   */
  city: string,
  /**
   * 1 male, 2 female, 0 unknown.
   */
  sex: number,
  /**
   * Signature (normalized).
   */
  signature: string,
  /**
   * `VerifyFlag` (`& 8`: official account).
   */
  verify_flag: number,
  /**
   * The long user name from the XML (`fromusername` / `username`: `wxid_…`,
   * `v1_…@stranger`, `gh_…`), or empty.
   */
  long_user_name: string,
  /**
   * Head image URL from the XML (`bigheadimgurl`, else `smallheadimgurl`), or empty.
   */
  head_img_url: string, };

/**
 * A command as a host writes it: the [`Command`] object, and beside its fields an
 * optional `"id"` (echoed as the answer's `"answer"`) and `"timeout_ms"` (answer
 * `timeout` after this long instead of the command's default). Only for the schema:
 * [`Request::parse`](super::Request::parse) reads it.
 */
export type Request = {
  /**
   * Echoed as the answer's `"answer"`.
   */
  id?: CommandId,
  /**
   * Answer a `timeout` error after this many milliseconds (a positive integer).
   */
  timeout_ms?: number, } & ({ "cmd": "send_text",
  /**
   * The chat.
   */
  to: string,
  /**
   * The text, as sent (write `@Name\u2005` for a mention).
   */
  text: string,
  /**
   * Group members to @mention (UserNames, display or nick names in the group).
   */
  mentions?: Array<string>, } | { "cmd": "send_file",
  /**
   * The chat.
   */
  to: string,
  /**
   * The file name (required with `data_b64`; defaults to the name in `path`).
   */
  file_name?: string,
  /**
   * The bytes, standard base64.
   */
  data_b64?: string,
  /**
   * A local file (not over the gateway's HTTP API, nor in the browser).
   */
  path?: string,
  /**
   * Send as this kind instead of the extension's.
   */
  as?: MediaKind, } | { "cmd": "send_emoticon",
  /**
   * The chat.
   */
  to: string,
  /**
   * The sticker's md5.
   */
  md5?: string,
  /**
   * The MediaId of an uploaded GIF.
   */
  media_id?: string, } | { "cmd": "forward",
  /**
   * The chat to forward to.
   */
  to: string,
  /**
   * The `id` of a message seen in this session (the newest are kept: by default
   * 512 at most, taking 8 KiB at most).
   */
  msg_id?: string,
  /**
   * The message itself, as its event carried it (read only with the
   * `inline-forward` feature, on by default; without it — the browser package —
   * forward by `msg_id`).
   */
  message?: Message, } | { "cmd": "revoke",
  /**
   * The chat.
   */
  to: string,
  /**
   * The server's MsgId of the message.
   */
  msg_id: string, } | { "cmd": "mark_read",
  /**
   * The chat.
   */
  chat: string, } | { "cmd": "download",
  /**
   * A message seen in this session (image, voice, video or file).
   */
  msg_id?: string,
  /**
   * What to download, when not by `msg_id` (avatars, a file by its MediaId…).
   */
  media?: Download,
  /**
   * Save to this directory or new file.
   */
  save_to?: string,
  /**
   * Answer with the bytes in base64 (the default where `save_to` is not given).
   */
  inline?: boolean, } | { "cmd": "accept_friend",
  /**
   * The friend request message (seen in this session).
   */
  msg_id?: string,
  /**
   * The requester's UserName.
   */
  user_name?: string,
  /**
   * The request's ticket.
   */
  ticket?: string, } | { "cmd": "add_friend",
  /**
   * Their UserName.
   */
  user_name: string,
  /**
   * The greeting.
   */
  greeting?: string, } | { "cmd": "create_group",
  /**
   * Its name.
   */
  topic: string,
  /**
   * Friends to put in it.
   */
  members: Array<string>, } | { "cmd": "add_members",
  /**
   * The group.
   */
  group: string,
  /**
   * Who.
   */
  members: Array<string>, } | { "cmd": "remove_members",
  /**
   * The group.
   */
  group: string,
  /**
   * Who.
   */
  members: Array<string>, } | { "cmd": "rename_group",
  /**
   * The group.
   */
  group: string,
  /**
   * The new name.
   */
  topic: string, } | { "cmd": "set_remark",
  /**
   * The contact.
   */
  user: string,
  /**
   * The remark name (empty clears it).
   */
  remark: string, } | { "cmd": "pin",
  /**
   * The chat.
   */
  chat: string, } | { "cmd": "unpin",
  /**
   * The chat.
   */
  chat: string, } | { "cmd": "fetch_group_members",
  /**
   * The group.
   */
  group: string, } | { "cmd": "cancel_upload",
  /**
   * The `id` of the `send_file` command.
   */
  command?: CommandId,
  /**
   * The send's LocalID.
   */
  local_id?: string,
  /**
   * The upload's id.
   */
  upload?: number, } | { "cmd": "logout", } | { "cmd": "contacts",
  /**
   * Only this kind (`special` takes the file helper too).
   */
  kind?: ContactKind,
  /**
   * Only contacts whose UserName is this, or whose nick name, remark name or
   * alias contains it (case-insensitively).
   */
  search?: string,
  /**
   * List each group's members too.
   */
  members?: boolean, } | { "cmd": "me", });

/**
 * A `BaseResponse.Ret` (or XML `<ret>`, or synccheck `retcode`) value: the number the
 * server sent, with the known codes as named constants (`constants.md` of the official
 * client). It serializes as the plain number. Any code is a `Ret`, so one the library
 * does not name yet still equals the constant a later version adds.
 */
export type Ret = number;

/**
 * The message a revoke took back, as this session saw it before.
 */
export type RevokedMessage = {
  /**
   * Its kind: the `"kind"` tag of its [`MessageKind`] (`text`, `image`, `app`…).
   */
  kind: string,
  /**
   * Its text: a text's text, an app message's title (a link, a file name), a
   * location's label; `None` for media without one.
   */
  text?: string,
  /**
   * Who had sent it (the member in a group).
   */
  sender: string,
  /**
   * When it was sent (`CreateTime`, seconds since the Unix epoch).
   */
  time: number, };

/**
 * What is waiting in a session's send queue ([`Client::send_queue`](crate::Client::send_queue),
 * and the `me` query's `send_queue`).
 */
export type SendQueue = {
  /**
   * Requests waiting for their slot.
   */
  queued: number,
  /**
   * When the next of them goes (wall-clock ms since the epoch), if any waits.
   */
  next_at_ms?: number,
  /**
   * Paused after a 1205 until then (wall-clock ms since the epoch).
   */
  cooldown_until_ms?: number, };

/**
 * Where a session is, as [`Client::session_phase`] tells a host.
 */
export type SessionPhase = "idle" | "logging_in" | "starting" | "ready" | "logging_out" | "logged_out";

/**
 * `StatusNotifyCode` meanings (constants.md §4).
 */
export type StatusNotifyOp = "readed" | "enter_session" | "inited" | "sync_conv" | "quit_session" | "other";

/**
 * A recognized MsgType 10000 event, tagged by `"type"`.
 */
export type SystemEvent = { "type": "group_invite",
  /**
   * Who invited.
   */
  inviter: Party,
  /**
   * Who was invited.
   */
  invitees: Array<Party>, } | { "type": "group_join_qr_code",
  /**
   * Who joined.
   */
  member: Party,
  /**
   * Whose QR code.
   */
  sharer: Party, } | { "type": "group_remove",
  /**
   * Who removed.
   */
  remover: Party,
  /**
   * Who was removed.
   */
  removed: Array<Party>, } | { "type": "group_topic",
  /**
   * Who changed it.
   */
  changer: Party,
  /**
   * The new group name.
   */
  topic: string, } | { "type": "contact_added",
  /**
   * The new contact's name.
   */
  contact: string,
  /**
   * Whether I added them (else they added me).
   */
  by_me: boolean, } | { "type": "other" };

/**
 * A transport failure, as reported by the driver.
 */
export type TransportErrorKind = "Connect" | "Timeout" | "Reset" | "TooLarge" | "Other";

/**
 * Identifies an upload (answer its `CommandEvent::UploadNeedsData` with it).
 */
export type UploadId = number;

/**
 * Video and micro video details.
 */
export type VideoInfo = {
  /**
   * `PlayLength` (else `<videomsg playlength>`): duration in seconds.
   */
  play_length: number,
  /**
   * `ImgWidth`: thumbnail width (else `cdnthumbwidth`).
   */
  thumb_width: number,
  /**
   * `ImgHeight`: thumbnail height (else `cdnthumbheight`).
   */
  thumb_height: number,
  /**
   * Size in bytes (`<videomsg length>`), when the XML is present.
   */
  size: number | null,
  /**
   * Thumbnail size in bytes (`cdnthumblength`).
   */
  thumb_size: number | null,
  /**
   * MD5 of the video (`<videomsg md5>`), or empty.
   */
  md5: string, };
