//! Answers: status, headers, Set-Cookie lines and body, plus the body type that
//! can cut itself short (the `truncate` fault).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::StatusCode;
use hyper::body::{Body, Frame, SizeHint};
use serde::Serialize;

use crate::wire;

/// What the connection does besides answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    /// A normal answer.
    None,
    /// Reset the connection instead of answering.
    Reset,
    /// Send only the first half of the body, then drop the connection.
    Truncate,
}

/// One answer.
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    /// Full `Set-Cookie` values.
    pub cookies: Vec<String>,
    pub body: Bytes,
    pub special: Special,
}

impl Resp {
    /// A 200 with a body and content type.
    pub(crate) fn bytes(content_type: &str, body: impl Into<Bytes>) -> Resp {
        Resp {
            status: StatusCode::OK,
            headers: vec![("content-type", content_type.to_string())],
            cookies: Vec::new(),
            body: body.into(),
            special: Special::None,
        }
    }

    /// JavaScript text (`jslogin`, login poll, synccheck).
    pub(crate) fn js(body: String) -> Resp {
        Resp::bytes("text/javascript", body)
    }

    /// JSON as the real server sends it: `text/plain`, `{"Ret": 0,"ErrMsg": ""}` spacing.
    pub(crate) fn json<T: Serialize>(v: &T) -> Resp {
        Resp::bytes("text/plain", wire::to_text(v))
    }

    /// Big JSON answers, pretty-printed like the real ones.
    pub(crate) fn json_pretty<T: Serialize>(v: &T) -> Resp {
        Resp::bytes("text/plain", wire::to_pretty(v))
    }

    /// JSON of the control API (`application/json`).
    pub(crate) fn control<T: Serialize>(v: &T) -> Resp {
        Resp::bytes(
            "application/json",
            serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec()),
        )
    }

    /// A control API error: 400 `{"error": ..}`.
    pub(crate) fn control_error(status: StatusCode, msg: &str) -> Resp {
        let mut r = Resp::control(&serde_json::json!({ "error": msg }));
        r.status = status;
        r
    }

    /// A plain status page.
    pub(crate) fn status(status: StatusCode, text: &str) -> Resp {
        let mut r = Resp::bytes(
            "text/html",
            format!(
                "<html>\r\n<head><title>{s}</title></head>\r\n<body>\r\n<center><h1>{s}</h1></center>\r\n<hr><center>{text}</center>\r\n</body>\r\n</html>\r\n",
                s = status
            ),
        );
        r.status = status;
        r
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Resp {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the status.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Resp {
        self.status = status;
        self
    }
}

/// The body type of every answer.
#[derive(Debug)]
pub(crate) struct SimBody {
    data: Option<Bytes>,
    fail_after: bool,
    /// Gives the server time to flush what was sent before the cut.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl SimBody {
    /// A complete body.
    pub(crate) fn full(b: Bytes) -> Self {
        SimBody {
            data: (!b.is_empty()).then_some(b),
            fail_after: false,
            pause: None,
        }
    }

    /// A body that stops with an error after `b`.
    pub(crate) fn cut(b: Bytes) -> Self {
        SimBody {
            data: (!b.is_empty()).then_some(b),
            fail_after: true,
            pause: None,
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if self.fail_after {
            let pause = self.pause.get_or_insert_with(|| {
                Box::pin(tokio::time::sleep(std::time::Duration::from_millis(50)))
            });
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.fail_after = false;
            return Poll::Ready(Some(Err(io::Error::other("truncated by fault"))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail_after
    }

    fn size_hint(&self) -> SizeHint {
        if self.fail_after {
            return SizeHint::default();
        }
        SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}
