//! Deterministic generation of accounts from `--seed`: the same seed and account
//! number always give the same uin, names, friends, groups and official accounts.

use std::collections::HashSet;

use super::account::{Account, Contact, ContactKind, Group, Me, Member};
use crate::prng::SplitMix64;

const SURNAMES: [(&str, &str); 16] = [
    ("张", "zhang"),
    ("王", "wang"),
    ("李", "li"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
];

const GIVEN: [(&str, &str); 22] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀兰", "xiu lan"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂英", "gui ying"),
];

const ENGLISH: [&str; 16] = [
    "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Oscar", "Peggy", "Trent", "Victor", "Walter",
];

const EMOJI: [&str; 6] = ["1f604", "1f339", "2764", "1f436", "1f60a", "1f680"];

const GROUPS: [(&str, &str); 8] = [
    ("相亲相爱的一家人", "xiang qin xiang ai de yi jia ren"),
    ("周末羽毛球", "zhou mo yu mao qiu"),
    ("大学同学", "da xue tong xue"),
    ("项目组", "xiang mu zu"),
    ("Rust 学习群", "rust xue xi qun"),
    ("小区业主群", "xiao qu ye zhu qun"),
    ("读书会", "du shu hui"),
    ("Weekend Hikers", "weekend hikers"),
];

const OFFICIALS: [(&str, &str, u32); 7] = [
    ("微信支付", "wei xin zhi fu", 24),
    ("腾讯新闻", "teng xun xin wen", 24),
    ("招商银行信用卡", "zhao shang yin hang xin yong ka", 24),
    ("顺丰速运", "shun feng su yun", 24),
    ("成电食堂", "cheng dian shi tang", 8),
    ("微信运动", "wei xin yun dong", 24),
    ("Rust语言中文社区", "rust yu yan zhong wen she qu", 8),
];

const PLACES: [(&str, &str); 6] = [
    ("广东", "深圳"),
    ("北京", "海淀"),
    ("上海", "浦东新区"),
    ("浙江", "杭州"),
    ("四川", "成都"),
    ("", ""),
];

const SIGNATURES: [&str; 5] = [
    "",
    "赚钱养家",
    "making the world a better place",
    "今天也要加油 <span class=\"emoji emoji1f4aa\"></span>",
    "Stay hungry, stay foolish.",
];

/// PYInitial and PYQuanPin from space-separated syllables.
fn pinyin(syllables: &str) -> (String, String) {
    let initial: String = syllables
        .split_whitespace()
        .filter_map(|s| s.chars().next())
        .collect::<String>()
        .to_ascii_uppercase();
    let full: String = syllables.split_whitespace().collect();
    (initial, full)
}

/// Generates unique names from the tables.
struct Names<'a> {
    g: &'a mut SplitMix64,
    used: HashSet<String>,
}

impl Names<'_> {
    /// A person's nick name and its pinyin syllables.
    fn person(&mut self) -> (String, String) {
        for attempt in 0u32.. {
            let (name, py) = if self.g.below(4) == 0 {
                let n = ENGLISH[self.g.below(ENGLISH.len() as u64) as usize];
                (n.to_string(), n.to_ascii_lowercase())
            } else {
                let (s, sp) = SURNAMES[self.g.below(SURNAMES.len() as u64) as usize];
                let (n, np) = GIVEN[self.g.below(GIVEN.len() as u64) as usize];
                (format!("{s}{n}"), format!("{sp} {np}"))
            };
            let (name, py) = if attempt > 3 {
                let k = self.used.len();
                (format!("{name}{k}"), format!("{py} {k}"))
            } else {
                (name, py)
            };
            if self.used.insert(name.clone()) {
                return (name, py);
            }
        }
        unreachable!()
    }

    fn unique(&mut self, base: &str, py: &str) -> (String, String) {
        if self.used.insert(base.to_string()) {
            return (base.to_string(), py.to_string());
        }
        for k in 2u64.. {
            let name = format!("{base}{k}");
            if self.used.insert(name.clone()) {
                return (name, format!("{py} {k}"));
            }
        }
        unreachable!()
    }
}

/// A uin for account number `index` under `seed`.
pub(crate) fn uin_for(seed: u64, index: u64, salt: u64) -> u64 {
    let mut g = SplitMix64::derive(seed, 0x5EED_0000 + index * 31 + salt);
    100_000_000 + g.below(3_900_000_000)
}

fn friend_user_name(g: &mut SplitMix64) -> String {
    format!("@{}", g.hex(64))
}

/// The `seq` of a contact's avatar URL (the account's own is larger).
fn avatar_seq(g: &mut SplitMix64) -> u32 {
    g.range(600_000_000, 699_999_999) as u32
}

/// A person's long-lived id: `wxid_` and 14 lowercase letters or digits.
pub(crate) fn person_wxid(g: &mut SplitMix64) -> String {
    format!("wxid_{}", g.alnum(14).to_ascii_lowercase())
}

/// A contact as a member of a group (no group nickname yet).
pub(crate) fn member_from(c: &Contact) -> Member {
    Member {
        user_name: c.user_name.clone(),
        nick_name: c.nick_name.clone(),
        display_name: String::new(),
        attr_status: c.attr_status,
        key_word: c.key_word.clone(),
    }
}

