//! Link and pool states, as published on `watch` channels.

use acs_proto::ErrorCode;
use tokio::time::Instant;

use crate::error::AcsError;

/// The state of one link (one TCP/TLS connection to the ACS).
#[derive(Clone, Debug)]
pub enum LinkState {
    /// Connecting, handshaking or logging in.
    Connecting {
        /// Consecutive failed attempts before this one.
        attempt: u32,
    },
    /// Logged in and serving commands.
    LoggedIn {
        /// When the login succeeded.
        since: Instant,
    },
    /// Waiting before the next connect attempt after a failure.
    Backoff {
        /// When the next attempt starts.
        until: Instant,
        /// Consecutive failed attempts so far.
        attempt: u32,
        /// Why the previous connection failed or ended.
        reason: AcsError,
    },
    /// The ACS rejected the credentials or the protocol version (`ERROR 3/11/21`); the link
    /// waits the policy's maximum delay before it tries again.
    AuthFailed {
        /// When the next attempt starts.
        until: Instant,
        /// The code the ACS answered.
        code: ErrorCode,
    },
    /// Shut down for good.
    Closed,
}

impl LinkState {
    /// Whether the link can take a command right now.
    pub fn is_logged_in(&self) -> bool {
        matches!(self, LinkState::LoggedIn { .. })
    }

    /// A short stable name (`connecting`, `logged_in`, `backoff`, `auth_failed`, `closed`),
    /// for metrics and status pages.
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkState::Connecting { .. } => "connecting",
            LinkState::LoggedIn { .. } => "logged_in",
            LinkState::Backoff { .. } => "backoff",
            LinkState::AuthFailed { .. } => "auth_failed",
            LinkState::Closed => "closed",
        }
    }
}

/// The summary of all links of a pool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Health {
    /// Every link is logged in.
    Ready,
    /// Some links are logged in, some are not.
    Degraded,
    /// No link is logged in, and at least one is failing for a reason other than credentials.
    Down,
    /// No link is logged in and the ACS rejected the credentials.
    AuthFailed,
    /// The pool was shut down.
    Closed,
}

impl Health {
    /// A short stable name for metrics and status pages.
    pub fn as_str(&self) -> &'static str {
        match self {
            Health::Ready => "ready",
            Health::Degraded => "degraded",
            Health::Down => "down",
            Health::AuthFailed => "auth_failed",
            Health::Closed => "closed",
        }
    }

    /// Summarises link states.
    pub fn of(links: &[LinkState]) -> Self {
        let up = links.iter().filter(|s| s.is_logged_in()).count();
        if links.is_empty() || links.iter().all(|s| matches!(s, LinkState::Closed)) {
            Health::Closed
        } else if up == links.len() {
            Health::Ready
        } else if up > 0 {
            Health::Degraded
        } else if links
            .iter()
            .any(|s| matches!(s, LinkState::AuthFailed { .. }))
        {
            Health::AuthFailed
        } else {
            Health::Down
        }
    }
}

/// A snapshot of a pool: the summary plus each link's state.
#[derive(Clone, Debug)]
pub struct PoolState {
    /// The summary.
    pub health: Health,
    /// Each link's state, in link order.
    pub links: Vec<LinkState>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_summarises_link_states() {
        let up = LinkState::LoggedIn {
            since: Instant::now(),
        };
        let down = LinkState::Connecting { attempt: 1 };
        let auth = LinkState::AuthFailed {
            until: Instant::now(),
            code: ErrorCode::AuthenticationFailed,
        };
        assert_eq!(Health::of(&[up.clone(), up.clone()]), Health::Ready);
        assert_eq!(Health::of(&[up.clone(), down.clone()]), Health::Degraded);
        assert_eq!(Health::of(&[down.clone(), down.clone()]), Health::Down);
        assert_eq!(Health::of(&[auth.clone(), down]), Health::AuthFailed);
        assert_eq!(
            Health::of(&[LinkState::Closed, LinkState::Closed]),
            Health::Closed
        );
    }
}
