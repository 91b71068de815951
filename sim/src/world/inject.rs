//! Messages that arrive from the outside (the control API) and the messages the
//! server itself produces (system notices, the conversation list).

use std::sync::Arc;

use base64::Engine;

use super::World;
use super::account::FriendRequest;
use super::generate;
use super::media::{Blob, BlobRef, image_size, sniff_mime};
use super::message::{
    Message, Recommend, encry_file_name, escape_text, escape_xml_content, xml_text,
};
use super::session::EventKind;
use crate::control_types::{ControlError, InjectMessage};
use crate::md5sum::md5_hex;
use crate::pictures;

/// Who a message goes between, resolved.
struct Route {
    from: String,
    to: String,
    /// `@member:<br/>` for group messages from others.
    prefix: String,
    group: Option<String>,
    /// The account's side: `from` is the account itself.
    from_me: bool,
}

fn fake_mp3(seed: &mut crate::prng::SplitMix64, n: usize) -> Vec<u8> {
    let mut v = b"ID3\x03\x00\x00\x00\x00\x00\x00".to_vec();
    v.extend(seed.bytes(n));
    v
}

fn fake_mp4(seed: &mut crate::prng::SplitMix64, n: usize) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 0x18];
    v.extend_from_slice(b"ftypmp42\0\0\0\0mp42isom");
    v.extend(seed.bytes(n));
    v
}

impl World {
    /// Stores bytes the account may download later.
    pub(crate) fn store_blob(&mut self, uin: u64, bytes: Vec<u8>, file_name: &str) -> BlobRef {
        let md5 = md5_hex(&bytes);
        let mime = sniff_mime(&bytes, file_name);
        Arc::new(Blob {
            uin,
            bytes,
            file_name: file_name.to_string(),
            md5,
            mime,
        })
    }

    /// Puts a message in the account's live session; returns its id.
    pub(crate) fn deliver(&mut self, uin: u64, msg: Message) -> u64 {
        let id = msg.msg_id;
        self.push_event(uin, EventKind::Msg(Arc::new(msg)));
        id
    }

    /// A system notice (MsgType 10000) in the chat with `peer`.
    pub(crate) fn system_message(&mut self, uin: u64, peer: &str, text: &str) {
        let Some(acc) = self.accounts.get(&uin) else {
            return;
        };
        let me = acc.me.user_name.clone();
        let id = self.new_msg_id();
        let mut m = Message::new(id, peer, &me, 10000, self.unix_now());
        m.content = text.to_string();
        m.status = 4;
        self.deliver(uin, m);
    }

    /// The "sync conversations" notice (MsgType 51, code 4) the phone sends after a login.
    pub(crate) fn sync_conv_message(&mut self, uin: u64) {
        let Some(acc) = self.accounts.get(&uin) else {
            return;
        };
        let me = acc.me.user_name.clone();
        let mut names = Vec::new();
        let mut ids = Vec::new();
        for c in acc.contacts.iter().filter(|c| !c.wxid.is_empty()).take(12) {
            names.push(c.user_name.clone());
            ids.push(c.wxid.clone());
        }
        let xml = format!(
            "<msg>\n<op id='4'>\n<username>{}</username>\n<unreadchatlist>\n</unreadchatlist>\n<unreadfunctionlist>\n</unreadfunctionlist>\n</op>\n</msg>",
            ids.join(",")
        );
        let id = self.new_msg_id();
        let mut m = Message::new(id, &me, &me, 51, self.unix_now());
        m.content = escape_xml_content(&xml);
        m.status_notify_code = 4;
        m.status_notify_user_name = names.join(",");
        self.deliver(uin, m);
    }

