//! One `Set-Cookie` header value read into its parts, by the rules of the `cookie`
//! crate (0.18) that the jar used before: `name=value` first (both trimmed; an empty
//! name or no `=` refuses the cookie), then `;`-separated attributes, names compared
//! without case, the last of a repeated one counting. Only what the jar keeps is read
//! (`Domain`, `Path`, `Max-Age`, `Expires`, `Secure`). `Expires` takes the four date
//! forms the `cookie` crate takes, here without a date library (its parser was a sixth
//! of the core's dependencies in the browser package).

use crate::calendar::{MONTHS, WEEKDAYS, WEEKDAYS_LONG, days_from_civil, days_in_month};

/// The parts of a `Set-Cookie` value that the jar keeps.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SetCookie<'a> {
    /// The name (trimmed, not empty).
    pub name: &'a str,
    /// The value (trimmed; quotes kept).
    pub value: &'a str,
    /// `Domain`, if given and not empty, one leading `.` removed.
    pub domain: Option<&'a str>,
    /// `Path`, if given.
    pub path: Option<&'a str>,
    /// `Max-Age` in seconds (a negative one is 0; too large is `i64::MAX`).
    pub max_age: Option<i64>,
    /// `Expires` as seconds since the Unix epoch, if it is a date of a known form.
    pub expires: Option<i64>,
    /// `Secure` was given.
    pub secure: bool,
}

/// Reads `s`; `None` when it has no `name=value` or the name is empty.
pub(crate) fn parse(s: &str) -> Option<SetCookie<'_>> {
    let mut parts = s.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return None;
    }
    let mut cookie = SetCookie {
        name,
        value,
        ..SetCookie::default()
    };
    for attr in parts {
        let (key, value) = match attr.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (attr.trim(), None),
        };
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        match value {
            _ if is("secure") => cookie.secure = true,
            Some(v) if is("max-age") => {
                let (negative, digits) = match v.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, v),
                };
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                cookie.max_age = Some(if negative {
                    0
                } else {
                    digits.parse::<i64>().unwrap_or(i64::MAX)
                });
            }
            Some(d) if is("domain") && !d.is_empty() => {
                cookie.domain = Some(d.strip_prefix('.').unwrap_or(d));
            }
            Some(p) if is("path") => cookie.path = Some(p),
            Some(v) if is("expires") => {
                if let Some(t) = cookie_date(v) {
                    cookie.expires = Some(t);
                }
            }
            _ => {}
        }
    }
    Some(cookie)
}

/// An `Expires` date as seconds since the Unix epoch, in one of the forms the `cookie`
/// crate reads (weekdays optional, never checked against the date; names as written):
/// - `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 1123);
/// - `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850: a full weekday, a two-digit year);
/// - `Sun Nov  6 08:49:37 1994` (asctime; the day padded with a space or a digit);
/// - `Sun, 06-Nov-1994 08:49:37 GMT`.
///
/// A year of two digits or fewer is 2000–2069 (0–69) or 1970–1999 (70–99).
pub(crate) fn cookie_date(s: &str) -> Option<i64> {
    rfc1123(s)
        .or_else(|| rfc850(s))
        .or_else(|| asctime(s))
        .or_else(|| dashed(s))
}

/// `[Sun, ]06 Nov 1994 08:49:37 GMT`.
fn rfc1123(s: &str) -> Option<i64> {
    let mut c = Cursor(skip_weekday(s, ", "));
    let day = c.digits(2, 2)?;
    c.lit(" ")?;
    let month = c.month()?;
    c.lit(" ")?;
    let year = c.year()?;
    c.lit(" ")?;
    let hms = c.hms()?;
    c.lit(" GMT")?;
    c.end()?;
    timestamp(year, month, day, hms)
}

