//! The best-effort stable key: the same contact under two logins' UserNames gets the same
//! key, built from the most lasting field it has; group members found by display or nick
//! name.

use webwx_core::contacts::Contacts;
use webwx_core::stable_key::{members_named, stable_key};
use webwx_core::wire::RawContact;

fn contact(v: serde_json::Value) -> RawContact {
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_key_survives_a_new_login_and_says_what_it_is_made_of() {
    // The same people, as two logins show them: only the UserNames differ.
    for (login, me) in [("aaaa", "@me1"), ("bbbb", "@me2")] {
        let u = |s: &str| format!("@{login}{s}");
        let with_alias = contact(
            serde_json::json!({"UserName": u("01"), "NickName": "Ann", "Alias": "ann_w", "RemarkName": "Annie"}),
        );
        assert_eq!(stable_key(&with_alias, me), "alias:ann_w");
        let with_remark = contact(
            serde_json::json!({"UserName": u("02"), "NickName": "Bob", "RemarkName": "Uncle Bob"}),
        );
        assert_eq!(stable_key(&with_remark, me), "remark:Uncle Bob");
        let nick_only = contact(
            serde_json::json!({"UserName": u("03"), "NickName": "Cy", "Sex": 1, "Province": "广东", "City": "深圳"}),
        );
        assert_eq!(stable_key(&nick_only, me), "nick:Cy|1|广东|深圳");
        let group = contact(
            serde_json::json!({"UserName": format!("@@{login}04"), "NickName": "Book club"}),
        );
        assert_eq!(stable_key(&group, me), "group:Book club");
    }
    let uin = contact(serde_json::json!({"UserName": "@x", "Uin": 12345, "Alias": "a"}));
    assert_eq!(stable_key(&uin, "@me"), "uin:12345", "a uin comes first");
    let helper = contact(serde_json::json!({"UserName": "filehelper", "NickName": "文件传输助手"}));
    assert_eq!(stable_key(&helper, "@me"), "user:filehelper");
}

#[test]
fn group_members_by_display_or_nick_name() {
    let mut contacts = Contacts::new("@me");
    contacts.upsert(contact(serde_json::json!({
        "UserName": "@@g", "NickName": "Book club",
        "MemberList": [
            {"UserName": "@m1", "NickName": "Ann", "DisplayName": "Ann (host)"},
            {"UserName": "@m2", "NickName": "Bob", "DisplayName": ""},
            {"UserName": "@m3", "NickName": "Ann", "DisplayName": ""},
        ],
    })));
    let names = |q: &str| -> Vec<String> {
        members_named(&contacts, "@@g", q)
            .iter()
            .map(|m| m.user_name.clone())
            .collect()
    };
    assert_eq!(names("Ann (host)"), ["@m1"]);
    assert_eq!(
        names("Ann"),
        ["@m1", "@m3"],
        "by nick name too, every match"
    );
    assert_eq!(names(" Bob "), ["@m2"]);
    assert_eq!(names("@m2"), ["@m2"]);
    assert!(names("Cy").is_empty());
    assert!(members_named(&contacts, "@@nope", "Ann").is_empty());
}
