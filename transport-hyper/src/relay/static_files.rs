//! The relay's `static_dir`: a page and its files from the relay's own origin.
//!
//! `GET` and `HEAD` only; `index.html` for a path ending in `/`; the type from the
//! extension, never sniffed; no directory listing, no hidden files (a segment starting
//! with `.`), nothing outside the folder (dot segments are refused before this, and a
//! symbolic link that leads out is not followed out).

use std::path::{Path, PathBuf};

use http::header::{self, HeaderValue};
use http::{Method, Response, StatusCode};

use super::RelayBody;

/// Answers `method path` (the URI's path, still percent-encoded) from `dir`; files over
/// `max` bytes are refused.
pub(crate) async fn serve(
    dir: &Path,
    method: &Method,
    path: &str,
    max: usize,
) -> Response<RelayBody> {
    if method != Method::GET && method != Method::HEAD {
        let mut r = super::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method",
            "only GET and HEAD here",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let Some(file) = locate(dir, path).await else {
        return super::error(StatusCode::NOT_FOUND, "not-found", "not found");
    };
    let meta = match tokio::fs::metadata(&file).await {
        Ok(m) if m.is_file() => m,
        _ => return super::error(StatusCode::NOT_FOUND, "not-found", "not found"),
    };
    if meta.len() > max as u64 {
        return super::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "too-large",
            "file too large",
        );
    }
    let bytes = match tokio::fs::read(&file).await {
        Ok(b) => b,
        Err(e) => {
            tracing::debug!(file = %file.display(), error = %e, "static file unreadable");
            return super::error(StatusCode::NOT_FOUND, "not-found", "not found");
        }
    };
    let mut resp = Response::new(RelayBody::bytes(bytes));
    let h = resp.headers_mut();
    let mime = mime_guess::from_path(&file).first_or_octet_stream();
    let content_type = match mime.type_() {
        mime_guess::mime::TEXT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == mime_guess::mime::JAVASCRIPT
            || mime.subtype() == mime_guess::mime::JSON =>
        {
            format!("{mime}; charset=utf-8")
        }
        _ => mime.to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// The file `path` names inside `dir`, if it stays inside (after following links).
async fn locate(dir: &Path, path: &str) -> Option<PathBuf> {
    let root = tokio::fs::canonicalize(dir).await.ok()?;
    let mut file = root.clone();
    let mut segments: Vec<&str> = path.split('/').skip(1).collect();
    if segments.last().is_none_or(|s| s.is_empty()) {
        segments.pop();
        segments.push("index.html");
    }
    for seg in segments {
        let name = percent_encoding::percent_decode_str(seg)
            .decode_utf8()
            .ok()?;
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', '\0', ':']) {
            return None;
        }
        file.push(name.as_ref());
    }
    let real = tokio::fs::canonicalize(&file).await.ok()?;
    real.starts_with(&root).then_some(real)
}
