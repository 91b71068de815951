//! Handlers: route incoming messages to closures by [`Matcher`], in the order they were
//! added, until one says [`Flow::Stop`]; a fallback gets what no handler took.
//!
//! The [`Dispatcher`] is pure routing, generic over what its handlers get beside the
//! message (`C`: a driver's handle, to reply with; anything in tests). What a matcher
//! needs to know about the chat beyond the message (its kind, its names) comes as
//! [`Facts`], which [`Facts::of`] reads from the client's contacts; the drivers' crates
//! do this for you (`webwx_transport::bot`), for the blocking loop and the async one
//! alike.
//!
//! ```
//! use std::cell::RefCell;
//! use webwx_core::handlers::{Dispatcher, Facts, Flow, Kind, Matcher};
//!
//! // The handlers' context: here a log; with a driver, its handle.
//! let mut bot: Dispatcher<RefCell<Vec<String>>> = Dispatcher::new();
//! bot.on(Matcher::kind(Kind::Text).private().text_starts_with("/ping"), |out, _m| {
//!     out.borrow_mut().push("pong".into());
//!     Flow::Stop
//! });
//! bot.on(Matcher::any().group().mentions_me(), |out, m| {
//!     out.borrow_mut().push(format!("mentioned by {}", m.sender));
//!     Flow::Continue
//! });
//! bot.fallback(|out, _m| out.borrow_mut().push("?".into()));
//! # let _ = Facts::default();
//! ```

use crate::client::Client;
use crate::contacts::ContactKind;
use crate::message::{AppDetail, Message, MessageKind};

/// What a handler tells the dispatcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flow {
    /// Let the next matching handlers run too.
    Continue,
    /// Stop here: no later handler, no fallback.
    Stop,
}

/// The kinds a [`Matcher`] tells apart (coarser than [`MessageKind`]: what bot authors
/// ask for).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A text.
    Text,
    /// An image.
    Image,
    /// A voice message.
    Voice,
    /// A video or a short video.
    Video,
    /// A file (an app message carrying an attachment).
    File,
    /// A sticker (custom emoticon).
    Emoticon,
    /// A link (an app message with a URL, music included).
    Link,
    /// A contact card.
    Card,
    /// A shared location.
    Location,
    /// A friend request.
    FriendRequest,
    /// A revoke ("X recalled a message").
    Revoke,
    /// A system message (a notice, someone joined a group, a red packet…).
    System,
}

impl Kind {
    /// The kind of `m`, if it is one of these.
    pub fn of(m: &Message) -> Option<Kind> {
        Some(match &m.kind {
            MessageKind::Text { .. } => Kind::Text,
            MessageKind::Image { .. } => Kind::Image,
            MessageKind::Voice { .. } => Kind::Voice,
            MessageKind::Video(_) | MessageKind::MicroVideo(_) => Kind::Video,
            MessageKind::Emoticon { .. } => Kind::Emoticon,
            MessageKind::Card { .. } => Kind::Card,
            MessageKind::Location(_) => Kind::Location,
            MessageKind::FriendRequest { .. } => Kind::FriendRequest,
            MessageKind::Revoke { .. } => Kind::Revoke,
            MessageKind::System { .. } | MessageKind::SysNotice { .. } => Kind::System,
            MessageKind::App(app) => match &app.detail {
                AppDetail::File { .. } => Kind::File,
                AppDetail::Link | AppDetail::Music { .. } => Kind::Link,
                AppDetail::Emoji { .. } => Kind::Emoticon,
                _ if !app.url.is_empty() => Kind::Link,
                _ => return None,
            },
            _ => return None,
        })
    }
}

/// Where a message was said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChatType {
    /// A person (a friend or a stranger), the file helper included.
    Private,
    /// A group chat.
    Group,
    /// An official account.
    Official,
}

/// What a matcher needs to know about a message's chat beyond the message itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Facts {
    /// The chat's kind, as the contacts classify it (`None`: unknown).
    pub chat_kind: Option<ContactKind>,
    /// The chat's names: its remark name, nick name and alias (the non-empty ones).
    pub chat_names: Vec<String>,
}

