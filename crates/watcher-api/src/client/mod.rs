//! The Watcher HTTP client (feature `client`): v2 subscriptions and cameras, v3 episodes and
//! persons.
//!
//! One [`WatcherClient`] is cheap to clone and shares its connection pool, v2 session and v3
//! tokens. Every call goes through `WatcherClient::call`: authenticate (logging in lazily),
//! send, and on `401`/`403` log in again once and resend. Idempotent GETs are retried with
//! backoff on retryable errors; POST and DELETE are sent once (a `401` replay is not blind: the
//! server refused the request before acting on it).

mod auth;
mod builder;
mod error;
mod stream;
mod v2;
mod v3;

pub use builder::{Credentials, RetryPolicy, Secret, WatcherClientBuilder};
pub use error::ClientError;
pub use stream::{EpisodeQuery, EpisodeStream, FaceMatch};
pub use v2::{Camera, EnsureReport, NewSubscription, Subscription, Subscriptions};

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Method;

use auth::{AuthHeader, V3Tokens};

/// A Watcher API client. Clones share connections, session and tokens.
///
/// ```no_run
/// use watcher_api::client::{NewSubscription, WatcherClient};
/// # async fn demo() -> Result<(), watcher_api::client::ClientError> {
/// let watcher = WatcherClient::builder("https://watcher.example").api_key("k3y").build()?;
/// let wanted = NewSubscription::person_list(1, "http://bridge.lan:8080/watcher/events/t0ken");
/// let report = watcher.subscriptions().ensure(&[wanted]).await?;
/// println!("created {}, already there {}", report.created.len(), report.existing.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WatcherClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// Base URL without a trailing slash.
    base: String,
    credentials: Option<Credentials>,
    request_timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    v2_session: tokio::sync::Mutex<Option<Secret>>,
    v3_tokens: tokio::sync::Mutex<Option<V3Tokens>>,
}

/// Which API (and so which authentication) a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// `/vsaas/api/v2`: API key or session header.
    V2,
    /// `/watcher/client-api/v3`: bearer token.
    V3,
}

/// One HTTP request, described so it can be sent again after a re-login or a retry.
/// Deliberately not `Debug`: a login call's JSON body holds the password.
pub(crate) struct Call {
    /// The operation, for errors and logs.
    pub what: &'static str,
    pub method: Method,
    /// Path below the base URL, starting with `/`.
    pub path: &'static str,
    /// A final path segment (an id), percent-encoded when sent.
    pub segment: Option<String>,
    pub query: Vec<(&'static str, String)>,
    pub json: Option<serde_json::Value>,
    /// Added to the request timeout (a long-poll's hold time).
    pub extra_timeout: Duration,
}

impl Call {
    /// A call without body, segment or query.
    pub(crate) fn new(what: &'static str, method: Method, path: &'static str) -> Self {
        Call {
            what,
            method,
            path,
            segment: None,
            query: Vec::new(),
            json: None,
            extra_timeout: Duration::ZERO,
        }
    }
}

/// A status and a (bounded) body.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl WatcherClient {
    /// Starts configuring a client for the Watcher at `base_url` (e.g. `https://watcher.example`).
    pub fn builder(base_url: impl Into<String>) -> WatcherClientBuilder {
        WatcherClientBuilder::new(base_url.into())
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Sends `call` with authentication, one re-login on `401`/`403`, and retries for GETs.
    /// Returns the body of a `2xx` answer.
    pub(crate) async fn call(&self, api: Api, call: &Call) -> Result<Vec<u8>, ClientError> {
        let attempts = if call.method == Method::GET {
            self.inner.retry.max_attempts
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            match self.call_authed(api, call).await {
                Err(e) if e.is_retryable() && attempt + 1 < attempts => {
                    let delay = self.inner.retry.delay(attempt);
                    tracing::warn!(what = call.what, attempt, ?delay, error = %e, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn call_authed(&self, api: Api, call: &Call) -> Result<Vec<u8>, ClientError> {
        let auth = self.auth(api, None).await?;
        let answer = self.execute(call, &auth).await?;
        if is_auth_failure(answer.status) && auth.renewable() {
            tracing::info!(
                what = call.what,
                status = answer.status,
                "credentials refused, logging in again"
            );
            let auth = self.auth(api, Some(&auth)).await?;
            let answer = self.execute(call, &auth).await?;
            return finish(call.what, answer);
        }
        finish(call.what, answer)
    }

    /// Sends one request, no retries; the body is read up to the configured limit (error bodies
    /// are truncated to 4 KiB instead).
    pub(crate) async fn execute(
        &self,
        call: &Call,
        auth: &AuthHeader,
    ) -> Result<Answer, ClientError> {
        let inner = &self.inner;
        let mut url = reqwest::Url::parse(&format!("{}{}", inner.base, call.path))
            .map_err(|e| ClientError::Config(format!("URL for {}: {e}", call.what)))?;
        if let Some(segment) = &call.segment {
            url.path_segments_mut()
                .map_err(|()| ClientError::Config("base URL cannot have a path".into()))?
                .push(segment);
        }
        let mut request = inner
            .http
            .request(call.method.clone(), url)
            .timeout(inner.request_timeout + call.extra_timeout);
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        request = match auth {
            AuthHeader::None => request,
            AuthHeader::ApiKey(key) => request.header("X-Vsaas-Api-Key", sensitive(key)?),
            AuthHeader::Session(session) => request.header("X-Vsaas-Session", sensitive(session)?),
            AuthHeader::Bearer(token) => request.bearer_auth(token.expose()),
            AuthHeader::Basic { login, password } => {
                request.basic_auth(login, Some(password.expose()))
            }
        };
        if let Some(json) = &call.json {
            request = request.json(json);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::from_reqwest(call.what, e))?;
        let status = response.status().as_u16();
        tracing::debug!(what = call.what, method = %call.method, path = call.path, status, "watcher answered");
        let body = if (200..300).contains(&status) {
            read_body(response, inner.max_response_bytes, call.what, false).await?
        } else {
            read_body(response, 4096, call.what, true).await?
        };
        Ok(Answer { status, body })
    }
}

fn is_auth_failure(status: u16) -> bool {
    status == 401 || status == 403
}

/// Maps a final answer to the body or an error.
fn finish(what: &'static str, answer: Answer) -> Result<Vec<u8>, ClientError> {
    match answer.status {
        200..=299 => Ok(answer.body),
        401 | 403 => Err(ClientError::Unauthorized {
            what,
            status: answer.status,
        }),
        status => Err(ClientError::status_error(what, status, &answer.body)),
    }
}

/// A header value marked sensitive (hyper and reqwest then keep it out of their `Debug`).
fn sensitive(secret: &Secret) -> Result<HeaderValue, ClientError> {
    let mut value = HeaderValue::from_str(secret.expose()).map_err(|_| {
        ClientError::Config("a credential contains characters not allowed in a header".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Reads at most `limit` bytes; beyond that, truncates (`truncate`) or fails.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    what: &'static str,
    truncate: bool,
) -> Result<Vec<u8>, ClientError> {
    if !truncate
        && response
            .content_length()
            .is_some_and(|len| len > limit as u64)
    {
        return Err(ClientError::TooLarge { what, limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ClientError::from_reqwest(what, e))?
    {
        if body.len() + chunk.len() > limit {
            if truncate {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..room]);
                break;
            }
            return Err(ClientError::TooLarge { what, limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
