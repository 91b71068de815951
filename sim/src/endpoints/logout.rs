//! webwxlogout.

use crate::request::{Req, decode_fixpoint, parse_query};
use crate::response::Resp;
use crate::world::World;

/// `GET|POST webwxlogout?redirect=1&type=0|1&skey=..` (form fields sid, uin on POST).
pub(crate) fn logout(w: &mut World, req: &Req) -> Resp {
    let form = parse_query(&String::from_utf8_lossy(&req.body));
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let sid = req
        .cookie("wxsid")
        .map(str::to_string)
        .or_else(|| field("sid"))
        .or_else(|| {
            let k = decode_fixpoint(req.q("skey")?);
            w.sid_of_skey(&k)
        });
    let skey = req.q("skey").map(decode_fixpoint);
    if let Some(sid) = sid {
        w.client_logout(&sid, skey.as_deref());
    }
    Resp::bytes("text/html", Vec::new())
}
