//! [`RelayBody`]: a relay answer's body — bytes in memory (the relay's own answers,
//! static files) or upstream's body streamed through with a size cap and an idle timeout.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};

/// The body of a relay answer.
#[derive(Debug)]
pub struct RelayBody(Kind);

#[derive(Debug)]
enum Kind {
    Bytes(Option<Bytes>),
    Upstream(Box<Upstream>),
}

#[derive(Debug)]
struct Upstream {
    inner: Incoming,
    left: usize,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl RelayBody {
    /// A body of `bytes`.
    pub fn bytes(bytes: impl Into<Bytes>) -> RelayBody {
        let b: Bytes = bytes.into();
        RelayBody(Kind::Bytes((!b.is_empty()).then_some(b)))
    }

    /// Upstream's `body`, streamed: an error (the answer cut) past `max` bytes, or when
    /// upstream sends nothing for `idle`.
    pub(crate) fn upstream(body: Incoming, max: usize, idle: Duration) -> RelayBody {
        RelayBody(Kind::Upstream(Box::new(Upstream {
            inner: body,
            left: max,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
        })))
    }
}

impl Body for RelayBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let up = match &mut self.0 {
            Kind::Bytes(b) => return Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Kind::Upstream(up) => up,
        };
        loop {
            match Pin::new(&mut up.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    // Trailers are not relayed.
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    if data.len() > up.left {
                        return Poll::Ready(Some(Err(std::io::Error::other(
                            "upstream answer larger than the relay's max_body",
                        ))));
                    }
                    up.left -= data.len();
                    let next = Instant::now() + up.idle;
                    up.timer.as_mut().reset(next);
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(Err(std::io::Error::other(e))));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {
                    return match up.timer.as_mut().poll(cx) {
                        Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "upstream stalled in the middle of an answer",
                        )))),
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Bytes(b) => b.is_none(),
            Kind::Upstream(up) => up.inner.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Bytes(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Upstream(up) => up.inner.size_hint(),
        }
    }
}
