//! The admin listener: `/healthz`, `/readyz`, `/metrics`, `/api/status` (SPEC §5).
//!
//! The handler asks an [`AdminSource`] for everything, so it knows nothing about pools or
//! pipelines. Only `GET` (and `HEAD`) are answered; anything else is `404`/`405`.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;

use crate::ingest::{empty, json, serve};

/// What the admin endpoints report.
pub trait AdminSource: Send + Sync + 'static {
    /// `true` only while every ACS has a logged-in link.
    fn ready(&self) -> bool;
    /// Prometheus text exposition.
    fn metrics(&self) -> String;
    /// The `/api/status` document.
    fn status(&self) -> serde_json::Value;
}

/// The admin request handler.
pub struct AdminHandler<S> {
    source: S,
}

impl<S: AdminSource> AdminHandler<S> {
    /// A handler reporting from `source`.
    pub fn new(source: S) -> Self {
        Self { source }
    }

    fn answer(&self, req: &Request<Incoming>) -> Response<Full<Bytes>> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return empty(StatusCode::METHOD_NOT_ALLOWED);
        }
        match req.uri().path() {
            "/healthz" => text(StatusCode::OK, "ok\n".into()),
            "/readyz" => {
                if self.source.ready() {
                    text(StatusCode::OK, "ready\n".into())
                } else {
                    text(StatusCode::SERVICE_UNAVAILABLE, "not ready\n".into())
                }
            }
            "/metrics" => {
                let mut r = text(StatusCode::OK, self.source.metrics());
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/plain; version=0.0.4"),
                );
                r
            }
            "/api/status" => json(StatusCode::OK, self.source.status().to_string()),
            _ => empty(StatusCode::NOT_FOUND),
        }
    }
}

impl<S: AdminSource> serve::Handler for AdminHandler<S> {
    async fn handle(&self, req: Request<Incoming>, _peer: SocketAddr) -> Response<Full<Bytes>> {
        self.answer(&req)
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
