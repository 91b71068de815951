//! Media downloads: what to download ([`Download`]), what comes back
//! ([`DownloadedMedia`]), and file names that are safe to write ([`safe_file_name`]).

use crate::error::{ParseError, ParseErrorKind, ResponseError};
use crate::message::{AppDetail, Message, MessageKind};
use serde::{Deserialize, Serialize};

mod download_de;

/// Longest name [`safe_file_name`] returns, in bytes.
pub const MAX_FILE_NAME_LEN: usize = 200;

/// Longest extension [`safe_file_name`] keeps apart when it shortens a name, in bytes.
const MAX_EXT_LEN: usize = 16;

/// What to download.
// `Deserialize`: `download_de` (without serde's `Content`; the attributes here are what
// `Serialize` writes and what the schema says).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema, ts_rs::TS))]
#[serde(tag = "what", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Download {
    /// The image of a message (`webwxgetmsgimg`): full size, or the thumbnail
    /// (`type=slave`).
    Image {
        /// The message's `MsgId`.
        msg_id: String,
        /// The thumbnail instead of the full image.
        thumbnail: bool,
    },
    /// The voice clip of a message (`webwxgetvoice`, MP3).
    Voice {
        /// The message's `MsgId`.
        msg_id: String,
    },
    /// The video of a message (`webwxgetvideo` with `Range: bytes=0-`).
    Video {
        /// The message's `MsgId`.
        msg_id: String,
    },
    /// The file of an app message (`webwxgetmedia` on the file host).
    File {
        /// Who sent it (`FromUserName`).
        sender: String,
        /// Its `MediaId`.
        media_id: String,
        /// Its `FileName`.
        file_name: String,
        /// Its `EncryFileName`, or empty.
        encry_file_name: String,
    },
    /// The avatar of a contact (`webwxgeticon`) or of a group (`webwxgetheadimg`).
    Avatar {
        /// The UserName.
        user_name: String,
    },
    /// The avatar of a group member who may not be a contact (`webwxgeticon` with the
    /// group's `EncryChatRoomId` as `chatroomid`).
    MemberAvatar {
        /// The member's UserName.
        user_name: String,
        /// The group's UserName.
        group: String,
    },
}

impl Download {
    /// The download of a message's media: the full image, the voice clip, the video, or
    /// the file of a file message; `None` for other messages.
    pub fn for_message(msg: &Message) -> Option<Download> {
        let msg_id = msg.id.clone();
        match &msg.kind {
            MessageKind::Image { .. } => Some(Download::Image {
                msg_id,
                thumbnail: false,
            }),
            MessageKind::Voice { .. } => Some(Download::Voice { msg_id }),
            MessageKind::Video(_) | MessageKind::MicroVideo(_) => Some(Download::Video { msg_id }),
            MessageKind::App(app) => match &app.detail {
                AppDetail::File {
                    file_name,
                    media_id,
                    encry_file_name,
                    ..
                } if !media_id.is_empty() => Some(Download::File {
                    sender: msg.from.clone(),
                    media_id: media_id.clone(),
                    file_name: file_name.clone(),
                    encry_file_name: encry_file_name.clone(),
                }),
                _ => None,
            },
            _ => None,
        }
    }

    /// A file name for the result before the extension: the message id, the file's name,
    /// or the user name.
    pub(crate) fn base_name(&self) -> String {
        match self {
            Download::Image { msg_id, thumbnail } => {
                if *thumbnail {
                    format!("{msg_id}_thumb")
                } else {
                    msg_id.clone()
                }
            }
            Download::Voice { msg_id } | Download::Video { msg_id } => msg_id.clone(),
            Download::File {
                file_name,
                encry_file_name,
                ..
            } => {
                if file_name.is_empty() {
                    percent_encoding::percent_decode_str(encry_file_name)
                        .decode_utf8_lossy()
                        .into_owned()
                } else {
                    file_name.clone()
                }
            }
            Download::Avatar { user_name } | Download::MemberAvatar { user_name, .. } => {
                user_name.clone()
            }
        }
    }
}

/// A downloaded media: the bytes, their content type and a file name safe to write.
/// (`Debug` shows the length, not the bytes; serde carries them in base64.)
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadedMedia {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The `Content-Type` the server sent (`image/jpeg`, `video/mp4`, `audio/mp3`…), or
    /// empty.
    pub content_type: String,
    /// A suggested file name, already through [`safe_file_name`].
    pub file_name: String,
}

