//! The HTTP API on a real server (127.0.0.1) with a real SQLite file, against an
//! in-process simulator: refusals (401, 421, 404, 400) that change nothing, the cookie
//! login of the page, and one account's life (QR PNG, scan, contacts, idempotent sends,
//! history with a revoke, logout and delete).

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};
use webwx_gateway::store::Sqlite;
use webwx_gateway::{Gateway, Options};
use webwx_sim::{InjectMessage, RunningSim, SimConfig};

const TOKEN: &str = "test-token-0123456789";

struct Api {
    http: webwx_hyper::Transport,
    base: String,
    gw: Arc<Gateway>,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Api {
    async fn start(sim: &RunningSim, tweak: impl FnOnce(&mut Options)) -> Api {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Sqlite::open(dir.path().join("gw.db")).unwrap());
        let mut options = Options::new(TOKEN);
        options.listen = "127.0.0.1:0".parse().unwrap();
        options.origin = Some(sim.base_url());
        options.long_poll = Some(Duration::from_secs(2));
        tweak(&mut options);
        let gw = Gateway::new(options, store).unwrap();
        gw.restore().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(webwx_gateway::serve_until(
            listener,
            gw.clone(),
            std::future::pending(),
        ));
        Api {
            http: webwx_hyper::Transport::new(&webwx_hyper::Options::default()).unwrap(),
            base,
            gw,
            _dir: dir,
        }
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let resp = self
            .http
            .execute(b.body(body.to_vec()).unwrap(), Duration::from_secs(30))
            .await
            .unwrap();
        let (parts, body) = resp.into_parts();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let auth = format!("Bearer {TOKEN}");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.raw(method, path, &[("authorization", &auth)], body.as_bytes())
            .await
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    async fn wait_state(&self, id: &str, state: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let a = self.get(&format!("/v1/accounts/{id}")).await.json();
            if a["state"] == state {
                return a;
            }
            assert!(Instant::now() < deadline, "account never {state}: {a}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn sim(auto_scan: bool) -> RunningSim {
    webwx_sim::spawn(SimConfig {
        auto_scan,
        hold_ms: 200,
        scan_delay_ms: 50,
        ..SimConfig::default()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_change_nothing() {
    let sim = sim(true);
    let api = Api::start(&sim, |_| {}).await;
    let created = api
        .call(Method::POST, "/v1/accounts", Some(json!({})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    api.wait_state(&id, "logged_in").await;
    // Let the session settle (its first sync) before taking the picture.
    let mut before_head = *api.gw.head().borrow();
    loop {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let now = *api.gw.head().borrow();
        if now == before_head {
            break;
        }
        before_head = now;
    }
    let before_accounts = api.get("/v1/accounts").await.json();
    let before_sent = sim.control().sent().len();

    // 401: no token, a wrong one, on reads and writes alike.
    for (method, path) in [
        (Method::GET, "/v1/accounts".to_owned()),
        (Method::POST, "/v1/accounts".to_owned()),
        (Method::GET, format!("/v1/accounts/{id}")),
        (Method::DELETE, format!("/v1/accounts/{id}")),
        (Method::POST, format!("/v1/accounts/{id}/commands")),
        (Method::POST, format!("/v1/accounts/{id}/messages")),
        (Method::GET, "/v1/events?after=0".to_owned()),
        (Method::GET, "/v1/accounts/nope".to_owned()),
    ] {
        let body = br#"{"cmd":"send_text","to":"filehelper","text":"x"}"#;
        let a = api.raw(method.clone(), &path, &[], body).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(a.json()["error"]["kind"], "unauthorized");
        assert_eq!(a.headers["www-authenticate"], "Bearer");
        let wrong = api
            .raw(
                method.clone(),
                &path,
                &[("authorization", "Bearer nope-nope-nope")],
                body,
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // 421: a Host that is not the gateway's (DNS rebinding), even with the token.
    let auth = format!("Bearer {TOKEN}");
    let rebound = api
        .raw(
            Method::GET,
            "/v1/accounts",
            &[("authorization", &auth), ("host", "evil.example")],
            b"",
        )
        .await;
    assert_eq!(rebound.status, StatusCode::MISDIRECTED_REQUEST);
    // 404: unknown accounts, on every per-account endpoint.
    for (method, path) in [
        (Method::GET, "/v1/accounts/nope"),
        (Method::DELETE, "/v1/accounts/nope"),
        (Method::GET, "/v1/accounts/nope/qr.png"),
        (Method::GET, "/v1/accounts/nope/contacts"),
        (Method::GET, "/v1/accounts/nope/messages"),
        (Method::POST, "/v1/accounts/nope/messages"),
        (Method::POST, "/v1/accounts/nope/commands"),
    ] {
        let a = api
            .call(
                method.clone(),
                path,
                Some(json!({"cmd": "send_text", "to": "filehelper", "text": "x"})),
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            a.text()
        );
        assert_eq!(a.json()["error"]["kind"], "not_found");
    }
    // 400: bad JSON, with a message that says so.
    for path in [
        "/v1/accounts".to_owned(),
        format!("/v1/accounts/{id}/commands"),
        format!("/v1/accounts/{id}/messages"),
    ] {
        let a = api
            .raw(
                Method::POST,
                &path,
                &[("authorization", &auth)],
                b"{\"cmd\": \"send_text\",",
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}");
        let m = a.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(m.contains("not valid JSON") && m.contains("line 1"), "{m}");
    }
    // 400: commands that are not commands, or name local files, or an origin.
    let cmd = format!("/v1/accounts/{id}/commands");
    let typo = api
        .call(
            Method::POST,
            &cmd,
            Some(json!({"id": 5, "cmd": "send_text", "to": "filehelper", "txt": "x"})),
        )
        .await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST);
    assert_eq!(typo.json()["answer"], 5);
    assert_eq!(typo.json()["error"]["kind"], "bad_command");
    let path = api
        .call(
            Method::POST,
            &cmd,
            Some(json!({"cmd": "send_file", "to": "filehelper", "path": "/etc/passwd"})),
        )
        .await;
    assert_eq!(path.status, StatusCode::BAD_REQUEST);
    assert!(
        path.text().contains("\\\"path\\\" is refused over HTTP"),
        "{}",
        path.text()
    );
    let save = api
        .call(
            Method::POST,
            &cmd,
            Some(json!({"cmd": "download", "msg_id": "1", "save_to": "/tmp"})),
        )
        .await;
    assert_eq!(save.status, StatusCode::BAD_REQUEST);
    let origin = api
        .call(
            Method::POST,
            "/v1/accounts",
            Some(json!({"origin": "http://127.0.0.1:1"})),
        )
        .await;
    assert_eq!(origin.status, StatusCode::BAD_REQUEST);
    assert!(
        origin.text().contains("--allow-origin-override"),
        "{}",
        origin.text()
    );
    let unknown = api
        .call(Method::POST, "/v1/accounts", Some(json!({"nmae": "x"})))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.text().contains("unknown field"),
        "{}",
        unknown.text()
    );
    let kind = api
        .get(&format!("/v1/accounts/{id}/contacts?kind=enemy"))
        .await;
    assert_eq!(kind.status, StatusCode::BAD_REQUEST);

    // Nothing changed: the same accounts, no event, nothing sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(api.get("/v1/accounts").await.json(), before_accounts);
    assert_eq!(*api.gw.head().borrow(), before_head);
    assert_eq!(sim.control().sent().len(), before_sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_logs_in_with_a_cookie() {
    let sim = sim(true);
    let api = Api::start(&sim, |_| {}).await;
    let page = api.raw(Method::GET, "/", &[], b"").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("<script src=\"/app.js\">"));
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(
        api.raw(Method::GET, "/app.js", &[], b"").await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.raw(Method::GET, "/healthz", &[], b"").await.text(),
        "ok"
    );
    let metrics = api.raw(Method::GET, "/metrics", &[], b"").await.text();
    assert!(
        metrics.contains("webwx_accounts{state=\"logged_in\"} 0"),
        "{metrics}"
    );

    let wrong = api
        .raw(Method::POST, "/v1/login", &[], br#"{"token": "wrong"}"#)
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get("set-cookie").is_none());
    let ok = api
        .raw(
            Method::POST,
            "/v1/login",
            &[],
            format!(r#"{{"token": "{TOKEN}"}}"#).as_bytes(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let cookie = ok.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let list = api
        .raw(Method::GET, "/v1/accounts", &[("cookie", &pair)], b"")
        .await;
    assert_eq!(list.status, StatusCode::OK);
    // With the cookie, a change from another origin is refused; from the page's own, not.
    let host = api.base.trim_start_matches("http://").to_owned();
    let foreign = api
        .raw(
            Method::POST,
            "/v1/accounts",
            &[("cookie", &pair), ("origin", "http://127.0.0.1:1")],
            b"{}",
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(api.gw.accounts().is_empty());
    let own = format!("http://{host}");
    let mine = api
        .raw(
            Method::POST,
            "/v1/accounts",
            &[("cookie", &pair), ("origin", &own)],
            b"{}",
        )
        .await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_from_qr_to_delete() {
    let sim = sim(false);
    let api = Api::start(&sim, |_| {}).await;
    let created = api
        .call(Method::POST, "/v1/accounts", Some(json!({"name": "alice"})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    // The QR code: 409 until the login has one, then a PNG of its URL.
    let deadline = Instant::now() + Duration::from_secs(20);
    let account = loop {
        let a = api.get(&format!("/v1/accounts/{id}")).await.json();
        if a["qr_url"].is_string() {
            break a;
        }
        assert!(Instant::now() < deadline, "no QR code: {a}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(account["state"], "waiting_scan");
    assert!(
        account["qr_url"]
            .as_str()
            .unwrap()
            .starts_with("https://login.weixin.qq.com/l/")
    );
    let png = api.get(&format!("/v1/accounts/{id}/qr.png")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.headers["content-type"], "image/png");
    assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");
    sim.control().scan(None, true).unwrap();
    let account = api.wait_state(&id, "logged_in").await;
    let me = account["user"]["user_name"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get(&format!("/v1/accounts/{id}/qr.png")).await.status,
        StatusCode::CONFLICT
    );

    // Contacts with kinds, filtered and searched.
    let deadline = Instant::now() + Duration::from_secs(10);
    let friends = loop {
        let f = api
            .get(&format!("/v1/accounts/{id}/contacts?kind=friend"))
            .await
            .json();
        if f.as_array().is_some_and(|a| !a.is_empty()) {
            break f;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let sim_friends: Vec<_> = sim
        .control()
        .contacts(None)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "friend")
        .collect();
    assert_eq!(friends.as_array().unwrap().len(), sim_friends.len());
    assert!(
        friends
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "friend")
    );
    let groups = api
        .get(&format!("/v1/accounts/{id}/contacts?kind=group"))
        .await
        .json();
    assert!(
        groups
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "group")
    );
    let friend = sim_friends[0].clone();
    let q = &friend.nick_name;
    let found = api
        .get(&format!("/v1/accounts/{id}/contacts?q={}", percent(q)))
        .await
        .json();
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["user_name"] == friend.user_name.as_str()),
        "{found}"
    );

    // A send with an Idempotency-Key, twice: sent once, the same answer twice.
    let path = format!("/v1/accounts/{id}/commands");
    let auth = format!("Bearer {TOKEN}");
    let body =
        json!({"cmd": "send_text", "to": friend.nick_name, "text": "hello once"}).to_string();
    let key = [("authorization", auth.as_str()), ("idempotency-key", "k-1")];
    let first = api.raw(Method::POST, &path, &key, body.as_bytes()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let second = api.raw(Method::POST, &path, &key, body.as_bytes()).await;
    assert_eq!(second.body, first.body);
    let other = json!({"cmd": "send_text", "to": friend.nick_name, "text": "else"}).to_string();
    let mismatch = api.raw(Method::POST, &path, &key, other.as_bytes()).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent: Vec<_> = sim
        .control()
        .sent()
        .into_iter()
        .filter(|s| s.content == "hello once")
        .collect();
    assert_eq!(sent.len(), 1);
    let msg_id = first.json()["result"]["msg_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sent[0].msg_id, msg_id);
    // An unknown name is the caller's error, with candidates.
    let unknown = api
        .call(
            Method::POST,
            &path,
            Some(json!({"cmd": "send_text", "to": "Nobody At All", "text": "x"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["error"]["kind"], "unknown_name");

    // An incoming message and the send are in the history; a revoke keeps the text.
    sim.control()
        .inject_message(InjectMessage {
            from: friend.user_name.clone(),
            content: "hi from the phone".into(),
            ..InjectMessage::default()
        })
        .unwrap();
    let history_path = format!(
        "/v1/accounts/{id}/messages?chat={}",
        percent(&friend.user_name)
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let history = loop {
        let h = api.get(&history_path).await.json();
        if h.as_array().unwrap().len() >= 2 {
            break h;
        }
        assert!(Instant::now() < deadline, "{h}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(history[0]["text"], "hi from the phone");
    assert_eq!(history[0]["outgoing"], false);
    assert_eq!(history[1]["text"], "hello once");
    assert_eq!(history[1]["outgoing"], true);
    assert_eq!(history[1]["chat"], friend.user_name.as_str());
    assert!(history[0]["seq"].as_u64() > history[1]["seq"].as_u64());
    let revoke = api
        .call(
            Method::POST,
            &path,
            Some(json!({"cmd": "revoke", "to": friend.user_name, "msg_id": msg_id})),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.text());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let h = api.get(&history_path).await.json();
        let mine = h
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["msg_id"] == msg_id.as_str())
            .unwrap()
            .clone();
        if mine["revoked"] == true {
            assert_eq!(mine["text"], "hello once");
            break;
        }
        assert!(Instant::now() < deadline, "{h}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let older = api
        .get(&format!(
            "{history_path}&before={}&limit=1",
            history[0]["seq"]
        ))
        .await
        .json();
    assert_eq!(older.as_array().unwrap().len(), 1);
    assert_eq!(older[0]["msg_id"], msg_id.as_str());

    // Logging in again by name while it runs changes nothing (200, the same id).
    let again = api
        .call(Method::POST, "/v1/accounts", Some(json!({"name": "alice"})))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], id.as_str());

    // Delete: logged out on the server, forgotten here.
    let del = api
        .call(Method::DELETE, &format!("/v1/accounts/{id}"), None)
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&format!("/v1/accounts/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let state = sim.control().state();
    let acc = state.accounts.iter().find(|a| a.user_name == me).unwrap();
    assert!(!acc.logged_in, "logged out on the server");
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_ends_the_streams_and_a_restart_resumes() {
    let sim = sim(true);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gw.db");
    let start = |db: std::path::PathBuf, origin: String| async move {
        let store = Arc::new(Sqlite::open(db).unwrap());
        let mut options = Options::new(TOKEN);
        options.origin = Some(origin);
        options.long_poll = Some(Duration::from_secs(2));
        let gw = Gateway::new(options, store).unwrap();
        let resumed = gw.restore().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(webwx_gateway::serve_until(
            listener,
            gw.clone(),
            async move {
                let _ = stop_rx.await;
            },
        ));
        (gw, base, stop_tx, server, resumed)
    };
    let (gw, base, stop, server, resumed) = start(db.clone(), sim.base_url()).await;
    assert_eq!(resumed, 0);
    let http = webwx_hyper::Transport::new(&webwx_hyper::Options::default()).unwrap();
    let auth = format!("Bearer {TOKEN}");
    let req = |method: &str, path: &str, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(format!("{base}{path}"))
            .header("authorization", &auth)
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    let created = http
        .execute(req("POST", "/v1/accounts", "{}"), Duration::from_secs(10))
        .await
        .unwrap();
    let id = serde_json::from_slice::<Value>(created.body()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    while gw.account(&id).unwrap().live().state != webwx_gateway::accounts::AccountState::LoggedIn {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An open SSE stream (read to its end by the client) ends when the gateway stops.
    let sse = {
        let http = http.clone();
        let r = req("GET", "/v1/events?after=0", "");
        tokio::spawn(async move { http.execute(r, Duration::from_secs(60)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .expect("serve ends")
        .unwrap()
        .unwrap();
    let body = sse.await.unwrap().unwrap().into_body();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("\"event\":\"ready\""), "{text}");
    drop(gw);

    // The next start on the same file resumes the account without a QR code.
    let (gw, _base, _stop, _server, resumed) = start(db, sim.base_url()).await;
    assert_eq!(resumed, 1);
    let account = gw.account(&id).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while account.live().state != webwx_gateway::accounts::AccountState::LoggedIn {
        assert!(Instant::now() < deadline, "{:?}", account.live());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sim.control().state().pending_uuids.is_empty(), "no QR code");
}
