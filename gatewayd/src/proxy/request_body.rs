//! Reading the client's request body: under the size limit, at a minimum pace, and
//! without copying a body that arrives in one piece.

use bytes::Bytes;
use http_body::Body;
use http_body_util::BodyExt;

use super::body::BoxError;
use super::respond::Reject;

/// How fast a request body must come: all of it within `grace` plus one second per
/// `min_rate` bytes received, so a client that trickles its body is cut off.
#[derive(Debug, Clone, Copy)]
pub struct BodyPace {
    pub grace: std::time::Duration,
    /// Bytes per second; 0 = no minimum.
    pub min_rate: u64,
}

impl BodyPace {
    fn deadline(&self, started: tokio::time::Instant, received: u64) -> tokio::time::Instant {
        let earned = match self.min_rate {
            0 => std::time::Duration::from_secs(u32::MAX.into()),
            rate => std::time::Duration::from_millis(received.saturating_mul(1000) / rate),
        };
        started + self.grace + earned
    }
}

/// Reads the whole request body, refusing more than `limit` bytes with a 413 and a body
/// slower than `pace` with a 408.
pub async fn read_request<B>(
    body: B,
    declared: Option<u64>,
    limit: usize,
    pace: BodyPace,
) -> Result<Bytes, Reject>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    let too_large = || {
        Reject::new(
            crate::model::Failure::BodyTooLarge,
            http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than the gateway's limit of {limit} bytes"),
        )
    };
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    let started = tokio::time::Instant::now();
    let mut body = http_body_util::Limited::new(body, limit);
    let expected = declared.map_or(0, |len| len as usize).min(limit);
    let mut read = Collected::Empty;
    loop {
        let deadline = pace.deadline(started, read.len() as u64);
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(read.finish()),
            Err(_) => {
                return Err(Reject::new(
                    crate::model::Failure::SlowBody,
                    http::StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the request body arrived too slowly (under {} bytes per second)",
                        pace.min_rate
                    ),
                ))
            }
        };
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    read.push(data, expected);
                }
            }
            Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
            Err(e) => {
                return Err(Reject::bad_request(format!(
                    "cannot read request body: {e}"
                )))
            }
        }
    }
}

/// A request body as it arrives: a body that comes in one piece (as small ones do) is kept
/// as it is, without a copy; only a second piece makes it gather into one buffer.
enum Collected {
    Empty,
    One(Bytes),
    Many(bytes::BytesMut),
}

impl Collected {
    fn push(&mut self, data: Bytes, expected: usize) {
        *self = match std::mem::replace(self, Collected::Empty) {
            Collected::Empty => Collected::One(data),
            Collected::One(first) => {
                let mut all =
                    bytes::BytesMut::with_capacity(expected.max(first.len() + data.len()));
                all.extend_from_slice(&first);
                all.extend_from_slice(&data);
                Collected::Many(all)
            }
            Collected::Many(mut all) => {
                all.extend_from_slice(&data);
                Collected::Many(all)
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Collected::Empty => 0,
            Collected::One(data) => data.len(),
            Collected::Many(all) => all.len(),
        }
    }

    fn finish(self) -> Bytes {
        match self {
            Collected::Empty => Bytes::new(),
            Collected::One(data) => data,
            Collected::Many(all) => all.freeze(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use bytes::Bytes;
    use http_body::Frame;
    use http_body_util::StreamBody;

    use super::{read_request, BodyPace};

    const PACE: BodyPace = BodyPace {
        grace: std::time::Duration::from_secs(5),
        min_rate: 0,
    };

    fn body(
        pieces: &[&Bytes],
    ) -> StreamBody<impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> + Unpin>
    {
        let frames: Vec<_> = pieces
            .iter()
            .map(|p| Ok(Frame::data((*p).clone())))
            .collect();
        StreamBody::new(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn a_body_in_one_piece_is_kept_without_a_copy() {
        let piece = Bytes::from(vec![b'x'; 16 * 1024]);
        let read = read_request(body(&[&piece]), Some(16 * 1024), 1 << 20, PACE).await;
        let read = read.unwrap_or_default();
        assert_eq!(read, piece);
        assert_eq!(read.as_ptr(), piece.as_ptr(), "the one piece was copied");
    }

    #[tokio::test]
    async fn pieces_are_gathered_in_order_and_the_limit_holds() {
        let (a, b, c) = (
            Bytes::from("{\"a\":"),
            Bytes::from("1,\"b\""),
            Bytes::from(":2}"),
        );
        let read = read_request(body(&[&a, &b, &c]), None, 1 << 20, PACE).await;
        assert_eq!(read.unwrap_or_default(), Bytes::from("{\"a\":1,\"b\":2}"));
        let refused = read_request(body(&[&a, &b, &c]), None, 8, PACE).await;
        assert_eq!(
            refused.err().map(|r| r.status),
            Some(http::StatusCode::PAYLOAD_TOO_LARGE)
        );
        let empty = read_request(body(&[]), Some(0), 8, PACE).await;
        assert_eq!(empty.unwrap_or_default(), Bytes::new());
    }
}
