//! Many sessions in one simulator: 10,000 logins over HTTP, then thousands of
//! synccheck long-polls held at once, each woken by its own message only.

mod common;

use std::time::{Duration, Instant};

use common::*;
use webwx_sim::InjectMessage;

const SESSIONS: usize = 10_000;
const CONCURRENT_POLLS: usize = 3_000;

struct Creds {
    uin: u64,
    sid: String,
    skey: String,
    cookie: String,
    key1: String,
}

fn login_fast(conn: &mut Conn, sim: &webwx_sim::RunningSim) -> Creds {
    let js = conn
        .request("GET", "/jslogin?appid=wx782c26e4c19acffb&fun=new", &[], b"")
        .text();
    let uuid = uuid_of(&js);
    sim.control().scan(Some(&uuid), true).unwrap();
    let poll = conn
        .request(
            "GET",
            &format!("/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid={uuid}&tip=1"),
            &[],
            b"",
        )
        .text();
    let s = poll.find("/cgi-bin/mmwebwx-bin/webwxnewloginpage").unwrap();
    let e = poll[s..].find('"').unwrap() + s;
    let r = conn.request("GET", &format!("{}&version=v2", &poll[s..e]), &[], b"");
    let body = r.text();
    let cookie = cookie_pairs(&r.headers_all("set-cookie"))
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let uin: u64 = xml(&body, "wxuin").unwrap().parse().unwrap();
    let sid = xml(&body, "wxsid").unwrap();
    let skey = xml(&body, "skey").unwrap();
    let pt = xml(&body, "pass_ticket").unwrap();
    let init = conn.request(
        "POST",
        &format!("/cgi-bin/mmwebwx-bin/webwxinit?r=-1&pass_ticket={pt}"),
        &[("Cookie", cookie.clone())],
        serde_json::json!({"BaseRequest": {"Uin": uin, "Sid": sid, "Skey": skey, "DeviceID": "e1"}})
            .to_string()
            .as_bytes(),
    );
    let v = init.json();
    assert_eq!(v["BaseResponse"]["Ret"], 0);
    let key1 = format!("1_{}", v["SyncKey"]["List"][0]["Val"]);
    Creds {
        uin,
        sid,
        skey,
        cookie,
        key1,
    }
}

#[test]
fn ten_thousand_sessions_in_one_process() {
    let sim = sim_with(|c| {
        c.contacts = 3;
        c.groups = 1;
        // Long enough that "woken at once" (below) cannot be the end of a hold even on
        // a loaded CI machine; the idle polls wait it out once, at the end.
        c.hold_ms = 5_000;
    });
    let t0 = Instant::now();
    let workers = 2;
    let mut handles = Vec::new();
    let sim = std::sync::Arc::new(sim);
    for _ in 0..workers {
        let sim = sim.clone();
        handles.push(std::thread::spawn(move || {
            let mut conn = Conn::open(&sim);
            (0..SESSIONS / workers)
                .map(|_| login_fast(&mut conn, &sim))
                .collect::<Vec<_>>()
        }));
    }
    let creds: Vec<Creds> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let logged_in = t0.elapsed();
    let state = sim.control().state();
    assert_eq!(state.counters["sessions_live"], SESSIONS as u64);
    assert_eq!(state.accounts.len(), SESSIONS);
    eprintln!("{SESSIONS} logins in {logged_in:?}");

    // Thousands of synccheck long-polls held at once.
    let step = SESSIONS / CONCURRENT_POLLS;
    let picked: Vec<usize> = (0..SESSIONS).step_by(step).take(CONCURRENT_POLLS).collect();
    let mut conns: Vec<(usize, Conn)> = picked.iter().map(|&i| (i, Conn::open(&sim))).collect();
    for (i, conn) in conns.iter_mut() {
        let c = &creds[*i];
        conn.send(
            "GET",
            &format!(
                "/cgi-bin/mmwebwx-bin/synccheck?r=1&skey={}&sid={}&uin={}&deviceid=e1&synckey={}",
                c.skey.replace('@', "%40"),
                c.sid,
                c.uin,
                c.key1
            ),
            &[("Cookie", c.cookie.clone())],
            b"",
        );
    }
    // A message for two of them only.
    let chosen = [conns[7].0, conns[CONCURRENT_POLLS - 1].0];
    std::thread::sleep(Duration::from_millis(200));
    let t1 = Instant::now();
    for &i in &chosen {
        let acc = sim.control().contacts(Some(creds[i].uin)).unwrap();
        let friend = acc.iter().find(|c| c.kind == "friend").unwrap();
        sim.control()
            .inject_message(InjectMessage {
                uin: Some(creds[i].uin),
                from: friend.user_name.clone(),
                content: format!("for session {i}"),
                ..InjectMessage::default()
            })
            .unwrap();
    }
    for &i in &chosen {
        let (_, conn) = conns.iter_mut().find(|(j, _)| *j == i).unwrap();
        let r = conn.recv();
        assert_eq!(r.text(), "window.synccheck={retcode:\"0\",selector:\"2\"}");
    }
    // Polls that were not woken answer 5 s after they were sent (4.8 s after t1); woken
    // ones within milliseconds. Half the hold leaves a loaded CI machine ample slack.
    assert!(t1.elapsed() < Duration::from_millis(2_500), "woken at once");
    let mut idle = 0;
    for (i, conn) in conns.iter_mut() {
        if chosen.contains(i) {
            continue;
        }
        // The idle polls are answered when the hold ends, past the default read timeout.
        conn.read_timeout(Duration::from_secs(30));
        let r = conn.recv();
        assert_eq!(r.text(), "window.synccheck={retcode:\"0\",selector:\"0\"}");
        idle += 1;
    }
    assert_eq!(idle, CONCURRENT_POLLS - 2);
    eprintln!(
        "{CONCURRENT_POLLS} concurrent long-polls answered in {:?}",
        t1.elapsed()
    );
}
