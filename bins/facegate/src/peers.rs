//! Clients for the admin commands that talk to the peers (`subscriptions`, `check --online`):
//! built from the resolved config with short, explicit timeouts and no background retries.

use std::time::Duration;

use acs_client::{AcsConfig, ReconnectPolicy, TlsConfig};
use watcher_api::client::{ClientError, RetryPolicy, WatcherClient};

use crate::config::{AcsServerConfig, WatcherConfig, WatcherCredentials};

/// A Watcher client for `[watcher]`: every request bounded by `timeout`, one attempt per call.
pub fn watcher_client(w: &WatcherConfig, timeout: Duration) -> Result<WatcherClient, ClientError> {
    let b = WatcherClient::builder(w.url.clone());
    let b = match &w.credentials {
        WatcherCredentials::ApiKey(key) => b.api_key(key.expose()),
        WatcherCredentials::Login { login, password } => b.login(login.clone(), password.expose()),
    };
    b.user_agent(concat!("facegate/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(timeout)
        .request_timeout(timeout)
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
}

/// An ACS client configuration for `[[acs]]` with one link and `timeout` for connecting,
/// logging in and each reply.
pub fn acs_config(a: &AcsServerConfig, timeout: Duration) -> AcsConfig {
    let mut c = AcsConfig::new(a.address.clone(), a.user.clone(), a.password.clone());
    c.connections = 1;
    c.connect_timeout = timeout;
    c.reply_timeout = timeout;
    c.idle_probe = None;
    c.reconnect = ReconnectPolicy {
        max: timeout.max(Duration::from_millis(100)),
        ..ReconnectPolicy::default()
    };
    if a.tls {
        c.tls = Some(TlsConfig {
            ca_file: a.tls_ca.clone(),
            ..TlsConfig::default()
        });
    }
    c
}
