//! The client's error type. Messages never contain credentials, sessions, tokens or URLs with
//! query strings: reqwest errors are stripped of their URL, and server bodies are truncated.

use std::error::Error as _;

use crate::payload::PayloadError;

/// `e` and its sources joined with `: `, skipping a cause whose text repeats the previous one.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}

/// Everything that can go wrong talking to Watcher.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The builder was given something unusable (bad base URL, credentials in the URL, …).
    #[error("invalid Watcher client configuration: {0}")]
    Config(String),
    /// The call needs credentials this client was not given (v3 needs a login and password).
    #[error("missing credentials: {0}")]
    MissingCredentials(&'static str),
    /// Watcher could not be reached or the connection broke (connect, TLS, reset, …).
    #[error("cannot reach Watcher during {what}: {detail}")]
    Transport {
        /// The operation, e.g. `list subscriptions`.
        what: &'static str,
        /// The causes, outermost first (URLs removed), e.g. `tcp connect error: Connection
        /// refused`. Kept as text so the message is complete on its own and not repeated by
        /// error-chain printers.
        detail: String,
    },
    /// No complete answer within the request timeout.
    #[error("Watcher did not answer {what} within the timeout")]
    Timeout {
        /// The operation.
        what: &'static str,
    },
    /// Watcher rejected the credentials (401/403), also after logging in again once.
    #[error("Watcher rejected the credentials for {what} (HTTP {status})")]
    Unauthorized {
        /// The operation.
        what: &'static str,
        /// 401 or 403.
        status: u16,
    },
    /// Watcher answered with an unexpected HTTP status.
    #[error("Watcher answered HTTP {status} to {what}: {message}")]
    Status {
        /// The operation.
        what: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The start of the answer body (at most 200 characters, control characters removed).
        message: String,
    },
    /// The answer was not the JSON shape expected.
    #[error("unexpected answer to {what}: {error}")]
    Decode {
        /// The operation.
        what: &'static str,
        /// Where and why the body did not fit.
        error: PayloadError,
    },
    /// The answer body was larger than the configured limit.
    #[error("answer to {what} is larger than {limit} bytes")]
    TooLarge {
        /// The operation.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
}

impl ClientError {
    /// `true` when trying the same request again later may succeed: transport failures,
    /// timeouts, `408`, `429` and `5xx`. Configuration, credential and decode errors are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport { .. } | ClientError::Timeout { .. } => true,
            ClientError::Status { status, .. } => {
                *status == 408 || *status == 429 || (500..600).contains(status)
            }
            ClientError::Config(_)
            | ClientError::MissingCredentials(_)
            | ClientError::Unauthorized { .. }
            | ClientError::Decode { .. }
            | ClientError::TooLarge { .. } => false,
        }
    }

    /// The HTTP status Watcher answered, if the error is about one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Unauthorized { status, .. } | ClientError::Status { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Wraps a reqwest error, dropping its URL.
    pub(crate) fn from_reqwest(what: &'static str, e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ClientError::Timeout { what }
        } else {
            ClientError::Transport {
                what,
                detail: error_chain(&e.without_url()),
            }
        }
    }

    /// Maps a [`PayloadError`] of operation `what`.
    pub(crate) fn decode(what: &'static str) -> impl FnOnce(PayloadError) -> ClientError {
        move |error| ClientError::Decode { what, error }
    }

    /// Builds a [`ClientError::Status`] from a status and the start of the body.
    pub(crate) fn status_error(what: &'static str, status: u16, body: &[u8]) -> Self {
        let message: String = String::from_utf8_lossy(body)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        ClientError::Status {
            what,
            status,
            message,
        }
    }
}
