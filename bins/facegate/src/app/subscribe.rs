//! Push mode: ensure the configured Watcher subscriptions, in the background, with backoff.
//!
//! `notify_url = public_url + "/watcher/events/" + token`. Watcher being down never stops the
//! bridge: the task retries (capped exponential backoff with jitter) until `ensure` succeeds
//! once, then ends. Errors are logged without the notify URL, which carries the token.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use watcher_api::client::{NewSubscription, WatcherClient};

use crate::config::{Config, Secret, WatcherConfig, WatcherCredentials, WatcherMode};
use crate::ingest::EVENTS_PREFIX;

/// First retry delay.
const INITIAL: Duration = Duration::from_millis(500);
/// Longest retry delay.
const CAP: Duration = Duration::from_secs(60);

/// Starts the subscription task when `[watcher] mode = "push"` lists subscriptions and
/// `[ingest]` exists (the token is part of the notify URL).
pub(super) fn spawn(config: &Config, cancel: CancellationToken) -> Option<JoinHandle<()>> {
    let w = config.watcher.as_ref()?;
    if w.mode != WatcherMode::Push || w.subscribe.is_empty() {
        return None;
    }
    let Some(ingest) = &config.ingest else {
        tracing::warn!("[watcher] push subscriptions need [ingest]; none registered");
        return None;
    };
    let Some(public) = &w.public_url else {
        tracing::warn!("[watcher] public_url is not set; push subscriptions not registered");
        return None;
    };
    let notify_url = notify_url(public, ingest.token.expose());
    let desired: Vec<NewSubscription> = w
        .subscribe
        .iter()
        .map(|s| NewSubscription {
            event_type: s.event_type.clone(),
            notification_type: s.notification_type.clone(),
            notify_url: notify_url.clone(),
        })
        .collect();
    let client = match client(w) {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(%error, "watcher client cannot be built; subscriptions not registered");
            return None;
        }
    };
    let token = ingest.token.clone();
    Some(tokio::spawn(async move {
        tokio::select! {
            () = cancel.cancelled() => {}
            () = ensure_until_done(&client, &desired, &token) => {}
        }
    }))
}

/// `public_url` + `/watcher/events/` + token, without a doubled slash.
pub fn notify_url(public_url: &str, token: &str) -> String {
    format!("{}{EVENTS_PREFIX}{token}", public_url.trim_end_matches('/'))
}

/// A client for `[watcher]`.
pub fn client(w: &WatcherConfig) -> Result<WatcherClient, watcher_api::client::ClientError> {
    let b = WatcherClient::builder(w.url.clone());
    let b = match &w.credentials {
        WatcherCredentials::ApiKey(key) => b.api_key(key.expose()),
        WatcherCredentials::Login { login, password } => b.login(login.clone(), password.expose()),
    };
    b.user_agent(concat!("facegate/", env!("CARGO_PKG_VERSION")))
        .build()
}

async fn ensure_until_done(client: &WatcherClient, desired: &[NewSubscription], token: &Secret) {
    let mut attempt: u32 = 0;
    loop {
        match client.subscriptions().ensure(desired).await {
            Ok(report) => {
                tracing::info!(
                    created = report.created.len(),
                    existing = report.existing.len(),
                    "watcher subscriptions ensured"
                );
                return;
            }
            Err(error) => {
                // A server's error text may echo the notify URL back: never log the token.
                let error = error.to_string().replace(token.expose(), "<token>");
                let delay = backoff(attempt, fastrand::f64());
                attempt = attempt.saturating_add(1);
                tracing::warn!(
                    %error,
                    attempt,
                    retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "watcher subscriptions not ensured yet; retrying"
                );
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Capped exponential backoff with "equal" jitter: half fixed, half random.
fn backoff(attempt: u32, rand: f64) -> Duration {
    let exp = INITIAL.saturating_mul(1u32 << attempt.min(16));
    let d = exp.min(CAP);
    d / 2 + d.mul_f64(rand.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notify_url_joins_without_a_double_slash() {
        assert_eq!(
            notify_url("http://bridge.lan:8080/", "tok"),
            "http://bridge.lan:8080/watcher/events/tok"
        );
        assert_eq!(notify_url("http://b", "t"), "http://b/watcher/events/t");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0, 0.0), INITIAL / 2);
        assert!(backoff(1, 0.0) > backoff(0, 1.0) / 2);
        assert!(backoff(40, 1.0) <= CAP);
        assert!(backoff(40, 0.0) >= CAP / 2);
    }
}