/// `[Sunday, ]06-Nov-94 08:49:37 GMT`: two digits of year exactly, not after a second `-`.
fn rfc850(s: &str) -> Option<i64> {
    const TRAILING: usize = "00:00:00 GMT".len();
    let b = s.as_bytes();
    let year_end = s.len().checked_sub(TRAILING)?;
    let year_start = year_end.checked_sub(4)?;
    if !matches!(b.get(year_start..year_end)?, [b'-', y1, y2, b' '] if y1.is_ascii_digit() && y2.is_ascii_digit())
        || b.get(year_start.checked_sub(1)?) == Some(&b'-')
    {
        return None;
    }
    let rest = WEEKDAYS_LONG
        .iter()
        .find_map(|w| s.strip_prefix(w)?.strip_prefix(", "))
        .unwrap_or(s);
    dashed_date(rest)
}

/// `[Sun ]Nov  6 08:49:37 1994`.
fn asctime(s: &str) -> Option<i64> {
    let mut c = Cursor(skip_weekday(s, " "));
    let month = c.month()?;
    c.lit(" ")?;
    let day = match c.0.strip_prefix(' ') {
        Some(rest) => {
            c.0 = rest;
            c.digits(1, 1)?
        }
        None => c.digits(2, 2)?,
    };
    c.lit(" ")?;
    let hms = c.hms()?;
    c.lit(" ")?;
    let year = c.year()?;
    c.end()?;
    timestamp(year, month, day, hms)
}

/// `[Sun, ]06-Nov-1994 08:49:37 GMT`.
fn dashed(s: &str) -> Option<i64> {
    dashed_date(skip_weekday(s, ", "))
}

/// `06-Nov-1994 08:49:37 GMT`.
fn dashed_date(s: &str) -> Option<i64> {
    let mut c = Cursor(s);
    let day = c.digits(2, 2)?;
    c.lit("-")?;
    let month = c.month()?;
    c.lit("-")?;
    let year = c.year()?;
    c.lit(" ")?;
    let hms = c.hms()?;
    c.lit(" GMT")?;
    c.end()?;
    timestamp(year, month, day, hms)
}

/// `s` without a leading short weekday and `sep`, if it has them.
fn skip_weekday<'a>(s: &'a str, sep: &str) -> &'a str {
    WEEKDAYS
        .iter()
        .find_map(|w| s.strip_prefix(w)?.strip_prefix(sep))
        .unwrap_or(s)
}

/// The seconds of a date and time of day, if they are valid (seconds 0–59).
fn timestamp(year: i64, month: u32, day: i64, (h, m, s): (i64, i64, i64)) -> Option<i64> {
    let year = match year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        _ => year,
    };
    let day = u32::try_from(day).ok()?;
    if day == 0 || day > days_in_month(year, month) || h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// What is left of a date being read.
struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    fn lit(&mut self, l: &str) -> Option<()> {
        self.0 = self.0.strip_prefix(l)?;
        Some(())
    }

    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }

    /// `min` to `max` ASCII digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let n = self
            .0
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n < min {
            return None;
        }
        let (d, rest) = self.0.split_at(n);
        self.0 = rest;
        d.parse().ok()
    }

    /// `Jan` … `Dec`: 1–12.
    fn month(&mut self) -> Option<u32> {
        let i = MONTHS.iter().position(|m| self.0.starts_with(m))?;
        self.0 = &self.0[3..];
        Some(i as u32 + 1)
    }

    /// One to four digits, an optional sign before them.
    fn year(&mut self) -> Option<i64> {
        let negative = if let Some(rest) = self.0.strip_prefix('-') {
            self.0 = rest;
            true
        } else {
            if let Some(rest) = self.0.strip_prefix('+') {
                self.0 = rest;
            }
            false
        };
        let y = self.digits(1, 4)?;
        Some(if negative { -y } else { y })
    }

    /// `08:49:37`.
    fn hms(&mut self) -> Option<(i64, i64, i64)> {
        let h = self.digits(2, 2)?;
        self.lit(":")?;
        let m = self.digits(2, 2)?;
        self.lit(":")?;
        let s = self.digits(2, 2)?;
        Some((h, m, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_6_1994: i64 = 784_111_777; // 08:49:37 UTC

    #[test]
    fn the_four_forms() {
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Nov  6 08:49:37 1994",
            "Sun Nov 06 08:49:37 1994",
            "Sun, 06-Nov-1994 08:49:37 GMT",
            // The weekday is not checked.
            "Mon, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(cookie_date(s), Some(NOV_6_1994), "{s}");
        }
        assert_eq!(cookie_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            cookie_date("Wed, 01 Jan 2070 00:00:00 GMT"),
            Some(3_155_760_000)
        );
        assert_eq!(
            cookie_date("Sat, 01 Jan 00 00:00:00 GMT"),
            Some(946_684_800)
        );
        assert_eq!(
            cookie_date("Fri, 31 Dec 1999 23:59:59 GMT"),
            Some(946_684_799)
        );
        assert_eq!(
            cookie_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
    }

    #[test]
    fn not_dates() {
        for s in [
            "",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 GMT ",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 2001 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:60 GMT",
            "Sun, 06 Nov 19945 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "1994-11-06T08:49:37Z",
            "0",
        ] {
            assert_eq!(cookie_date(s), None, "{s}");
        }
    }

    #[test]
    fn attributes() {
        let c = parse(
            " sid = abc ; Domain=.qq.com; path=/cgi; Max-Age=60; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Secure; HttpOnly",
        )
        .unwrap();
        assert_eq!(
            c,
            SetCookie {
                name: "sid",
                value: "abc",
                domain: Some("qq.com"),
                path: Some("/cgi"),
                max_age: Some(60),
                expires: Some(NOV_6_1994),
                secure: true,
            }
        );
        assert_eq!(parse("a=").unwrap().value, "");
        assert_eq!(parse("a=\"q\"").unwrap().value, "\"q\"");
        assert_eq!(parse("a=b=c").unwrap().value, "b=c");
        assert_eq!(parse("=b"), None);
        assert_eq!(parse("ab"), None);
        let c = parse("a=b; max-age=-5; domain=; expires=soon; secure=no").unwrap();
        assert_eq!(
            (c.max_age, c.domain, c.expires, c.secure),
            (Some(0), None, None, true)
        );
        assert_eq!(
            parse("a=b; Max-Age=99999999999999999999").unwrap().max_age,
            Some(i64::MAX)
        );
        assert_eq!(parse("a=b; Max-Age=1x").unwrap().max_age, None);
        assert_eq!(parse("a=b; Max-Age=5; Max-Age=z").unwrap().max_age, Some(5));
        assert_eq!(parse("a=b; Path").unwrap().path, None);
    }

    /// The same parts as the `cookie` crate reads, on the forms above and odd ones.
    #[test]
    fn as_the_cookie_crate_reads() {
        for s in [
            "a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
            "a=b; Expires=Sunday, 06-Nov-94 08:49:37 GMT",
            "a=b; Expires=Sun Nov  6 08:49:37 1994",
            "a=b; Expires=Sun, 06-Nov-1994 08:49:37 GMT",
            "a=b; Expires=Sun, 06-Nov-69 08:49:37 GMT",
            "a=b; Expires=Sun, 06 Nov 70 08:49:37 GMT",
            "a=b; Expires=Sun, 31 Feb 2020 08:49:37 GMT",
            "a=b; Expires=Sun, 06 Nov 1994 8:49:37 GMT",
            "a=b; expires=Fri, 31-Dec-9999 23:59:59 GMT; domain=..x.com; path=",
            "a=b; Max-Age=; Secure=1",
            "a=b; Max-Age=-; Domain= .x ",
            " x = y ;;; ; Path = /p ",
        ] {
            let ours = parse(s).unwrap();
            let theirs = cookie::Cookie::parse(s).unwrap();
            assert_eq!(ours.name, theirs.name(), "{s}");
            assert_eq!(ours.value, theirs.value(), "{s}");
            assert_eq!(ours.domain, theirs.domain(), "{s}");
            assert_eq!(ours.path, theirs.path(), "{s}");
            assert_eq!(
                ours.max_age,
                theirs.max_age().map(|d| d.whole_seconds()),
                "{s}"
            );
            assert_eq!(
                ours.expires,
                theirs.expires_datetime().map(|t| t.unix_timestamp()),
                "{s}"
            );
            assert_eq!(ours.secure, theirs.secure().unwrap_or(false), "{s}");
        }
    }
}