    fn route(&self, uin: u64, m: &InjectMessage, msg_type: u32) -> Result<Route, ControlError> {
        let acc = &self.accounts[&uin];
        let me = acc.me.user_name.clone();
        if let Some(gname) = &m.group {
            let g = acc
                .find_contact(gname)
                .filter(|c| c.is_group())
                .ok_or_else(|| ControlError::NotFound(format!("group {gname}")))?;
            let grp = g.group.as_ref().expect("is group");
            if m.from.is_empty() || acc.is_me(&m.from) {
                if m.from.is_empty() && !matches!(msg_type, 10000 | 51) {
                    return Err(ControlError::required("from"));
                }
                if msg_type == 10000 {
                    return Ok(Route {
                        from: g.user_name.clone(),
                        to: me,
                        prefix: String::new(),
                        group: Some(g.user_name.clone()),
                        from_me: false,
                    });
                }
                return Ok(Route {
                    from: me,
                    to: g.user_name.clone(),
                    prefix: String::new(),
                    group: Some(g.user_name.clone()),
                    from_me: true,
                });
            }
            let member = grp
                .members
                .iter()
                .find(|x| x.user_name == m.from)
                .or_else(|| {
                    grp.members
                        .iter()
                        .find(|x| !x.display_name.is_empty() && x.display_name == m.from)
                })
                .or_else(|| grp.members.iter().find(|x| x.nick_name == m.from))
                .ok_or_else(|| {
                    ControlError::NotFound(format!("member {} of group {}", m.from, gname))
                })?;
            return Ok(Route {
                from: g.user_name.clone(),
                to: me,
                prefix: format!("{}:<br/>", member.user_name),
                group: Some(g.user_name.clone()),
                from_me: false,
            });
        }
        let from = if m.from.is_empty() && msg_type == 37 {
            "fmessage".to_string()
        } else {
            m.from.clone()
        };
        if from.is_empty() {
            return Err(ControlError::required("from"));
        }
        if acc.is_me(&from) {
            let to = m.to.as_deref().ok_or_else(|| {
                ControlError::Invalid("\"to\" is required when from is me".into())
            })?;
            let c = if acc.is_me(to) {
                None
            } else {
                Some(
                    acc.find_contact(to)
                        .ok_or_else(|| ControlError::NotFound(format!("contact {to}")))?,
                )
            };
            let to_un = c.map_or(me.clone(), |c| c.user_name.clone());
            let group = c.filter(|c| c.is_group()).map(|c| c.user_name.clone());
            return Ok(Route {
                from: me,
                to: to_un,
                prefix: String::new(),
                group,
                from_me: true,
            });
        }
        let c = acc
            .find_contact(&from)
            .ok_or_else(|| ControlError::NotFound(format!("contact {from}")))?;
        Ok(Route {
            from: c.user_name.clone(),
            to: me,
            prefix: String::new(),
            group: c.is_group().then(|| c.user_name.clone()),
            from_me: false,
        })
    }

