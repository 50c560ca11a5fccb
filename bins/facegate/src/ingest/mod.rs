//! The webhook listener: `POST /watcher/events/{token}`.
//!
//! Layout: [`serve`] is the accept loop (shared with the admin listener), [`tls`] loads the
//! optional HTTPS certificate, and this module holds the request handler. The handler only does
//! HTTP: it checks the source address, the token (constant time), the body size, and hands the
//! body to an [`EventSink`], which parses it and queues the sightings. The answer never waits
//! for the access-control server.
//!
//! Answers (SPEC §5): `202 {"accepted": n}`; wrong token, path or method `404` with an empty
//! body; source outside `allow_from` `403`; body too large `413`; not JSON or not a known shape
//! `400 {"error": "…"}`; more events in one body than the queue can ever hold `413`; queue full
//! `503` with `Retry-After: 1`.

pub mod serve;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_proto::Secret;
use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

/// Path prefix of the webhook; the token is the one segment after it.
pub const EVENTS_PREFIX: &str = "/watcher/events/";
/// How long a client may take to send the whole body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a sink refused a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkError {
    /// Not JSON or not a known shape; the message names the JSON path (answered as 400).
    BadRequest(String),
    /// The queue is full (answered as 503 with `Retry-After`).
    Busy,
    /// More events in one body than the queue can ever hold (answered as 413).
    TooMany(String),
}

/// Where accepted bodies go: parses them and queues the sightings without blocking.
pub trait EventSink: Send + Sync + 'static {
    /// Parses `body` received at `received` and queues what it holds; returns how many
    /// sightings were accepted.
    fn submit(&self, body: &[u8], received: SystemTime) -> Result<usize, SinkError>;
}

/// Decides whether a source address may post at all.
pub type SourceFilter = Arc<dyn Fn(IpAddr) -> bool + Send + Sync>;

/// What the ingest handler needs to know.
pub struct IngestSettings {
    /// The secret path segment.
    pub token: Secret,
    /// `None` lets every address in.
    pub allow_from: Option<SourceFilter>,
    /// Largest accepted body in bytes.
    pub max_body: usize,
}

impl std::fmt::Debug for IngestSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestSettings")
            .field("token", &self.token)
            .field("allow_from", &self.allow_from.as_ref().map(|_| "<filter>"))
            .field("max_body", &self.max_body)
            .finish()
    }
}

/// The ingest request handler.
pub struct IngestHandler<S> {
    settings: IngestSettings,
    sink: S,
}

impl<S: EventSink> IngestHandler<S> {
    /// A handler that feeds `sink`.
    pub fn new(settings: IngestSettings, sink: S) -> Self {
        Self { settings, sink }
    }

    fn token_matches(&self, path: &str) -> bool {
        match path.strip_prefix(EVENTS_PREFIX) {
            // `ct_eq` runs in time that depends only on the lengths, never on where they differ.
            Some(rest) => self.settings.token.ct_eq(rest),
            None => false,
        }
    }

    async fn answer(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let received = SystemTime::now();
        if let Some(filter) = &self.settings.allow_from {
            if !filter(peer.ip().to_canonical()) {
                tracing::warn!(%peer, "ingest request from an address outside allow_from");
                return empty(StatusCode::FORBIDDEN);
            }
        }
        // Token check before anything else about the request: a wrong token learns nothing.
        if req.method() != Method::POST || !self.token_matches(req.uri().path()) {
            tracing::debug!(%peer, method = %req.method(), "ingest request with a wrong path or method");
            return empty(StatusCode::NOT_FOUND);
        }
        let max = self.settings.max_body;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > max as u64) {
            return error_json(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        }
        let body = Limited::new(req.into_body(), max);
        let bytes = match tokio::time::timeout(BODY_READ_TIMEOUT, body.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) => {
                if error
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    return error_json(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
                }
                tracing::debug!(%peer, %error, "reading the request body failed");
                return error_json(StatusCode::BAD_REQUEST, "could not read the body");
            }
            Err(_) => return error_json(StatusCode::REQUEST_TIMEOUT, "body not received in time"),
        };
        match self.sink.submit(&bytes, received) {
            Ok(n) => json(
                StatusCode::ACCEPTED,
                serde_json::json!({ "accepted": n }).to_string(),
            ),
            Err(SinkError::BadRequest(message)) => {
                tracing::info!(%peer, error = %message, "ingest body rejected");
                error_json(StatusCode::BAD_REQUEST, &message)
            }
            Err(SinkError::TooMany(message)) => error_json(StatusCode::PAYLOAD_TOO_LARGE, &message),
            Err(SinkError::Busy) => {
                let mut r = error_json(StatusCode::SERVICE_UNAVAILABLE, "queue full, retry");
                r.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                r
            }
        }
    }
}

impl<S: EventSink> serve::Handler for IngestHandler<S> {
    async fn handle(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        self.answer(req, peer).await
    }
}

/// A response with no body.
pub(crate) fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    r
}

/// `{"error": message}`.
pub(crate) fn error_json(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    json(status, serde_json::json!({ "error": message }).to_string())
}
