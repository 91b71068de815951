//! Property tests: every parser is total on arbitrary bytes, SyncKey only moves forward,
//! the relay mapping round-trips, the cookie jar matches like RFC 6265.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use webwx_core::Timestamp;
use webwx_core::cookies::{CookieJar, domain_match};
use webwx_core::endpoint::*;
use webwx_core::relay::{self, Origin};
use webwx_core::wire::SyncKey;

fn resp(status: u16, body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder().status(status).body(body).unwrap()
}

fn any_status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), Just(301), Just(400), Just(502), 100u16..600]
}

/// Bodies that look like the real answers, mutated, plus raw bytes.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let seeds = prop_oneof![
        Just("window.QRLogin.code = 200; window.QRLogin.uuid = \"gbyKnbsmqQ==\";".to_owned()),
        Just("window.code=200;window.redirect_uri=\"https://wx.qq.com/x?a=1\";".to_owned()),
        Just("window.synccheck={retcode:\"0\",selector:\"2\"}".to_owned()),
        Just("<error><ret>0</ret><skey>a</skey><wxsid>b</wxsid><wxuin>1</wxuin><pass_ticket>c</pass_ticket></error>".to_owned()),
        Just("{\"BaseResponse\":{\"Ret\":0,\"ErrMsg\":\"\"},\"AddMsgList\":[{\"MsgId\":\"1\",\"MsgType\":1}],\"SyncKey\":{\"Count\":1,\"List\":[{\"Key\":1,\"Val\":2}]}}".to_owned()),
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        (seeds, any::<usize>(), any::<u8>(), 0usize..4).prop_map(|(s, at, b, mode)| {
            let mut v = s.into_bytes();
            let i = at % (v.len() + 1);
            match mode {
                0 => v.truncate(i),
                1 => v.insert(i, b),
                2 if i < v.len() => v[i] = b,
                _ => v.extend_from_slice(&v.clone()),
            }
            v
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_are_total(status in any_status(), body in bodies()) {
        let r = resp(status, body);
        let _ = jslogin::parse(&r);
        let _ = login::parse(&r);
        let _ = newloginpage::parse(&r);
        let _ = pushloginurl::parse(&r);
        let _ = init::parse(&r);
        let _ = statusnotify::parse(&r);
        let _ = getcontact::parse(&r);
        let _ = batchgetcontact::parse(&r);
        let _ = synccheck::parse(&r);
        let _ = sync::parse(&r);
        let _ = logout::parse(&r);
        let _ = js::assignments(&String::from_utf8_lossy(r.body()));
        let _ = webwx_core::error::excerpt(r.body());
    }

    #[test]
    fn parse_errors_never_leak_secrets(secret in "[A-Za-z0-9]{12,20}") {
        let body = format!("<error><ret>0</ret><skey>@crypt_{secret}</skey><wxsid>{secret}</wxsid></error>");
        let e = newloginpage::parse(&resp(200, body.into_bytes())).unwrap_err();
        prop_assert!(!e.to_string().contains(&secret));
        let dbg = format!("{e:?}");
        prop_assert!(!dbg.contains(&secret));
    }

    #[test]
    fn sync_key_query_round_trips(pairs in proptest::collection::vec((any::<u64>(), any::<u64>()), 0..12)) {
        let k = SyncKey::from_pairs(pairs);
        prop_assert_eq!(SyncKey::from_query(&k.to_query()), Some(k.clone()));
        let json = serde_json::to_string(&k).unwrap();
        prop_assert_eq!(serde_json::from_str::<SyncKey>(&json).unwrap(), k);
    }

    #[test]
    fn sync_key_only_moves_forward(
        start in proptest::collection::vec((0u64..20, any::<u32>()), 0..8),
        updates in proptest::collection::vec(proptest::collection::vec((0u64..20, any::<u32>()), 0..8), 0..8),
    ) {
        let mut k = SyncKey::from_pairs(start.iter().map(|(a, b)| (*a, u64::from(*b))));
        for u in updates {
            let before = k.clone();
            let incoming = SyncKey::from_pairs(u.iter().map(|(a, b)| (*a, u64::from(*b))));
            k.advance(&incoming);
            prop_assert!(k.dominates(&before), "{:?} -> {:?}", before, k);
            if !incoming.is_empty() {
                // Every incoming pair is reflected at least at its value.
                let unique = SyncKey::from_pairs(
                    incoming.list.iter().map(|p| (p.key, p.val)).filter(|(key, _)| {
                        incoming.list.iter().filter(|q| q.key == *key).count() == 1
                    }),
                );
                let reflected = k.dominates(&unique);
                prop_assert!(reflected);
            }
            prop_assert_eq!(k.count as usize, k.list.len());
        }
    }

    #[test]
    fn relay_mapping_round_trips(
        host in "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9-]{0,10}){1,3}",
        path in "(/[A-Za-z0-9_.-]{1,12}){0,4}",
        query in proptest::option::of("[A-Za-z0-9_=&%@./-]{0,40}"),
        cookie in "[ -~]{0,40}",
        prefix in prop_oneof![Just(String::new()), Just("/relay".to_owned())],
        desktop in any::<bool>(),
        browser in proptest::collection::vec(
            (prop_oneof![
                Just("cookie"), Just("authorization"), Just("referer"), Just("user-agent"),
                Just("origin"), Just("sec-fetch-site"), Just("sec-ch-ua"), Just("forwarded"),
                Just("x-forwarded-for"), Just("x-real-ip"), Just("proxy-authorization"),
                Just("via"), Just("x-wx-unknown"), Just("connection"),
            ], "[a-zA-Z0-9=;. ]{0,20}"),
            0..6,
        ),
    ) {
        let path = if path.is_empty() { "/".to_owned() } else { path };
        // A dot segment is refused (tested below), never forwarded.
        prop_assume!(!relay::has_dot_segment(&path));
        let url = match &query {
            Some(q) => format!("https://{host}{path}?{q}"),
            None => format!("https://{host}{path}"),
        };
        let Ok(uri) = url.parse::<http::Uri>() else { return Ok(()) };
        let mut b = http::Request::builder()
            .uri(uri.clone())
            .header("referer", "https://wx.qq.com/")
            .header("user-agent", "Mozilla/5.0 (core)")
            .header("accept", "application/json, text/plain, */*")
            .header("content-type", "application/json;charset=UTF-8");
        if desktop {
            b = b.header("extspam", "blob").header("client-version", "2.0.0");
        }
        if let Ok(v) = http::HeaderValue::from_str(&cookie) {
            b = b.header("cookie", v);
        }
        let req = b.body(b"body".to_vec()).unwrap();
        let origin = Origin::parse(&format!("http://127.0.0.1:8787{prefix}")).unwrap();

        // Origin only (a simulator, Node): the headers travel as they are.
        let plain = relay::encode_request(&origin, false, req.clone()).unwrap();
        prop_assert_eq!(plain.headers(), req.headers());

        // Relay mode: the browser then adds its own headers beside the core's.
        let mut relayed = relay::encode_request(&origin, true, req.clone()).unwrap();
        let expected_start = format!("http://127.0.0.1:8787{prefix}/{host}");
        prop_assert!(relayed.uri().to_string().starts_with(&expected_start));
        prop_assert!(relay::is_relay_mode(relayed.headers()));
        for name in relayed.headers().keys() {
            prop_assert!(
                relay::relay_mode_headers().any(|h| h == name.as_str()),
                "{} is not among the headers a relay accepts", name
            );
        }
        prop_assert!(relayed.headers().get("cookie").is_none());
        prop_assert!(relayed.headers().get("referer").is_none());
        prop_assert!(relayed.headers().get("user-agent").is_none());
        for (name, value) in &browser {
            if let Ok(v) = http::HeaderValue::from_str(value) {
                relayed.headers_mut().append(*name, v);
            }
        }
        let (back_host, back) = relay::decode_request(&prefix, relayed).unwrap();
        prop_assert_eq!(back_host, host);
        prop_assert_eq!(back.uri(), req.uri());
        prop_assert_eq!(back.headers(), req.headers(), "exactly the core's headers");
        prop_assert_eq!(back.body(), req.body());

        // Without relay mode's renaming, nothing the browser says stands in for them.
        let (_, bare) = relay::decode_request(&prefix, plain).unwrap();
        prop_assert!(bare.headers().get("cookie").is_none());
        prop_assert!(bare.headers().get("referer").is_none());
        prop_assert!(bare.headers().get("user-agent").is_none());
    }

    #[test]
    fn relay_refuses_every_dot_segment(
        host in "[a-z]{1,8}\\.qq\\.com",
        before in "(/[A-Za-z0-9_-]{1,8}){0,3}",
        dots in prop_oneof![
            Just("."), Just(".."), Just("%2e"), Just("%2E"), Just("%2e%2e"), Just("%2E%2e"),
            Just(".%2E"), Just("%2e."),
        ],
        after in "(/[A-Za-z0-9_-]{1,8}){0,3}",
        query in proptest::option::of("[A-Za-z0-9_=&./-]{0,20}"),
    ) {
        let mut path = format!("/{host}{before}/{dots}{after}");
        if let Some(q) = &query {
            path = format!("{path}?{q}");
        }
        let uri: http::Uri = path.parse().unwrap();
        prop_assert!(
            matches!(relay::decode_path("", &uri), Err(relay::RelayError::BadPath(_))),
            "{}", path
        );
    }

    #[test]
    fn relay_decode_is_total(path in "[ -~]{0,60}") {
        if let Ok(uri) = path.parse::<http::Uri>() {
            let _ = relay::decode_path("", &uri);
        }
    }

    #[test]
    fn cookie_matching_follows_domains(
        labels in proptest::collection::vec("[a-z]{1,6}", 2..5),
        extra in "[a-z]{1,6}",
        name in "[a-z]{1,8}",
        value in "[A-Za-z0-9]{1,12}",
    ) {
        let domain = labels.join(".");
        let sub = format!("{extra}.{domain}");
        let now = Timestamp(1_700_000_000_000);
        let mut jar = CookieJar::new();
        let set = format!("{name}={value}; Domain=.{domain}; Path=/");
        prop_assert!(jar.store(now, &domain, "/", &set));
        let expected = format!("{name}={value}");
        prop_assert_eq!(jar.header(now, &sub, "/x", true), Some(expected.clone()));
        prop_assert_eq!(jar.header(now, &domain, "/", false), Some(expected));
        // A look-alike host that merely ends with the same letters does not match.
        let lookalike = format!("{extra}{domain}");
        prop_assert!(!domain_match(&lookalike, &domain));
        prop_assert_eq!(jar.header(now, &lookalike, "/", true), None);
        // A foreign Domain attribute is refused.
        let foreign = format!("{name}=x; Domain=other{extra}.invalid");
        prop_assert!(!jar.store(now, &domain, "/", &foreign));
    }

    #[test]
    fn cookie_store_is_total(header in "[ -~]{0,80}", host in "[a-z.]{0,20}") {
        let mut jar = CookieJar::new();
        let _ = jar.store(Timestamp(5), &host, "/a/b", &header);
        let _ = jar.header(Timestamp(5), &host, "/a", true);
    }
}