impl DownloadedMedia {
    /// The result of `what` with `body`: the file name from the download (message id, file
    /// name, user name) with an extension from the content type when it has none.
    pub fn new(what: &Download, body: MediaBody) -> DownloadedMedia {
        let base = what.base_name();
        let name = if matches!(what, Download::File { .. }) && !base.is_empty() {
            base
        } else {
            format!("{base}.{}", extension_for(&body.content_type, what))
        };
        DownloadedMedia {
            file_name: safe_file_name(&name),
            bytes: body.bytes,
            content_type: body.content_type,
        }
    }
}

impl std::fmt::Debug for DownloadedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadedMedia")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .finish()
    }
}

/// The serde form: `{"file_name", "content_type", "len", "data_b64"}` (the bytes in
/// standard base64). Never on the JSON boundary itself, where a download's bytes reach
/// the host as its command's answer (see [`crate::boundary`]).
#[derive(Serialize, Deserialize)]
struct MediaJson {
    file_name: String,
    content_type: String,
    len: usize,
    data_b64: String,
}

impl Serialize for DownloadedMedia {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        MediaJson {
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            len: self.bytes.len(),
            data_b64: base64::engine::general_purpose::STANDARD.encode(&self.bytes),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for DownloadedMedia {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use base64::Engine as _;
        let m = MediaJson::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(m.data_b64.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("data_b64: {e}")))?;
        if bytes.len() != m.len {
            return Err(serde::de::Error::custom(format!(
                "len {} but data_b64 holds {} bytes",
                m.len,
                bytes.len()
            )));
        }
        Ok(DownloadedMedia {
            bytes,
            content_type: m.content_type,
            file_name: m.file_name,
        })
    }
}

/// A file extension for a content type (`jpg` for `image/jpeg`…), falling back on the
/// usual type of the download.
fn extension_for(content_type: &str, what: &Download) -> &'static str {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/bmp" => "bmp",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "audio/mp3" | "audio/mpeg" => "mp3",
        "audio/amr" => "amr",
        "audio/silk" => "silk",
        _ => match what {
            Download::Image { .. } | Download::Avatar { .. } | Download::MemberAvatar { .. } => {
                "jpg"
            }
            Download::Voice { .. } => "mp3",
            Download::Video { .. } => "mp4",
            Download::File { .. } => "bin",
        },
    }
}

/// A media answer: the bytes and the `Content-Type`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct MediaBody {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The `Content-Type`, or empty.
    pub content_type: String,
}

impl std::fmt::Debug for MediaBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaBody")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Reads a media answer of `endpoint`: 200 or 206 with a non-empty body. A JSON body with
/// a non-zero `BaseResponse.Ret` (an expired session, an unknown id) is the server's
/// refusal.
pub fn parse_media(
    endpoint: &str,
    resp: &http::Response<Vec<u8>>,
) -> Result<MediaBody, ResponseError> {
    let content_type = check_media(endpoint, resp)?;
    Ok(MediaBody {
        bytes: resp.body().clone(),
        content_type,
    })
}

/// Marks a download's response whose body a driver streamed to the host's writer instead
/// of handing it to the core (the response's own body is then empty): put it in the
/// response's extensions. The driver streams only an answer that passed [`check_media`]
/// on its head and first bytes; anything else reaches the core whole, as usual, for the
/// core to judge and retry.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Streamed {
    /// Bytes written to the writer.
    pub len: u64,
    /// The transfer broke after bytes had reached the writer (which cannot be rewound):
    /// the download fails with this, not retried.
    pub failed: Option<crate::TransportErrorKind>,
}

impl Streamed {
    /// `len` bytes streamed, all of them.
    pub fn complete(len: u64) -> Streamed {
        Streamed { len, failed: None }
    }

    /// The transfer broke with `kind` after `len` bytes.
    pub fn broken(len: u64, kind: crate::TransportErrorKind) -> Streamed {
        Streamed {
            len,
            failed: Some(kind),
        }
    }
}