/// A blank contact of `kind` with the given names.
pub(crate) fn blank_contact(kind: ContactKind, user_name: String, nick: &str, py: &str) -> Contact {
    let (pyi, pyq) = pinyin(py);
    Contact {
        user_name,
        nick_name: nick.to_string(),
        remark_name: String::new(),
        kind,
        sex: 0,
        verify_flag: 0,
        contact_flag: 3,
        signature: String::new(),
        province: String::new(),
        city: String::new(),
        py_initial: pyi,
        py_quanpin: pyq,
        remark_py_initial: String::new(),
        remark_py_quanpin: String::new(),
        alias: String::new(),
        key_word: String::new(),
        wxid: String::new(),
        head_seq: 0,
        attr_status: 0,
        sns_flag: 0,
        group: None,
    }
}

/// A friend made during a session (a request accepted, or one from the control API):
/// a fresh wxid and avatar, nothing else known.
pub(crate) fn new_friend(g: &mut SplitMix64, user_name: String, nick: &str) -> Contact {
    let mut c = blank_contact(ContactKind::Friend, user_name, nick, "");
    c.wxid = person_wxid(g);
    c.head_seq = avatar_seq(g);
    c
}

/// A stranger (not a friend) with a fresh user name.
pub(crate) fn stranger(g: &mut SplitMix64, nick: Option<&str>) -> Member {
    let nick = match nick {
        Some(n) => n.to_string(),
        None => {
            let (s, _) = SURNAMES[g.below(SURNAMES.len() as u64) as usize];
            let (n, _) = GIVEN[g.below(GIVEN.len() as u64) as usize];
            format!("{s}{n}")
        }
    };
    Member {
        user_name: friend_user_name(g),
        nick_name: nick,
        display_name: String::new(),
        attr_status: 0,
        key_word: String::new(),
    }
}

/// A new group with the account and `members`.
pub(crate) fn new_group(
    g: &mut SplitMix64,
    me: &Me,
    uin: u64,
    topic: &str,
    members: Vec<Member>,
    is_owner: bool,
) -> Contact {
    let mut c = blank_contact(
        ContactKind::Group,
        format!("@@{}", g.hex(64)),
        topic,
        &topic.to_lowercase(),
    );
    c.wxid = format!("{}@chatroom", g.digits(10));
    c.head_seq = avatar_seq(g);
    let mut all = vec![Member {
        user_name: me.user_name.clone(),
        nick_name: me.nick_name.clone(),
        display_name: String::new(),
        attr_status: 0,
        key_word: String::new(),
    }];
    all.extend(members);
    c.group = Some(Box::new(Group {
        members: all,
        encry_chat_room_id: format!("@{}", g.hex(32)),
        is_owner,
        owner_uin: if is_owner { uin } else { 0 },
    }));
    c
}

