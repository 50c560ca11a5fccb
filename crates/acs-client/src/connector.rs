//! Opening a logged-in session, and the bookkeeping between attempts (the "connector").

use tokio::sync::watch;
use tokio::time::{timeout_at, Instant};

use crate::config::AcsConfig;
use crate::error::AcsError;
use crate::policy::ReconnectPolicy;
use crate::session::Session;
use crate::state::LinkState;
use crate::tls::{self, TlsSetup};
use crate::transport::{self, Stream};

/// Connects (TCP, TLS) and logs in, all within `connect_timeout`. The TLS setup is built on
/// first use and kept, so the CA file is read once per link.
pub(crate) async fn open_session(
    cfg: &AcsConfig,
    tls_setup: &mut Option<TlsSetup>,
) -> Result<Session<Stream>, AcsError> {
    let until = Instant::now() + cfg.connect_timeout;
    if let (Some(tls_cfg), None) = (&cfg.tls, tls_setup.as_ref()) {
        *tls_setup = Some(tls::setup(cfg, tls_cfg)?);
    }
    let timed_out = || AcsError::ConnectTimeout {
        address: cfg.address.clone(),
    };
    let stream = timeout_at(until, transport::connect(cfg, tls_setup.as_ref()))
        .await
        .map_err(|_| timed_out())??;
    let mut session = Session::new(stream, cfg.max_line);
    match session.login(&cfg.user, &cfg.password, until).await {
        Ok(()) => Ok(session),
        Err(AcsError::Timeout) => Err(timed_out()),
        Err(e) => Err(e),
    }
}

/// Attempt counting and state publishing shared by command links and the event link.
pub(crate) struct Connector {
    policy: ReconnectPolicy,
    attempt: u32,
    state: watch::Sender<LinkState>,
    role: &'static str,
    link: usize,
}

impl Connector {
    /// `role` (`command` or `events`) and `link` (the index in a pool) only label logs.
    pub(crate) fn new(
        policy: ReconnectPolicy,
        state: watch::Sender<LinkState>,
        role: &'static str,
        link: usize,
    ) -> Self {
        Self {
            policy,
            attempt: 0,
            state,
            role,
            link,
        }
    }

    /// Publishes `Connecting`.
    pub(crate) fn connecting(&self) {
        self.state.send_replace(LinkState::Connecting {
            attempt: self.attempt,
        });
    }

    /// Publishes `LoggedIn` and returns its time.
    pub(crate) fn logged_in(&self) -> Instant {
        let since = Instant::now();
        tracing::info!(role = self.role, link = self.link, "logged in to the ACS");
        self.state.send_replace(LinkState::LoggedIn { since });
        since
    }

    /// Publishes `Closed`.
    pub(crate) fn closed(&self) {
        self.state.send_replace(LinkState::Closed);
    }

    /// Records a failed attempt or an ended session (`up_since` = when it had logged in),
    /// publishes `Backoff` or `AuthFailed`, and returns when to try again.
    pub(crate) fn failed(&mut self, reason: AcsError, up_since: Option<Instant>) -> Instant {
        if up_since.is_some_and(|since| since.elapsed() >= self.policy.stable_after) {
            self.attempt = 0;
        }
        let now = Instant::now();
        let state = match reason {
            AcsError::LoginRejected { code, .. } if code.is_auth_failure() => {
                let until = now + self.policy.auth_failure_delay(fastrand::f64());
                tracing::error!(
                    role = self.role,
                    link = self.link,
                    code = code.code(),
                    retry_in_ms = (until - now).as_millis() as u64,
                    "the ACS rejected the login; check the user, password and OIF access"
                );
                LinkState::AuthFailed { until, code }
            }
            reason => {
                let until = now + self.policy.delay(self.attempt, fastrand::f64());
                tracing::warn!(
                    role = self.role,
                    link = self.link,
                    error = %reason,
                    attempt = self.attempt.saturating_add(1),
                    retry_in_ms = (until - now).as_millis() as u64,
                    "ACS link down"
                );
                LinkState::Backoff {
                    until,
                    attempt: self.attempt.saturating_add(1),
                    reason,
                }
            }
        };
        self.attempt = self.attempt.saturating_add(1);
        let until = match &state {
            LinkState::AuthFailed { until, .. } | LinkState::Backoff { until, .. } => *until,
            _ => now,
        };
        self.state.send_replace(state);
        until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_counter_saturates_instead_of_overflowing() {
        let (tx, rx) = watch::channel(LinkState::Connecting { attempt: 0 });
        let mut connector = Connector::new(ReconnectPolicy::default(), tx, "command", 0);
        connector.attempt = u32::MAX;
        let _until = connector.failed(AcsError::Unavailable, None);
        assert!(matches!(
            *rx.borrow(),
            LinkState::Backoff {
                attempt: u32::MAX,
                ..
            }
        ));
    }
}
