//! The HTTP side: accept loop (one task per connection, bounded), request plumbing shared by
//! the v2, v3 and control routes (bounded bodies, query and form decoding, JSON answers).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::state::SimState;
use super::{control, v2, v3};

/// The response type of every route.
pub(crate) type Resp = Response<Full<Bytes>>;

/// Most connections served at once; more are closed on accept.
const MAX_CONNECTIONS: usize = 1024;

/// A request with its body already read (bounded).
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// First value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the body is `application/x-www-form-urlencoded`.
    pub fn is_form(&self) -> bool {
        self.header("content-type").is_some_and(|c| {
            c.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
    }
}

/// Serves `listener` until `shutdown` turns true, then drops the listener and ends every open
/// connection (held long-polls included), so the port can be bound again at once.
pub(crate) async fn serve(
    listener: TcpListener,
    state: SimState,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if conns.len() >= MAX_CONNECTIONS {
                        tracing::warn!(%peer, "too many connections; closing");
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    let state = state.clone();
                    conns.spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let state = state.clone();
                            async move { Ok::<_, Infallible>(handle(req, state, peer).await) }
                        });
                        let conn = hyper::server::conn::http1::Builder::new()
                            .timer(hyper_util::rt::TokioTimer::new())
                            .header_read_timeout(Duration::from_secs(30))
                            .serve_connection(TokioIo::new(stream), service);
                        if let Err(e) = conn.await {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                    });
                }
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    drop(listener);
    conns.shutdown().await;
}

async fn handle(req: Request<Incoming>, state: SimState, peer: SocketAddr) -> Resp {
    let (parts, body) = req.into_parts();
    let max_body = state.config().max_body;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_body as u64) {
        // Refuse before reading a byte of it.
        let resp = error(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        tracing::info!(%peer, method = %parts.method, path = parts.uri.path(), status = 413, "api call");
        return resp;
    }
    let body = match Limited::new(body, max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let too_large = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            let resp = if too_large {
                error(StatusCode::PAYLOAD_TOO_LARGE, "body too large")
            } else {
                error(StatusCode::BAD_REQUEST, "could not read the body")
            };
            tracing::info!(%peer, method = %parts.method, path = parts.uri.path(), status = resp.status().as_u16(), "api call");
            return resp;
        }
    };
    let req = Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(parse_pairs).unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    let resp = if let Some(rest) = req.path.strip_prefix("/vsaas/api/v2/") {
        v2::route(&state, &req, rest).await
    } else if let Some(rest) = req.path.strip_prefix("/watcher/client-api/v3/") {
        v3::route(&state, &req, rest).await
    } else if req.path == "/sim/recognize" {
        control::route(&state, &req).await
    } else {
        error(StatusCode::NOT_FOUND, "not found")
    };
    tracing::info!(%peer, method = %req.method, path = %req.path, status = resp.status().as_u16(), "api call");
    resp
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, value: &Value) -> Resp {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// An error answer: `{"error": msg, "errors": [{"status", "title"}]}` (both the v2 style and
/// the v3 `error_response` shape).
pub(crate) fn error(status: StatusCode, msg: &str) -> Resp {
    json(
        status,
        &json!({"error": msg, "errors": [{"status": status.as_u16().to_string(), "title": msg}]}),
    )
}

/// An empty answer.
pub(crate) fn empty(status: StatusCode) -> Resp {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = status;
    resp
}

/// Parses `a=1&b=x%20y` (also form bodies): `+` is a space, bad escapes are kept literally.
pub(crate) fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i + 1..i + 3) {
            Some(hex) if bytes[i] == b'%' => std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `limit`/`offset` paging of a v2 list (`X-Page-Limit` accepted for `limit`); default limit 100,
/// at most 1000.
pub(crate) fn page<T: Clone>(req: &Req, items: &[T]) -> Vec<T> {
    let limit = req
        .param("limit")
        .or_else(|| req.header("x-page-limit"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(100)
        .min(1000);
    let offset = req
        .param("offset")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    items.iter().skip(offset).take(limit).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_pairs_decodes_escapes_and_plus() {
        let pairs = parse_pairs(
            "event_type=push_person_list&notify_url=http%3A%2F%2Fh%3A1%2Fa+b&x&bad=%zz%4",
        );
        assert_eq!(pairs[0], ("event_type".into(), "push_person_list".into()));
        assert_eq!(pairs[1], ("notify_url".into(), "http://h:1/a b".into()));
        assert_eq!(pairs[2], ("x".into(), String::new()));
        assert_eq!(pairs[3], ("bad".into(), "%zz%4".into()));
    }
}
