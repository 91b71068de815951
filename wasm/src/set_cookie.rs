//! Splitting a `Set-Cookie` list that a `Headers` object joined into one value.
//!
//! A relay copies each upstream `Set-Cookie` into its own `x-wx-set-cookie` header, but
//! `fetch`'s `Headers` joins repeated headers with `", "` (only `Set-Cookie` itself is
//! kept apart, and a browser hides that one). A cookie's `Expires` date has a comma of
//! its own (`Expires=Thu, 01 Jan 2030 00:00:00 GMT`), so the joined value is split only
//! at a comma followed by `name=` — a cookie name is a token, which a date's day number
//! followed by a space never is.

/// The cookies of `joined`, one `Set-Cookie` value each.
pub(crate) fn split_joined(joined: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in joined.match_indices(',') {
        if starts_cookie(&joined[i + 1..]) {
            push_trimmed(&mut out, &joined[start..i]);
            start = i + 1;
        }
    }
    push_trimmed(&mut out, &joined[start..]);
    out
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
}

/// Whether `rest` (after a comma) starts with optional spaces and `token=`.
fn starts_cookie(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t']);
    let name_len = rest.bytes().take_while(|b| is_token(*b)).count();
    name_len > 0 && rest.as_bytes().get(name_len) == Some(&b'=')
}

/// RFC 7230 `tchar`.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_cookie_boundaries_only() {
        let joined = "wxuin=1; Domain=.qq.com; Path=/; Expires=Thu, 01 Jan 2030 00:00:00 GMT; Secure, \
                      wxsid=abc; Domain=.qq.com; Path=/; Expires=Thu, 01 Jan 2030 00:00:00 GMT,mm_lang=zh_CN";
        assert_eq!(
            split_joined(joined),
            [
                "wxuin=1; Domain=.qq.com; Path=/; Expires=Thu, 01 Jan 2030 00:00:00 GMT; Secure",
                "wxsid=abc; Domain=.qq.com; Path=/; Expires=Thu, 01 Jan 2030 00:00:00 GMT",
                "mm_lang=zh_CN",
            ]
        );
    }

    #[test]
    fn one_cookie_and_empty_input() {
        assert_eq!(split_joined("a=b; Path=/"), ["a=b; Path=/"]);
        assert!(split_joined("").is_empty());
        assert!(split_joined("  ").is_empty());
        // A comma inside a value not followed by `name=` stays.
        assert_eq!(split_joined("a=x,y; Path=/"), ["a=x,y; Path=/"]);
    }

    #[test]
    fn what_the_simulator_sends_round_trips() {
        // Joined as `Headers` joins them, split back into the same cookies.
        let cookies = [
            "wxuin=1234567; Domain=.wx2.qq.com; Path=/; Expires=Sat, 05 Dec 2026 08:00:00 GMT; Secure",
            "wxsid=Yw9+/abc=; Domain=.wx2.qq.com; Path=/; Expires=Sat, 05 Dec 2026 08:00:00 GMT; Secure",
            "webwx_data_ticket=gSc=; Domain=.qq.com; Path=/; Expires=Sat, 05 Dec 2026 08:00:00 GMT; Secure",
        ];
        assert_eq!(split_joined(&cookies.join(", ")), cookies);
    }
}
