//! Client configuration.

use std::path::PathBuf;
use std::time::Duration;

use acs_proto::Secret;

use crate::error::AcsError;
use crate::policy::ReconnectPolicy;

/// How to reach and log in to one ACS. `Debug` never shows the password.
#[derive(Clone, Debug)]
pub struct AcsConfig {
    /// `host:port` of the OIF server (Sigur's default port is 3312).
    pub address: String,
    /// OIF user name.
    pub user: String,
    /// OIF password (redacted in `Debug`).
    pub password: Secret,
    /// TLS settings; `None` for plain TCP.
    pub tls: Option<TlsConfig>,
    /// Bound on TCP connect + TLS handshake + `LOGIN` reply.
    pub connect_timeout: Duration,
    /// How long to wait for the reply to one command (also bounded by the caller's deadline).
    /// A reply that misses it poisons the link: it is closed and reconnected.
    pub reply_timeout: Duration,
    /// After this long without traffic a logged-in link sends `GETAPLIST` to prove it is
    /// alive; `None` disables the probe.
    pub idle_probe: Option<Duration>,
    /// TCP keepalive idle time (and probe interval); `None` disables keepalive.
    pub tcp_keepalive: Option<Duration>,
    /// When to reconnect after a failure.
    pub reconnect: ReconnectPolicy,
    /// Number of command links in an [`crate::AcsPool`] (at least 1).
    pub connections: usize,
    /// Bound of each link's request queue.
    pub queue_depth: usize,
    /// Longest accepted line from the ACS in bytes (`GETOBJECTINFO ALL` can be megabytes).
    pub max_line: usize,
    /// Bound of the event queue of an [`crate::EventStream`]; events beyond it are dropped
    /// (and counted in the log) rather than stalling the socket.
    pub event_buffer: usize,
}

impl Default for AcsConfig {
    fn default() -> Self {
        Self {
            address: "127.0.0.1:3312".to_owned(),
            user: "Administrator".to_owned(),
            password: Secret::default(),
            tls: None,
            connect_timeout: Duration::from_secs(5),
            reply_timeout: Duration::from_secs(2),
            idle_probe: Some(Duration::from_secs(30)),
            tcp_keepalive: Some(Duration::from_secs(30)),
            reconnect: ReconnectPolicy::default(),
            connections: 2,
            queue_depth: 64,
            max_line: acs_proto::codec::CLIENT_DEFAULT_MAX_LINE,
            event_buffer: 1024,
        }
    }
}

impl AcsConfig {
    /// A default configuration for `address`, `user` and `password`.
    pub fn new(address: impl Into<String>, user: impl Into<String>, password: Secret) -> Self {
        Self {
            address: address.into(),
            user: user.into(),
            password,
            ..Self::default()
        }
    }

    /// Checks the values that would make the client useless.
    pub fn validate(&self) -> Result<(), AcsError> {
        let bad = |what: &str| Err(AcsError::InvalidConfig(what.to_owned()));
        if self.address.trim().is_empty() {
            return bad("address is empty");
        }
        if self.connections == 0 {
            return bad("connections must be at least 1");
        }
        if self.queue_depth == 0 {
            return bad("queue_depth must be at least 1");
        }
        if self.event_buffer == 0 {
            return bad("event_buffer must be at least 1");
        }
        if self.max_line < 64 {
            return bad("max_line must be at least 64 bytes");
        }
        if self.reply_timeout.is_zero() || self.connect_timeout.is_zero() {
            return bad("timeouts must be longer than zero");
        }
        if self.reconnect.max.is_zero() {
            return bad("reconnect.max must be longer than zero");
        }
        Ok(())
    }

    /// The host part of `address` (brackets of an IPv6 literal removed), the default TLS
    /// server name.
    pub fn host(&self) -> &str {
        let addr = self.address.trim();
        if let Some(rest) = addr.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        match addr.rsplit_once(':') {
            Some((host, _port)) => host,
            None => addr,
        }
    }
}

/// TLS settings (rustls with the ring provider).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// A PEM file of CA certificates to trust; `None` trusts the system roots.
    pub ca_file: Option<PathBuf>,
    /// The name the server certificate must carry; `None` uses the host of `address`.
    pub server_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_password() {
        let cfg = AcsConfig::new("10.0.0.5:3312", "admin", Secret::new("hunter2-top"));
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2-top"), "{shown}");
        assert!(shown.contains("admin"));
    }

    #[test]
    fn the_default_configuration_is_valid_and_waits_two_seconds_for_replies() {
        let cfg = AcsConfig::default();
        assert!(cfg.validate().is_ok());
        assert_eq!(cfg.reply_timeout, Duration::from_secs(2));
    }

    #[test]
    fn zero_connections_are_rejected() {
        let cfg = AcsConfig {
            connections: 0,
            ..AcsConfig::default()
        };
        assert!(matches!(cfg.validate(), Err(AcsError::InvalidConfig(_))));
    }

    #[test]
    fn the_host_is_the_address_without_its_port() {
        let mut cfg = AcsConfig::new("acs.example:3312", "u", Secret::default());
        assert_eq!(cfg.host(), "acs.example");
        cfg.address = "[::1]:3312".to_owned();
        assert_eq!(cfg.host(), "::1");
        cfg.address = "acs.example".to_owned();
        assert_eq!(cfg.host(), "acs.example");
    }
}