/// The `Content-Type` of a response, or empty.
pub(crate) fn content_type<B>(resp: &http::Response<B>) -> String {
    resp.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The checks of [`parse_media`] without copying the body: returns the `Content-Type`.
pub fn check_media(
    endpoint: &str,
    resp: &http::Response<Vec<u8>>,
) -> Result<String, ResponseError> {
    let status = resp.status().as_u16();
    if status != 200 && status != 206 {
        return Err(ParseError::new(endpoint, ParseErrorKind::Status(status), resp.body()).into());
    }
    let content_type = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = resp.body();
    if body.is_empty() {
        return Err(ParseError::new(
            endpoint,
            ParseErrorKind::Missing("media bytes (empty body)".into()),
            body,
        )
        .into());
    }
    if body.first() == Some(&b'{')
        && let Ok(Some(base)) = crate::wire::base_response(body)
    {
        base.check()?;
    }
    Ok(content_type)
}

/// Characters that show nothing (or only break a line) and would make two names look
/// alike: zero-width spaces and joiners, bidi controls, the soft hyphen, the line and
/// paragraph separators, word joiner and invisible operators, BOM, interlinear
/// annotation marks.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Windows device names, whatever the extension: CON, PRN, AUX, NUL, CONIN$, CONOUT$,
/// COM0–9 and LPT0–9, and the COM and LPT ports with a superscript ¹ ² ³ (Windows treats
/// them as the same devices).
fn is_reserved_on_windows(stem: &str) -> bool {
    let upper = stem
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let Some(port) = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
    else {
        return false;
    };
    let mut chars = port.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('0'..='9' | '¹' | '²' | '³'), None)
    )
}

/// A file name that is safe to create in a directory, from a name a remote sender chose:
/// no path separators (`/` and `\` become `_`, as do `: * ? " < > |`), no control or
/// invisible bidi characters, no `..` (runs of dots become one), no leading or trailing
/// dots or spaces (no hidden files), not a Windows device name, at most
/// [`MAX_FILE_NAME_LEN`] bytes (the extension is kept), never empty (`file`).
///
/// ```
/// use webwx_core::media::safe_file_name;
/// assert_eq!(safe_file_name("../../etc/passwd"), "_._etc_passwd");
/// assert_eq!(safe_file_name("report.pdf"), "report.pdf");
/// assert_eq!(safe_file_name("\u{202E}gpj.exe"), "gpj.exe");
/// assert_eq!(safe_file_name(".."), "file");
/// ```
pub fn safe_file_name(name: &str) -> String {
    let mut s = String::with_capacity(name.len().min(4 * MAX_FILE_NAME_LEN));
    let mut prev_dot = false;
    for c in name.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() || is_invisible(c) => continue,
            c => c,
        };
        if c == '.' && prev_dot {
            continue;
        }
        prev_dot = c == '.';
        s.push(c);
    }
    let trimmed = s.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let (stem, ext) = match trimmed.rfind('.') {
        Some(i) if i > 0 && trimmed.len() - i - 1 <= MAX_EXT_LEN => {
            (&trimmed[..i], &trimmed[i + 1..])
        }
        _ => (trimmed, ""),
    };
    let mut stem = stem.to_owned();
    if is_reserved_on_windows(&stem) {
        stem.insert(0, '_');
    }
    let budget = MAX_FILE_NAME_LEN - if ext.is_empty() { 0 } else { ext.len() + 1 };
    if stem.len() > budget {
        let mut end = budget;
        while !stem.is_char_boundary(end) {
            end -= 1;
        }
        stem.truncate(end);
    }
    let stem = stem.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let stem = if stem.is_empty() { "file" } else { stem };
    if ext.is_empty() {
        stem.to_owned()
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for (input, want) in [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd", "_._etc_passwd"),
            ("..\\..\\win.ini", "_._win.ini"),
            ("a..b...c", "a.b.c"),
            (".hidden", "hidden"),
            ("trailing. . ", "trailing"),
            ("", "file"),
            ("...", "file"),
            ("a\u{0}b\nc\u{7f}", "abc"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("lpt1", "_lpt1"),
            ("COM10", "COM10"),
            ("照片 1.jpg", "照片 1.jpg"),
            ("what?<>|*:\"x", "what_______x"),
        ] {
            assert_eq!(safe_file_name(input), want, "{input:?}");
        }
        let long = format!("{}.pdf", "é".repeat(300));
        let s = safe_file_name(&long);
        assert!(s.len() <= MAX_FILE_NAME_LEN && s.ends_with(".pdf"), "{s}");
        let long_ext = format!("a.{}", "x".repeat(300));
        assert!(safe_file_name(&long_ext).len() <= MAX_FILE_NAME_LEN);
    }
}
