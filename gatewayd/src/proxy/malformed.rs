//! Malformed requests get a body. hyper answers a request it cannot parse (bad method,
//! header or URI, a head over the size limit) itself, before any service sees it, with a
//! bare `400`/`414`/`431`/`505` and no body; clients then show an empty error. This
//! wrapper of a connection's byte stream recognises exactly that answer — a 4xx/5xx head
//! with nothing but `content-length: 0`, `date` and `connection` — and sends it with a
//! JSON error body (the Anthropic shape, which every client here can show) instead.
//! Everything else passes through untouched.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A byte stream whose parse-error answers carry a body.
pub struct Malformed<S> {
    inner: S,
    /// The rewritten answer and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> Malformed<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> Malformed<S> {
    /// Writes what is left of a rewritten answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` whole when it is hyper's own error answer: the rewrite goes out in its
    /// place. `None` when it is anything else.
    fn rewrite(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<Poll<io::Result<usize>>> {
        if self.pending.is_none() {
            self.pending = Some((with_body(buf)?, 0));
        }
        Some(self.drain(cx).map_ok(|()| buf.len()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Malformed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Malformed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(done) = self.rewrite(cx, buf) {
            return done;
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let [only] = bufs {
            if let Some(done) = self.rewrite(cx, only) {
                return done;
            }
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's bodiless error answer, rewritten with a JSON body; `None` for anything else.
fn with_body(head: &[u8]) -> Option<Vec<u8>> {
    // A cheap look first: every write passes here.
    let error_head = head.len() < 1024
        && head.starts_with(b"HTTP/1.")
        && matches!(head.get(9), Some(b'4' | b'5'));
    if !error_head {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let (head, rest) = text.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?;
    if !rest.is_empty() || !(status.starts_with('4') || status.starts_with('5')) {
        return None;
    }
    let mut bodiless = false;
    let mut kept = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" if value.trim() == "0" => bodiless = true,
            "date" | "connection" => kept.push(line),
            _ => return None,
        }
    }
    if !bodiless {
        return None;
    }
    let body = serde_json::json!({
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": format!("malformed HTTP request ({status})"),
        },
    })
    .to_string();
    let mut out = format!(
        "{status_line}\r\ncontent-type: application/json\r\nx-should-retry: false\r\ncontent-length: {}\r\n",
        body.len()
    );
    for line in kept {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::with_body;

    #[test]
    fn only_a_bodiless_error_head_is_rewritten() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Thu, 03 Dec 2026 12:00:00 GMT\r\n\r\n";
        let rewritten = String::from_utf8(with_body(bare).unwrap()).unwrap();
        assert!(rewritten.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(rewritten.contains("date: Thu, 03 Dec 2026"));
        let (head, body) = rewritten.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["type"], "invalid_request_error");

        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nx-gateway-request-id: req_gw_1\r\n\r\n";
        assert_eq!(with_body(ours), None, "one of the gateway's own answers");
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(with_body(ok), None);
        let with_a_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}";
        assert_eq!(with_body(with_a_body), None);
        assert_eq!(with_body(b"data: HTTP/1.1 400\r\n\r\n"), None);
    }
}
