//! A small, binary-safe `multipart/form-data` parser for webwxuploadmedia.

use bytes::Bytes;

/// One form field or file.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Bytes,
}

/// The boundary of a `multipart/form-data; boundary=...` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() || from > hay.len() - needle.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn header_param(line: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=\"");
    let start = line.find(&pat)? + pat.len();
    let end = line[start..].find('"')? + start;
    Some(line[start..end].to_string())
}

/// Splits a body into its parts; `None` if it is not well-formed.
pub(crate) fn parse(body: &Bytes, boundary: &str) -> Option<Vec<Part>> {
    let delim = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut pos = find(body, &delim, 0)? + delim.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        if body.get(pos..pos + 2) == Some(b"\r\n") {
            pos += 2;
        } else if body.get(pos..pos + 1) == Some(b"\n") {
            pos += 1;
        }
        let (head_end, data_start) = match find(body, b"\r\n\r\n", pos) {
            Some(i) => (i, i + 4),
            None => {
                let i = find(body, b"\n\n", pos)?;
                (i, i + 2)
            }
        };
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let mut next_delim = Vec::with_capacity(delim.len() + 2);
        next_delim.extend_from_slice(b"\r\n");
        next_delim.extend_from_slice(&delim);
        let (data_end, after) = match find(body, &next_delim, data_start) {
            Some(i) => (i, i + next_delim.len()),
            None => {
                let mut lf = b"\n".to_vec();
                lf.extend_from_slice(&delim);
                let i = find(body, &lf, data_start)?;
                (i, i + lf.len())
            }
        };
        let mut name = None;
        let mut file_name = None;
        for line in head.lines() {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                name = header_param(line, "name");
                file_name = header_param(line, "filename");
            }
        }
        parts.push(Part {
            name: name.unwrap_or_default(),
            file_name,
            data: body.slice(data_start..data_end),
        });
        pos = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_shape() {
        let b = "----WebKitFormBoundaryX";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nWU_FILE_0\r\n--{b}\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\r\n--x\r\n--{b}--\r\n"
        );
        let parts = parse(&Bytes::from(body), b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "id");
        assert_eq!(&parts[0].data[..], b"WU_FILE_0");
        assert_eq!(parts[1].file_name.as_deref(), Some("a.bin"));
        assert_eq!(&parts[1].data[..], b"\x00\r\n--x");
        assert_eq!(
            boundary("multipart/form-data; boundary=----WebKitFormBoundaryX").as_deref(),
            Some(b)
        );
    }
}
