//! The one error type of this crate.

use std::sync::Arc;

use acs_proto::ErrorCode;

/// Why a request, a connection or a login failed.
///
/// Cheap to clone (it is also the `reason` of [`crate::LinkState::Backoff`]). It never contains
/// the password: no variant carries a command line or the configuration.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AcsError {
    /// The TCP connection to the ACS could not be established.
    #[error("cannot connect to {address}: {source}")]
    Connect {
        /// The configured address.
        address: String,
        /// The socket error.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// Connecting (TCP, TLS handshake and LOGIN) took longer than `connect_timeout`.
    #[error("connecting to {address} timed out")]
    ConnectTimeout {
        /// The configured address.
        address: String,
    },
    /// TLS could not be set up (bad CA file, bad server name, handshake failure).
    #[error("TLS: {0}")]
    Tls(String),
    /// The ACS refused `LOGIN` (codes 3, 11 and 21 are credential or version problems).
    #[error("login rejected by the ACS: ERROR {} {text}", code.code())]
    LoginRejected {
        /// The error code.
        code: ErrorCode,
        /// The text the ACS sent.
        text: String,
    },
    /// No logged-in link became available before the deadline; the command was never written.
    #[error("no logged-in ACS link before the deadline (command not sent)")]
    Unavailable,
    /// The command was written but no usable reply arrived in time: its result is unknown.
    #[error("no reply from the ACS in time (command was sent; result unknown)")]
    Timeout,
    /// The connection closed or failed while a reply was awaited (result unknown).
    #[error("connection to the ACS lost: {0}")]
    ConnectionLost(String),
    /// The ACS answered `ERROR n` to a command.
    #[error("ACS error {} {text}", code.code())]
    Server {
        /// The error code.
        code: ErrorCode,
        /// The text the ACS sent.
        text: String,
    },
    /// The ACS answered with a reply of the wrong kind for the command.
    #[error("unexpected reply from the ACS: expected {expected}, got {got}")]
    UnexpectedReply {
        /// What the command expects.
        expected: &'static str,
        /// The kind of reply that came.
        got: &'static str,
    },
    /// The ACS sent something that is not OIF (a malformed or over-long line, or a reply
    /// nobody asked for); the link is reset.
    #[error("protocol violation by the ACS: {0}")]
    Protocol(String),
    /// The configuration cannot work (empty address, zero connections, …).
    #[error("invalid ACS client configuration: {0}")]
    InvalidConfig(String),
    /// The client was shut down.
    #[error("the ACS client is shut down")]
    Shutdown,
}

impl AcsError {
    /// Whether trying the same thing later may succeed without a person fixing something.
    ///
    /// Note that a retryable [`AcsError::Timeout`] after `ALLOWPASS` must still never lead to a
    /// re-send: the first command may have granted a pass.
    pub fn is_retryable(&self) -> bool {
        match self {
            AcsError::Connect { .. }
            | AcsError::ConnectTimeout { .. }
            | AcsError::Unavailable
            | AcsError::Timeout
            | AcsError::ConnectionLost(_)
            | AcsError::Protocol(_) => true,
            AcsError::Server { code, .. } => code.is_retryable() || code.needs_relogin(),
            AcsError::LoginRejected { code, .. } => !code.is_auth_failure(),
            AcsError::Tls(_)
            | AcsError::UnexpectedReply { .. }
            | AcsError::InvalidConfig(_)
            | AcsError::Shutdown => false,
        }
    }

    /// Whether this is a rejected login because of credentials or protocol version
    /// (`ERROR 3`, `11` or `21`): retrying fast will not help.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, AcsError::LoginRejected { code, .. } if code.is_auth_failure())
    }

    /// Whether the command was certainly not written to the ACS (safe to report as not sent).
    pub fn is_not_sent(&self) -> bool {
        matches!(
            self,
            AcsError::Unavailable
                | AcsError::Connect { .. }
                | AcsError::ConnectTimeout { .. }
                | AcsError::Tls(_)
                | AcsError::LoginRejected { .. }
                | AcsError::InvalidConfig(_)
                | AcsError::Shutdown
        )
    }
}