/// Generates account number `index`.
pub(crate) fn account(
    seed: u64,
    index: u64,
    uin: u64,
    home: &'static str,
    nick: Option<&str>,
    contacts: usize,
    groups: usize,
) -> Account {
    let mut g = SplitMix64::derive(seed, 0xACC0_0000 + index);
    let mut names = Names {
        g: &mut g,
        used: HashSet::new(),
    };
    let (my_nick, _) = match nick {
        Some(n) => names.unique(n, n),
        None => names.person(),
    };
    drop(names);
    let me = Me {
        user_name: format!("@{}", g.hex(32)),
        nick_name: my_nick.clone(),
        signature: SIGNATURES[g.below(SIGNATURES.len() as u64) as usize].to_string(),
        sex: g.range(1, 2) as u8,
        head_seq: g.range(1_000_000_000, 1_999_999_999) as u32,
        wxid: person_wxid(&mut g),
    };
    let mut acc = Account::new(uin, home, me);
    let mut names = Names {
        g: &mut g,
        used: HashSet::new(),
    };
    names.used.insert(my_nick);

    // Special accounts.
    for (un, nick, py, vf) in [
        (
            "filehelper",
            "文件传输助手",
            "wen jian chuan shu zhu shou",
            0,
        ),
        ("weixin", "微信团队", "wei xin tuan dui", 56),
        ("fmessage", "朋友推荐消息", "peng you tui jian xiao xi", 0),
    ] {
        let mut c = blank_contact(ContactKind::Special, un.to_string(), nick, py);
        c.verify_flag = vf;
        c.wxid = un.to_string();
        names.used.insert(nick.to_string());
        acc.put_contact(c);
    }

    // Official accounts: about one in ten contacts.
    let officials = if contacts >= 3 {
        (contacts / 10).max(1)
    } else {
        0
    };
    let friends = contacts - officials;
    for i in 0..officials {
        let (base, py, vf) = OFFICIALS[i % OFFICIALS.len()];
        let (nick, py) = names.unique(base, py);
        let g = &mut *names.g;
        let mut c = blank_contact(ContactKind::Official, format!("@{}", g.hex(32)), &nick, &py);
        c.verify_flag = vf;
        c.contact_flag = if g.below(2) == 0 { 1 } else { 3 };
        c.key_word = "gh_".to_string();
        c.wxid = format!("gh_{}", g.hex(12));
        c.alias = c.wxid.clone();
        c.head_seq = avatar_seq(g);
        let (p, city) = PLACES[g.below(PLACES.len() as u64) as usize];
        c.province = p.to_string();
        c.city = city.to_string();
        c.signature = format!("{nick}官方账号");
        acc.put_contact(c);
    }

    // Friends.
    let mut friend_names = Vec::with_capacity(friends);
    for i in 0..friends {
        let (mut nick, py) = names.person();
        let g = &mut *names.g;
        if i % 9 == 4 {
            let e = EMOJI[g.below(EMOJI.len() as u64) as usize];
            nick = format!("{nick}<span class=\"emoji emoji{e}\"></span>");
        }
        let mut c = blank_contact(ContactKind::Friend, friend_user_name(g), &nick, &py);
        c.sex = g.below(3) as u8;
        c.contact_flag = if g.below(8) == 0 { 3 | 0x800 } else { 3 };
        c.wxid = person_wxid(g);
        c.key_word = c.wxid[5..8].to_string();
        c.head_seq = avatar_seq(g);
        c.attr_status = g.range(4_000, 240_000) as u32;
        c.sns_flag = g.below(2) as u32 * 17;
        c.signature = SIGNATURES[g.below(SIGNATURES.len() as u64) as usize].to_string();
        let (p, city) = PLACES[g.below(PLACES.len() as u64) as usize];
        c.province = p.to_string();
        c.city = city.to_string();
        if g.below(5) == 0 {
            c.remark_name = format!("{}（同事）", c.nick_name.split('<').next().unwrap_or(""));
            let (ri, rq) = pinyin(&format!("{py} tong shi"));
            c.remark_py_initial = ri;
            c.remark_py_quanpin = rq;
        }
        friend_names.push(c.user_name.clone());
        acc.put_contact(c);
    }

    // Groups: the account plus some friends and some strangers.
    for i in 0..groups {
        let (base, py) = GROUPS[i % GROUPS.len()];
        let (topic, _py) = names.unique(base, py);
        let g = &mut *names.g;
        let mut members = Vec::new();
        if !friend_names.is_empty() {
            let n = g.range(2, 8).min(friend_names.len() as u64);
            let start = g.below(friend_names.len() as u64) as usize;
            for k in 0..n as usize {
                let un = &friend_names[(start + k * 7) % friend_names.len()];
                if members.iter().any(|m: &Member| &m.user_name == un) {
                    continue;
                }
                let c = acc.contact(un).expect("friend just added");
                let mut m = member_from(c);
                if g.below(4) == 0 {
                    m.display_name = format!("{}-群", c.py_quanpin);
                }
                members.push(m);
            }
        }
        for _ in 0..g.range(1, 4) {
            let mut s = stranger(g, None);
            s.key_word = s.user_name[1..4].to_string();
            members.push(s);
        }
        let mut c = new_group(g, &acc.me, uin, &topic, members, i == 0);
        c.py_initial = pinyin(py).0;
        c.py_quanpin = pinyin(py).1;
        acc.put_contact(c);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        let a = account(1, 0, 123, "wx.qq.com", None, 20, 3);
        let b = account(1, 0, 123, "wx.qq.com", None, 20, 3);
        assert_eq!(a.me.user_name, b.me.user_name);
        assert_eq!(a.contacts.len(), b.contacts.len());
        for (x, y) in a.contacts.iter().zip(&b.contacts) {
            assert_eq!(x.user_name, y.user_name);
            assert_eq!(x.nick_name, y.nick_name);
        }
        let c = account(2, 0, 123, "wx.qq.com", None, 20, 3);
        assert_ne!(a.me.user_name, c.me.user_name);
    }

    #[test]
    fn composition() {
        let a = account(5, 1, 42, "wx2.qq.com", Some("Tester"), 20, 3);
        assert_eq!(a.me.nick_name, "Tester");
        let count = |k| a.contacts.iter().filter(|c| c.kind == k).count();
        assert_eq!(count(ContactKind::Official), 2);
        assert_eq!(count(ContactKind::Friend), 18);
        assert_eq!(count(ContactKind::Group), 3);
        assert_eq!(count(ContactKind::Special), 3);
        for c in a.contacts.iter().filter(|c| c.is_group()) {
            let grp = c.group.as_ref().unwrap();
            assert!(grp.members.len() >= 3);
            assert!(grp.members.iter().any(|m| m.user_name == a.me.user_name));
            assert!(c.user_name.starts_with("@@"));
        }
        let nicks: HashSet<_> = a.contacts.iter().map(|c| c.nick_name.clone()).collect();
        assert_eq!(nicks.len(), a.contacts.len());
    }

    #[test]
    fn ten_thousand() {
        let a = account(9, 0, 42, "wx.qq.com", None, 10_000, 50);
        assert_eq!(a.contacts.len(), 10_000 + 50 + 3);
    }
}
