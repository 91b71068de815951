//! Reading the JavaScript assignments that jslogin, the login poll and synccheck answer
//! with (`window.QRLogin.code = 200; window.QRLogin.uuid = "..";`,
//! `window.synccheck={retcode:"0",selector:"2"}`), without executing anything.

/// A JavaScript value of the kinds these endpoints use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsValue {
    /// A quoted string (escapes `\"`, `\\`, `\'`, `\n` resolved).
    Str(String),
    /// A bare token: number, identifier.
    Bare(String),
    /// An object literal `{k:v,...}`.
    Object(Vec<(String, JsValue)>),
}

impl JsValue {
    /// The value as text (strings unquoted, bare tokens as is).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            JsValue::Str(s) | JsValue::Bare(s) => Some(s),
            JsValue::Object(_) => None,
        }
    }

    /// A field of an object.
    pub fn field(&self, name: &str) -> Option<&JsValue> {
        match self {
            JsValue::Object(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Parses `lhs = value;` statements. Returns the assignments in order; stops at the first
/// statement it cannot read (what was read so far is kept).
pub fn assignments(text: &str) -> Vec<(String, JsValue)> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        p.ws();
        if p.i >= p.s.len() {
            break;
        }
        let Some(lhs) = p.path() else { break };
        p.ws();
        if !p.eat(b'=') {
            break;
        }
        p.ws();
        let Some(v) = p.value(0) else { break };
        out.push((lhs, v));
        p.ws();
        p.eat(b';');
    }
    out
}

/// The value assigned to a left-hand side ending in `name` (e.g. `code` matches
/// `window.QRLogin.code`).
pub fn find<'a>(assigns: &'a [(String, JsValue)], name: &str) -> Option<&'a JsValue> {
    assigns
        .iter()
        .find(|(k, _)| k == name || k.rsplit('.').next() == Some(name))
        .map(|(_, v)| v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ident_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.' || b == b'-' || b == b'+'
    }

    fn path(&mut self) -> Option<String> {
        let start = self.i;
        while self.i < self.s.len() && Self::ident_byte(self.s[self.i]) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn value(&mut self, depth: usize) -> Option<JsValue> {
        if depth > 8 {
            return None;
        }
        match *self.s.get(self.i)? {
            q @ (b'"' | b'\'') => self.string(q).map(JsValue::Str),
            b'{' => self.object(depth),
            _ => self.path().map(JsValue::Bare),
        }
    }

    fn string(&mut self, quote: u8) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        while let Some(&b) = self.s.get(self.i) {
            self.i += 1;
            match b {
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        other => other,
                    });
                }
                b if b == quote => return Some(String::from_utf8_lossy(&out).into_owned()),
                b => out.push(b),
            }
        }
        None
    }

    fn object(&mut self, depth: usize) -> Option<JsValue> {
        self.i += 1;
        let mut fields = Vec::new();
        loop {
            self.ws();
            if self.eat(b'}') {
                return Some(JsValue::Object(fields));
            }
            let key = match *self.s.get(self.i)? {
                q @ (b'"' | b'\'') => self.string(q)?,
                _ => self.path()?,
            };
            self.ws();
            if !self.eat(b':') {
                return None;
            }
            self.ws();
            let v = self.value(depth + 1)?;
            fields.push((key, v));
            self.ws();
            self.eat(b',');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_shapes() {
        let a = assignments(r#"window.QRLogin.code = 200; window.QRLogin.uuid = "gbyKnbsmqQ==";"#);
        assert_eq!(find(&a, "code").and_then(JsValue::as_text), Some("200"));
        assert_eq!(
            find(&a, "uuid").and_then(JsValue::as_text),
            Some("gbyKnbsmqQ==")
        );
        let a = assignments(r#"window.synccheck={retcode:"0",selector:"2"}"#);
        let v = find(&a, "synccheck").unwrap();
        assert_eq!(v.field("selector").and_then(JsValue::as_text), Some("2"));
        let a = assignments("window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AA=';");
        assert_eq!(
            find(&a, "userAvatar").and_then(JsValue::as_text),
            Some("data:img/jpg;base64,/9j/4AA=")
        );
    }

    #[test]
    fn total_on_garbage() {
        for s in [
            "",
            "=",
            "a=",
            "a=\"",
            "a={",
            "a={b",
            "a={b:",
            "{{{{",
            "\u{0}\u{ff}",
            "a=1;;;b",
        ] {
            let _ = assignments(s);
        }
        let deep = "a=".to_owned() + &"{x:".repeat(50);
        assert!(assignments(&deep).is_empty());
    }
}
