//! Locations: MsgType 48 (XML `<location x y label poiname…>` in the content), and the
//! form the web server actually uses, a text message (1) with `SubMsgType` 48, the
//! label and the map snapshot path in `Content` (`深圳市xxxx:<br/>/cgi-bin/…&pictype=location`),
//! the XML in `OriContent`, and the map link in `Url` (`…geocoder?coord=22.5,113.9`).

use super::kind::Location;
use super::raw::RawMessage;
use super::text::normalize_text;
use super::xml;

/// Whether a text message (MsgType 1) is a location (official client: `SubMsgType`
/// 48; openwechat: a map `Url` and `pictype=location` in the content).
pub(crate) fn is_location_text(raw: &RawMessage) -> bool {
    raw.sub_msg_type == 48
        || (!raw.url.is_empty()
            && (raw.url.contains("apis.map.qq.com") || raw.url.contains("maps.google"))
            && raw.content.contains("pictype=location"))
}

/// Parses a location from the message (`body` is the content without the group prefix).
pub(crate) fn location(raw: &RawMessage, body: &str) -> Location {
    // The XML: OriContent for the text form, the content itself for MsgType 48.
    let xml_src = if raw.ori_content.contains("location") {
        raw.ori_content.as_str()
    } else {
        body
    };
    let root = xml::parse(&xml::content_to_xml(xml_src));
    let loc = root.find("location");
    let attr = |name: &str| loc.map(|e| e.attr_str(name)).unwrap_or_default();
    let num = |name: &str| attr(name).parse::<f64>().ok().filter(|v| v.is_finite());

    // The text form: "label:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?…".
    let (text_label, image_url) = match body.find(":<br/>") {
        Some(i) if !body.trim_start().starts_with('<') && !body.contains("&lt;") => (
            normalize_text(&body[..i]),
            normalize_text(&body[i + ":<br/>".len()..]),
        ),
        _ => (String::new(), String::new()),
    };
    let (url_lat, url_lng) = coord_from_url(&raw.url);
    let label = attr("label");
    Location {
        label: if label.is_empty() { text_label } else { label },
        lat: num("x").or(url_lat),
        lng: num("y").or(url_lng),
        scale: loc.and_then(|e| e.attr_u64("scale")),
        poi_name: attr("poiname"),
        poi_id: attr("poiid"),
        map_url: raw.url.clone(),
        image_url: image_url.trim().to_owned(),
    }
}

/// `coord=LAT,LNG` in a map URL.
fn coord_from_url(url: &str) -> (Option<f64>, Option<f64>) {
    let Some(i) = url.find("coord=") else {
        return (None, None);
    };
    let value = &url[i + "coord=".len()..];
    let value = &value[..value.find('&').unwrap_or(value.len())];
    let value = value.replace("%2C", ",").replace("%2c", ",");
    let mut parts = value.split(',');
    let parse = |s: Option<&str>| {
        s.and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    let lat = parse(parts.next());
    let lng = parse(parts.next());
    (lat, lng)
}
