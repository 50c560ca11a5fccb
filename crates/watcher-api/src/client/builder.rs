//! Client configuration: base URL, credentials (redacted in `Debug`), timeouts, user agent and
//! the retry policy.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{ClientError, Inner, WatcherClient};

/// A secret string (password, API key, session, token). `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself, for putting on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Secret(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Secret(secret.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the client authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// A static v2 API key, sent as `X-Vsaas-Api-Key` (v2 only).
    ApiKey(Secret),
    /// A user: v2 logs in for an `X-Vsaas-Session`, v3 logs in with HTTP Basic for a bearer token.
    Login {
        /// User name.
        login: String,
        /// Password.
        password: Secret,
    },
}

/// Backoff for retries: exponential from `initial`, capped at `max`, with jitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts for an idempotent GET, the first included (1 = no retry). POST and DELETE are
    /// never retried blindly.
    pub max_attempts: u32,
    /// Delay before the first retry.
    pub initial: Duration,
    /// Longest delay (also the cap of the episode stream's reconnect backoff).
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial: Duration::from_millis(200),
            max: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `attempt` (0-based): `initial * 2^attempt` capped at `max`,
    /// then scaled by a random factor in `[0.5, 1.0]` so clients do not retry in lockstep.
    pub fn delay(&self, attempt: u32) -> Duration {
        let base = self
            .initial
            .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
            .min(self.max);
        base.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

/// Builds a [`WatcherClient`]; see [`WatcherClient::builder`].
#[derive(Clone, Debug)]
pub struct WatcherClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    max_response_bytes: usize,
}

impl WatcherClientBuilder {
    pub(crate) fn new(base_url: String) -> Self {
        WatcherClientBuilder {
            base_url,
            credentials: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            user_agent: concat!("facegate-watcher-api/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            max_response_bytes: 8 << 20,
        }
    }

    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Shorthand for [`Credentials::ApiKey`].
    pub fn api_key(self, key: impl Into<Secret>) -> Self {
        self.credentials(Credentials::ApiKey(key.into()))
    }

    /// Shorthand for [`Credentials::Login`].
    pub fn login(self, login: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials(Credentials::Login {
            login: login.into(),
            password: password.into(),
        })
    }

    /// TCP (and TLS) connect timeout. Default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whole-request timeout, connect included; a long-poll adds its `poll_timeout`. Default 15 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// `User-Agent` header. Default `facegate-watcher-api/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Retry and backoff policy. Default: 3 attempts, 200 ms doubling up to 10 s.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Largest answer body read. Default 8 MiB.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<WatcherClient, ClientError> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| ClientError::Config(format!("base URL: {e}")))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(ClientError::Config(
                "base URL: must be http:// or https://".into(),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Credentials in a URL end up in logs; they belong in `Credentials`.
            return Err(ClientError::Config(
                "base URL: must not contain credentials (use Credentials)".into(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ClientError::Config(
                "base URL: must not have a query or fragment".into(),
            ));
        }
        if self.retry.max_attempts == 0 {
            return Err(ClientError::Config(
                "retry.max_attempts: must be at least 1".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::Config(format!("HTTP client: {}", e.without_url())))?;
        let base = url.as_str().trim_end_matches('/').to_owned();
        Ok(WatcherClient {
            inner: Arc::new(Inner {
                http,
                base,
                credentials: self.credentials,
                request_timeout: self.request_timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                v2_session: tokio::sync::Mutex::new(None),
                v3_tokens: tokio::sync::Mutex::new(None),
            }),
        })
    }
}