impl Facts {
    /// What `client`'s contacts say about `m`'s chat.
    pub fn of(client: &Client, m: &Message) -> Facts {
        let contacts = client.contacts();
        let names = contacts
            .get(&m.chat)
            .map(|c| {
                [&c.remark_name, &c.nick_name, &c.alias]
                    .into_iter()
                    .map(|n| crate::message::normalize_text(n))
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Facts {
            chat_kind: Some(contacts.kind_of(&m.chat)),
            chat_names: names,
        }
    }

    fn chat_type(&self, m: &Message) -> ChatType {
        if m.is_group {
            return ChatType::Group;
        }
        match self.chat_kind {
            Some(ContactKind::Group) => ChatType::Group,
            Some(ContactKind::Official) => ChatType::Official,
            _ => ChatType::Private,
        }
    }
}

/// A text condition of a [`Matcher`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum TextIs {
    Exactly(String),
    StartsWith(String),
    Contains(String),
}

type Predicate = Box<dyn Fn(&Message) -> bool + Send + Sync>;

/// Which messages a handler takes: every condition set must hold. By default our own
/// messages (sent from this or another device) are left out ([`Matcher::outgoing`]).
#[derive(Default)]
pub struct Matcher {
    kinds: Vec<Kind>,
    chat_types: Vec<ChatType>,
    chat_names: Vec<String>,
    mentions_me: bool,
    text: Vec<TextIs>,
    outgoing: bool,
    when: Vec<Predicate>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("kinds", &self.kinds)
            .field("chat_types", &self.chat_types)
            .field("chat_names", &self.chat_names)
            .field("mentions_me", &self.mentions_me)
            .field("text", &self.text)
            .field("outgoing", &self.outgoing)
            .field("when", &self.when.len())
            .finish()
    }
}

impl Matcher {
    /// Every message (but our own).
    pub fn any() -> Matcher {
        Matcher::default()
    }

    /// Messages of kind `k`.
    pub fn kind(k: Kind) -> Matcher {
        Matcher::any().or_kind(k)
    }

    /// Also messages of kind `k` (kinds add up: any of them matches).
    pub fn or_kind(mut self, k: Kind) -> Matcher {
        self.kinds.push(k);
        self
    }

    /// Said in a private chat (chat types add up).
    pub fn private(mut self) -> Matcher {
        self.chat_types.push(ChatType::Private);
        self
    }

    /// Said in a group.
    pub fn group(mut self) -> Matcher {
        self.chat_types.push(ChatType::Group);
        self
    }

    /// From an official account.
    pub fn official(mut self) -> Matcher {
        self.chat_types.push(ChatType::Official);
        self
    }

    /// In the chat or group called `name` (its remark name, nick name, alias or
    /// UserName; names add up).
    pub fn chat(mut self, name: &str) -> Matcher {
        self.chat_names
            .push(crate::message::normalize_text(name).trim().to_owned());
        self
    }

    /// Mentioning me (`@me` in a group).
    pub fn mentions_me(mut self) -> Matcher {
        self.mentions_me = true;
        self
    }

    /// A text that is exactly `t` (after trimming).
    pub fn text_is(mut self, t: &str) -> Matcher {
        self.text.push(TextIs::Exactly(t.trim().to_owned()));
        self
    }

    /// A text that starts with `t` (after trimming leading space).
    pub fn text_starts_with(mut self, t: &str) -> Matcher {
        self.text.push(TextIs::StartsWith(t.to_owned()));
        self
    }

    /// A text containing `t`.
    pub fn text_contains(mut self, t: &str) -> Matcher {
        self.text.push(TextIs::Contains(t.to_owned()));
        self
    }

    /// Also our own messages.
    pub fn outgoing(mut self) -> Matcher {
        self.outgoing = true;
        self
    }

