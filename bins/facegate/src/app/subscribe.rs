//! Push mode: ensure the configured Watcher subscriptions in the background.

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, WatcherMode};

/// Starts the subscription task when `[watcher] mode = "push"` has subscriptions.
pub(super) fn spawn(config: &Config, _cancel: CancellationToken) -> Option<JoinHandle<()>> {
    let w = config.watcher.as_ref()?;
    if w.mode != WatcherMode::Push || w.subscribe.is_empty() {
        return None;
    }
    tracing::warn!("watcher subscriptions: client not wired yet");
    None
}