    fn mention_text(&self, uin: u64, group: Option<&str>, names: &[String]) -> String {
        let acc = &self.accounts[&uin];
        let grp = group
            .and_then(|g| acc.contact(g))
            .and_then(|c| c.group.as_ref());
        let mut out = String::new();
        for n in names {
            let shown = if acc.is_me(n) {
                grp.and_then(|g| g.members.iter().find(|m| m.user_name == acc.me.user_name))
                    .map(|m| m.display_name.clone())
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| acc.me.nick_name.clone())
            } else {
                grp.and_then(|g| {
                    g.members
                        .iter()
                        .find(|m| m.user_name == *n || m.nick_name == *n || m.display_name == *n)
                })
                .map(|m| {
                    if m.display_name.is_empty() {
                        m.nick_name.clone()
                    } else {
                        m.display_name.clone()
                    }
                })
                .unwrap_or_else(|| n.clone())
            };
            out.push('@');
            out.push_str(&shown);
            out.push('\u{2005}');
        }
        out
    }

    /// `POST /_sim/messages`.
    pub(crate) fn inject_message(&mut self, m: InjectMessage) -> Result<String, ControlError> {
        let uin = self.target_account(m.uin)?;
        if self.live_session_of(uin).is_none() {
            return Err(ControlError::Invalid(format!(
                "account {uin} is not logged in"
            )));
        }
        let msg_type = m.msg_type.unwrap_or(1);
        let route = self.route(uin, &m, msg_type)?;
        let media = match &m.media_b64 {
            Some(b) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .map_err(|e| ControlError::Invalid(format!("media_b64: {e}")))?,
            ),
            None => None,
        };
        let id = self.new_msg_id();
        let now = self.unix_now();
        let mut msg = Message::new(id, &route.from, &route.to, msg_type, now);
        let sender_wxid = {
            let acc = &self.accounts[&uin];
            if route.from_me {
                acc.me.wxid.clone()
            } else {
                acc.contact(&route.from)
                    .map(|c| c.wxid.clone())
                    .unwrap_or_default()
            }
        };
        let body: String;
        match msg_type {
            1 => {
                let text = if m.raw {
                    m.content.clone()
                } else {
                    escape_text(&m.content)
                };
                let mentions = self.mention_text(uin, route.group.as_deref(), &m.mentions);
                body = format!("{mentions}{text}");
                if let Some(u) = &m.url {
                    msg.url = u.clone();
                    msg.sub_msg_type = 48;
                    msg.ori_content = body.clone();
                }
            }
            3 | 47 => {
                let default_name = if msg_type == 3 {
                    "image.png"
                } else {
                    "emoticon.gif"
                };
                let name = m.file_name.clone().unwrap_or_else(|| default_name.into());
                let bytes = media.unwrap_or_else(|| {
                    if msg_type == 3 {
                        pictures::placeholder(120, 90, id)
                    } else {
                        pictures::TINY_GIF.to_vec()
                    }
                });
                let (w, h) = image_size(&bytes).unwrap_or((100, 100));
                let blob = self.store_blob(uin, bytes, &name);
                msg.img_height = h;
                msg.img_width = w;
                msg.img_status = 2;
                body = if m.raw {
                    m.content.clone()
                } else if msg_type == 3 {
                    escape_xml_content(&format!(
                        "<?xml version=\"1.0\"?>\n<msg>\n\t<img aeskey=\"{a}\" encryver=\"0\" cdnthumbaeskey=\"{a}\" cdnthumburl=\"{u}\" cdnthumblength=\"{l}\" cdnthumbheight=\"{h}\" cdnthumbwidth=\"{w}\" cdnmidheight=\"0\" cdnmidwidth=\"0\" cdnhdheight=\"0\" cdnhdwidth=\"0\" cdnmidimgurl=\"{u}\" length=\"{l}\" md5=\"{md5}\" />\n</msg>\n",
                        a = self.rng.hex(32),
                        u = self.rng.hex(120),
                        l = blob.bytes.len(),
                        md5 = blob.md5,
                    ))
                } else {
                    escape_xml_content(&format!(
                        "<msg><emoji fromusername=\"{f}\" tousername=\"{t}\" type=\"2\" idbuffer=\"media:0_0\" md5=\"{md5}\" len=\"{l}\" productid=\"\" androidmd5=\"{md5}\" androidlen=\"{l}\" s60v3md5=\"{md5}\" s60v3len=\"{l}\" s60v5md5=\"{md5}\" s60v5len=\"{l}\" cdnurl=\"http://emoji.qpic.cn/wx_emoji/{c}/\" designerid=\"\" thumburl=\"\" encrypturl=\"\" aeskey=\"{a}\" externurl=\"\" externmd5=\"\" width=\"{w}\" height=\"{h}\" tpurl=\"\" tpauthkey=\"\" attachedtext=\"\"></emoji><gameext type=\"0\" content=\"0\"></gameext></msg>",
                        f = sender_wxid,
                        t = self.accounts[&uin].me.wxid,
                        md5 = blob.md5,
                        l = blob.bytes.len(),
                        c = self.rng.alnum(40),
                        a = self.rng.hex(32),
                    ))
                };
                self.msg_media.insert(id, blob);
            }
            34 => {
                let bytes = media.unwrap_or_else(|| fake_mp3(&mut self.rng, 2048));
                let name = m.file_name.clone().unwrap_or_else(|| "voice.mp3".into());
                let len = m.voice_length.unwrap_or(3000);
                let blob = self.store_blob(uin, bytes, &name);
                msg.voice_length = len;
                body = if m.raw {
                    m.content.clone()
                } else {
                    escape_xml_content(&format!(
                        "<msg><voicemsg endflag=\"1\" cancelflag=\"0\" forwardflag=\"0\" voiceformat=\"4\" voicelength=\"{len}\" length=\"{l}\" bufid=\"0\" clientmsgid=\"{c}\" fromusername=\"{f}\" /></msg>",
                        l = blob.bytes.len(),
                        c = self.rng.hex(32),
                        f = sender_wxid,
                    ))
                };
                self.msg_media.insert(id, blob);
            }
            43 | 62 => {
                let bytes = media.unwrap_or_else(|| fake_mp4(&mut self.rng, 8192));
                let name = m.file_name.clone().unwrap_or_else(|| "video.mp4".into());
                let blob = self.store_blob(uin, bytes, &name);
                let play = m.play_length.unwrap_or(5);
                msg.play_length = play;
                msg.img_height = 224;
                msg.img_width = 400;
                msg.img_status = 1;
                body = if m.raw {
                    m.content.clone()
                } else {
                    escape_xml_content(&format!(
                        "<?xml version=\"1.0\"?>\n<msg>\n\t<videomsg aeskey=\"{a}\" cdnthumbaeskey=\"{a}\" cdnvideourl=\"{u}\" cdnthumburl=\"{u}\" length=\"{l}\" playlength=\"{play}\" cdnthumblength=\"2048\" cdnthumbwidth=\"400\" cdnthumbheight=\"224\" fromusername=\"{f}\" md5=\"{md5}\" newmd5=\"{md5}\" isad=\"0\" />\n</msg>\n",
                        a = self.rng.hex(32),
                        u = self.rng.hex(120),
                        l = blob.bytes.len(),
                        f = sender_wxid,
                        md5 = blob.md5,
                    ))
                };
                self.msg_media.insert(id, blob);
            }
            49 => {
                let app_type =
                    m.app_msg_type
                        .unwrap_or(if media.is_some() || m.file_name.is_some() {
                            6
                        } else {
                            5
                        });
                msg.app_msg_type = app_type;
                if app_type == 6 {
                    let name = m.file_name.clone().unwrap_or_else(|| "note.txt".into());
                    let bytes = media.unwrap_or_else(|| b"hello from webwx-sim\n".to_vec());
                    let blob = self.store_blob(uin, bytes, &name);
                    let media_id = self.new_media_id();
                    let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_string();
                    msg.file_name = name.clone();
                    msg.file_size = blob.bytes.len().to_string();
                    msg.media_id = media_id.clone();
                    msg.encry_file_name = encry_file_name(&name);
                    body = if m.raw {
                        m.content.clone()
                    } else {
                        escape_xml_content(&format!(
                            "<msg><appmsg appid=\"\" sdkver=\"0\"><title>{t}</title><des></des><action>view</action><type>6</type><showtype>0</showtype><content></content><url></url><dataurl></dataurl><lowurl></lowurl><lowdataurl></lowdataurl><recorditem><![CDATA[]]></recorditem><thumburl></thumburl><messageaction></messageaction><extinfo></extinfo><sourceusername></sourceusername><sourcedisplayname></sourcedisplayname><commenturl></commenturl><appattach><totallen>{l}</totallen><attachid>{media_id}</attachid><emoticonmd5></emoticonmd5><fileext>{ext}</fileext><cdnattachurl>{c}</cdnattachurl><aeskey>{a}</aeskey><encryver>1</encryver></appattach><weappinfo><pagepath></pagepath><username></username><appid></appid><appservicetype>0</appservicetype></weappinfo><websearch /><md5>{md5}</md5></appmsg><fromusername>{f}</fromusername><scene>0</scene><appinfo><version>1</version><appname></appname></appinfo><commenturl></commenturl></msg>",
                            t = xml_text(&name),
                            l = blob.bytes.len(),
                            c = self.rng.hex(120),
                            a = self.rng.hex(32),
                            md5 = blob.md5,
                            f = sender_wxid,
                        ))
                    };
                    self.media.insert(media_id, blob.clone());
                    self.msg_media.insert(id, blob);
                } else {
                    let url = m
                        .url
                        .clone()
                        .unwrap_or_else(|| "https://example.com/".into());
                    let title = if m.content.is_empty() {
                        "分享链接".to_string()
                    } else {
                        m.content.clone()
                    };
                    msg.file_name = title.clone();
                    msg.url = url.clone();
                    body = if m.raw {
                        m.content.clone()
                    } else {
                        escape_xml_content(&format!(
                            "<msg><appmsg appid=\"\" sdkver=\"0\"><title>{t}</title><des></des><action>view</action><type>{app_type}</type><showtype>0</showtype><content></content><url>{u}</url><lowurl></lowurl><appattach><totallen>0</totallen><attachid></attachid><fileext></fileext></appattach><extinfo></extinfo></appmsg><fromusername>{f}</fromusername><appinfo><version>1</version><appname></appname></appinfo></msg>",
                            t = xml_text(&title),
                            u = xml_text(&url),
                            f = sender_wxid,
                        ))
                    };
                }
            }
            37 => {
                let nick = m.nick_name.clone().unwrap_or_else(|| "陌生人".into());
                let stranger = generate::stranger(&mut self.rng, Some(&nick));
                let ticket = format!("v2_{}@stranger", self.rng.hex(64));
                let wxid = generate::person_wxid(&mut self.rng);
                let text = if m.content.is_empty() {
                    format!("我是{nick}")
                } else {
                    m.content.clone()
                };
                let rec = Recommend {
                    user_name: stranger.user_name.clone(),
                    nick_name: nick.clone(),
                    content: text.clone(),
                    ticket: ticket.clone(),
                    sex: 1,
                    scene: 30,
                    op_code: 2,
                    ..Recommend::default()
                };
                msg.recommend = Some(rec);
                msg.ticket = ticket.clone();
                msg.status = 3;
                body = escape_xml_content(&format!(
                    "<msg fromusername=\"{wxid}\" encryptusername=\"v1_{e}@stranger\" fromnickname=\"{n}\" content=\"{c}\" fullpy=\"\" shortpy=\"\" imagestatus=\"3\" scene=\"30\" country=\"CN\" province=\"\" city=\"\" sign=\"\" percard=\"1\" sex=\"1\" alias=\"\" weibo=\"\" albumflag=\"0\" albumstyle=\"0\" albumbgimgid=\"\" snsflag=\"1\" snsbgimgid=\"\" snsbgobjectid=\"0\" mhash=\"\" mfullhash=\"\" bigheadimgurl=\"\" smallheadimgurl=\"\" ticket=\"{ticket}\" opcode=\"2\" googlecontact=\"\" qrticket=\"\" chatroomusername=\"\" sourceusername=\"\" sourcenickname=\"\"><brandlist count=\"0\" ver=\"1\"></brandlist></msg>",
                    e = self.rng.hex(64),
                    n = xml_text(&nick),
                    c = xml_text(&text),
                ));
                let acc = self.accounts.get_mut(&uin).expect("target");
                acc.requests.push(FriendRequest {
                    user_name: stranger.user_name,
                    nick_name: nick,
                    ticket,
                });
            }
            42 => {
                let nick = m.nick_name.clone().unwrap_or_else(|| "名片".into());
                let s = generate::stranger(&mut self.rng, Some(&nick));
                msg.recommend = Some(Recommend {
                    user_name: s.user_name.clone(),
                    nick_name: nick.clone(),
                    sex: 2,
                    ..Recommend::default()
                });
                body = escape_xml_content(&format!(
                    "<?xml version=\"1.0\"?>\n<msg bigheadimgurl=\"\" smallheadimgurl=\"\" username=\"{u}\" nickname=\"{n}\" fullpy=\"\" shortpy=\"\" alias=\"\" imagestatus=\"3\" scene=\"17\" province=\"\" city=\"\" sign=\"\" sex=\"2\" certflag=\"0\" certinfo=\"\" brandIconUrl=\"\" brandHomeUrl=\"\" brandSubscriptConfigUrl=\"\" brandFlags=\"0\" regionCode=\"CN\" />\n",
                    u = s.user_name,
                    n = xml_text(&nick),
                ));
            }
            51 => {
                msg.status_notify_code = m.status_notify_code.unwrap_or(2);
                msg.status_notify_user_name = if route.from_me {
                    route.to.clone()
                } else {
                    route.from.clone()
                };
                let me = self.accounts[&uin].me.user_name.clone();
                msg.to = msg.status_notify_user_name.clone();
                msg.from = me;
                body = m.content.clone();
            }
            10002 => {
                let old = m
                    .revoke_msg_id
                    .clone()
                    .ok_or_else(|| ControlError::required("revoke_msg_id"))?;
                let acc = &self.accounts[&uin];
                let who = if route.prefix.is_empty() {
                    acc.nick_of(&route.from).unwrap_or_default()
                } else {
                    let member = route.prefix.trim_end_matches(":<br/>");
                    acc.nick_of(member).unwrap_or_default()
                };
                let session = acc
                    .contact(route.group.as_deref().unwrap_or(&route.from))
                    .map(|c| c.wxid.clone())
                    .unwrap_or_default();
                body = escape_xml_content(&format!(
                    "<sysmsg type=\"revokemsg\"><revokemsg><session>{session}</session><oldmsgid>{o}</oldmsgid><msgid>{old}</msgid><replacemsg><![CDATA[\"{who}\" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>",
                    o = self.rng.range(1_000_000_000, 1_999_999_999),
                ));
            }
            10000 => {
                body = m.content.clone();
                msg.status = 4;
            }
            _ => {
                body = if m.raw {
                    m.content.clone()
                } else {
                    escape_text(&m.content)
                };
            }
        }
        msg.content = if msg_type == 10000 || msg_type == 51 {
            body
        } else {
            format!("{}{}", route.prefix, body)
        };
        self.bump("messages_injected");
        tracing::debug!(msg_type, group = route.group.is_some(), "message injected");
        let id = self.deliver(uin, msg);
        Ok(id.to_string())
    }
}