    /// And `f` holds (a regular expression, a time of day, anything).
    pub fn when(mut self, f: impl Fn(&Message) -> bool + Send + Sync + 'static) -> Matcher {
        self.when.push(Box::new(f));
        self
    }

    /// Whether `m` (with `facts` about its chat) matches.
    pub fn matches(&self, m: &Message, facts: &Facts) -> bool {
        if m.outgoing && !self.outgoing {
            return false;
        }
        if !self.kinds.is_empty() && !Kind::of(m).is_some_and(|k| self.kinds.contains(&k)) {
            return false;
        }
        if !self.chat_types.is_empty() && !self.chat_types.contains(&facts.chat_type(m)) {
            return false;
        }
        if !self.chat_names.is_empty()
            && !self
                .chat_names
                .iter()
                .any(|n| *n == m.chat || facts.chat_names.iter().any(|c| c == n))
        {
            return false;
        }
        if self.mentions_me && !m.mentioned_me {
            return false;
        }
        if !self.text.is_empty() {
            let Some(text) = text_of(m) else {
                return false;
            };
            let ok = self.text.iter().all(|t| match t {
                TextIs::Exactly(s) => text.trim() == s,
                TextIs::StartsWith(s) => text.trim_start().starts_with(s.as_str()),
                TextIs::Contains(s) => text.contains(s.as_str()),
            });
            if !ok {
                return false;
            }
        }
        self.when.iter().all(|f| f(m))
    }
}

/// The text of a text message (in a group, without the sender prefix: the core has
/// already split it off).
fn text_of(m: &Message) -> Option<&str> {
    match &m.kind {
        MessageKind::Text { text } => Some(text),
        _ => None,
    }
}

type Handler<C> = Box<dyn FnMut(&C, &Message) -> Flow + Send>;
type Fallback<C> = Box<dyn FnMut(&C, &Message) + Send>;

/// Routes messages to handlers. See the [module docs](self).
pub struct Dispatcher<C> {
    routes: Vec<(Matcher, Handler<C>)>,
    fallback: Option<Fallback<C>>,
}

impl<C> Default for Dispatcher<C> {
    fn default() -> Self {
        Dispatcher {
            routes: Vec::new(),
            fallback: None,
        }
    }
}

impl<C> std::fmt::Debug for Dispatcher<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("routes", &self.routes.len())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

/// What [`Dispatcher::dispatch`] did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dispatched {
    /// Handlers that ran.
    pub handlers: usize,
    /// Whether one of them stopped the others.
    pub stopped: bool,
    /// Whether the fallback ran (no handler matched).
    pub fallback: bool,
}

impl<C> Dispatcher<C> {
    /// No handlers.
    pub fn new() -> Dispatcher<C> {
        Dispatcher::default()
    }

    /// Adds a handler after the others: it runs for messages `m` matches, unless an
    /// earlier one stopped.
    pub fn on(
        &mut self,
        m: Matcher,
        handler: impl FnMut(&C, &Message) -> Flow + Send + 'static,
    ) -> &mut Self {
        self.routes.push((m, Box::new(handler)));
        self
    }

    /// What runs for a message no handler matched.
    pub fn fallback(&mut self, handler: impl FnMut(&C, &Message) + Send + 'static) -> &mut Self {
        self.fallback = Some(Box::new(handler));
        self
    }

    /// Runs the handlers matching `m`, in order, until one stops; the fallback when none
    /// matched.
    pub fn dispatch(&mut self, ctx: &C, m: &Message, facts: &Facts) -> Dispatched {
        let mut done = Dispatched {
            handlers: 0,
            stopped: false,
            fallback: false,
        };
        for (matcher, handler) in &mut self.routes {
            if !matcher.matches(m, facts) {
                continue;
            }
            done.handlers += 1;
            if handler(ctx, m) == Flow::Stop {
                done.stopped = true;
                break;
            }
        }
        if done.handlers == 0
            && let Some(f) = &mut self.fallback
        {
            f(ctx, m);
            done.fallback = true;
        }
        done
    }
}
