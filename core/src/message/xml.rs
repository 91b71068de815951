//! A small, lenient element tree over quick-xml for the XML inside message contents
//! (`<msg>`, `<appmsg>`, `<sysmsg>`, `<msgsource>`…).
//!
//! The XML the server embeds is not always well formed (attributes without a space
//! between them, several roots, a stray `<br/>` after the root, unknown HTML entities),
//! so the tree is built from whatever quick-xml can tokenize: unmatched end tags are
//! ignored, unclosed elements are closed at the end, entity references are decoded with
//! `html-escape`, attributes are split by hand. It never fails; at worst it is empty.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{emoji, text};

/// Deeper elements are flattened into their ancestor at this depth (bounded memory
/// and recursion whatever the input).
const MAX_DEPTH: usize = 32;

/// One XML element: name, attributes (decoded), text (own text and CDATA, decoded,
/// concatenated) and child elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The value of attribute `name` (ASCII case-insensitive).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The attribute, trimmed, or `""`.
    pub fn attr_str(&self, name: &str) -> String {
        self.attr(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The attribute parsed as an unsigned number.
    pub fn attr_u64(&self, name: &str) -> Option<u64> {
        parse_num(self.attr(name)?)
    }

    /// The first direct child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The first element named `name` in this subtree (self included), depth first.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name.eq_ignore_ascii_case(name) {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// [`Element::find`], taken out of the tree (nothing copied).
    pub fn into_found(self, name: &str) -> Option<Element> {
        if self.name.eq_ignore_ascii_case(name) {
            return Some(self);
        }
        self.children.into_iter().find_map(|c| c.into_found(name))
    }

    /// Trimmed text of the first direct child named `name`, or `""`.
    pub fn child_text(&self, name: &str) -> String {
        self.child(name)
            .map(|c| c.text.trim().to_owned())
            .unwrap_or_default()
    }

    /// Text of the direct child parsed as an unsigned number.
    pub fn child_u64(&self, name: &str) -> Option<u64> {
        parse_num(&self.child(name)?.text)
    }
}

/// A trimmed decimal number; `None` when empty or not a number.
fn parse_num(s: &str) -> Option<u64> {
    let s = s.trim();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| super::raw::parse_u64(s))
}

/// Turns a message `Content` into parseable XML: `<br/>` → newline and emoji spans →
/// Unicode; when the XML is HTML-escaped (`&lt;msg&gt;`, as in `Content`) that layer is
/// unescaped once. Raw XML (`OriContent`, `MsgSource`, already `<msg>`) has no such layer
/// and is left as it is, even when it holds `&lt;` (that is the XML's own reference, which
/// the XML reader decodes once): unescaping it here too would decode it twice.
pub(crate) fn content_to_xml(content: &str) -> String {
    let escaped = !starts_with_element(content);
    text::markup_to_text(content, escaped)
}

/// Whether `s` starts (after white space and `<br/>` line breaks, which are text markup)
/// with an XML tag, declaration or comment.
fn starts_with_element(s: &str) -> bool {
    let mut rest = s.trim_start();
    while let Some(n) = text::match_break(rest) {
        rest = rest[n..].trim_start();
    }
    let mut chars = rest.chars();
    chars.next() == Some('<')
        && chars
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '?' || c == '!' || c == '_')
}

/// Parses `xml` into a synthetic root (empty name) whose children are the top-level
/// elements.
pub(crate) fn parse(xml: &str) -> Element {
    let mut reader = Reader::from_str(xml);
    {
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
    }
    let mut stack: Vec<Element> = vec![Element::default()];
    // Elements opened beyond MAX_DEPTH (their end tags must not close real ones).
    let mut flattened = 0usize;
    // A tokenizer error ends the document: the tree keeps what was read so far.
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                let attrs = parse_attributes(e.attributes_raw());
                if let Some(inline) = inline_text(&name, &attrs) {
                    push_text(&mut stack, &inline);
                    // Its `</span>` is ignored below as unmatched or closes nothing.
                    continue;
                }
                if stack.len() > MAX_DEPTH {
                    flattened += 1;
                    continue;
                }
                stack.push(Element {
                    name,
                    attrs,
                    ..Element::default()
                });
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                let attrs = parse_attributes(e.attributes_raw());
                if let Some(inline) = inline_text(&name, &attrs) {
                    push_text(&mut stack, &inline);
                    continue;
                }
                let element = Element {
                    name,
                    attrs,
                    ..Element::default()
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(element);
                }
            }
            Event::End(e) => {
                if flattened > 0 {
                    flattened -= 1;
                    continue;
                }
                let name = e.name();
                let name = name.as_ref();
                // Close up to the matching open element; ignore an end tag nothing matches.
                if let Some(pos) = stack.iter().rposition(|el| el.name == name) {
                    if pos == 0 {
                        continue;
                    }
                    while stack.len() > pos {
                        close_top(&mut stack);
                    }
                }
            }
            Event::Text(t) => {
                // quick-xml hands references over as `GeneralRef`; a dangling `&` that
                // is not one stays in the text, decoded once here.
                push_text(&mut stack, &text::decode_entities(&t));
            }
            Event::GeneralRef(r) => match &*r {
                // The five of XML, as `decode_entities` decodes them, without a string.
                "lt" => push_text(&mut stack, "<"),
                "gt" => push_text(&mut stack, ">"),
                "amp" => push_text(&mut stack, "&"),
                "quot" => push_text(&mut stack, "\""),
                "apos" => push_text(&mut stack, "'"),
                _ => {
                    let raw = format!("&{};", &*r);
                    push_text(&mut stack, &text::decode_entities(&raw));
                }
            },
            Event::CData(c) => {
                push_text(&mut stack, &c);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    let mut root = stack.pop().unwrap_or_default();
    root.text = finish_text(std::mem::take(&mut root.text));
    root
}

/// Emoji spans and `<br/>` that were escaped once more than the XML (so they read as
/// text here) become Unicode and newlines; SoftBank emoji become Unicode.
fn finish_text(s: String) -> String {
    if s.contains('<') {
        emoji::replace_softbank_owned(text::markup_to_text(&s, false))
    } else {
        emoji::replace_softbank_owned(s)
    }
}

/// `<span class="emoji emojiXXXX">` and `<br>` elements inside text stand for text.
fn inline_text(name: &str, attrs: &[(String, String)]) -> Option<String> {
    if name.eq_ignore_ascii_case("br") {
        return Some("\n".into());
    }
    if !name.eq_ignore_ascii_case("span") {
        return None;
    }
    let class = attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("class"))?
        .1
        .as_str();
    let mut tokens = class.split_ascii_whitespace();
    if !tokens.clone().any(|t| t == "emoji") {
        return None;
    }
    let code = tokens.find_map(|t| t.strip_prefix("emoji").filter(|c| !c.is_empty()))?;
    emoji::span_code_to_unicode(code)
}

fn push_text(stack: &mut [Element], s: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(s);
    }
}

fn close_top(stack: &mut Vec<Element>) {
    if stack.len() <= 1 {
        return;
    }
    if let Some(mut done) = stack.pop() {
        done.text = finish_text(std::mem::take(&mut done.text));
        if let Some(parent) = stack.last_mut() {
            parent.children.push(done);
        }
    }
}

/// Splits the attribute part of a start tag by hand: `a="1" b='2'c="3" d=4 e`.
/// Values are entity-decoded (then emoji spans converted, see [`finish_text`]); missing
/// spaces between attributes are tolerated.
fn parse_attributes(raw: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    let mut rest = raw.trim_start();
    // Strip a trailing `/` of an empty element if quick-xml left it.
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start();
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    value = text::decode_entities(&body[..end]).into_owned();
                    rest = body.get(end + 1..).unwrap_or("");
                }
                _ => {
                    let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                    value = text::decode_entities(&after_eq[..end]).into_owned();
                    rest = &after_eq[end..];
                }
            }
        } else if key.is_empty() {
            // A lone `/` or other junk: skip one character.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
        }
        if !key.is_empty() {
            attrs.push((key.to_owned(), finish_text(value)));
        }
        rest = rest.trim_start();
    }
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_attributes() {
        let a = parse_attributes(
            r#"sign="x y"percard="1" sex='2' alias=z content="I&amp;apos;m" flag"#,
        );
        assert_eq!(
            a,
            vec![
                ("sign".into(), "x y".into()),
                ("percard".into(), "1".into()),
                ("sex".into(), "2".into()),
                ("alias".into(), "z".into()),
                ("content".into(), "I&apos;m".into()),
                ("flag".into(), String::new()),
            ]
        );
    }

    #[test]
    fn tree_is_lenient() {
        let root = parse("<msg><a x=\"1\">t&amp;u<![CDATA[<v>]]></a><b/></x></msg><br/>");
        let msg = root.child("msg").expect("msg");
        assert_eq!(msg.child("a").map(|a| a.text.as_str()), Some("t&u<v>"));
        assert_eq!(msg.child("a").and_then(|a| a.attr("x")), Some("1"));
        assert!(msg.child("b").is_some());
        let unclosed = parse("<msg><a>1<b>2");
        assert_eq!(unclosed.find("b").map(|b| b.text.as_str()), Some("2"));
        let spans = parse(
            "<m n=\"a&lt;span class=&quot;emoji emoji1f604&quot;&gt;&lt;/span&gt;\">&lt;span class=\"emoji emoji1f604\"&gt;&lt;/span&gt;</m>",
        );
        let m = spans.child("m").expect("m");
        assert_eq!(m.attr("n"), Some("a😄"));
        assert_eq!(m.text, "😄");
        let deep = "<a>".repeat(10_000);
        let _ = parse(&deep);
        assert_eq!(parse("").children.len(), 0);
        let _ = parse("<<<>>>&&&");
    }
}
