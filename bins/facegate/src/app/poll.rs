//! Poll mode: the v3 episodes long-poll as a source of sightings (no inbound port needed).
//!
//! Only the best candidate of each face episode (`rank` 0) is a request to pass; the others are
//! skipped. The poll starts `max_event_age + clock_skew` in the past, so a restart does not
//! miss an event that could still be acted on; anything older would be `stale` anyway, and
//! repeats are `duplicate` (keys are rebuilt from the journal).

use std::time::{Duration, SystemTime};

use futures_util::StreamExt as _;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use watcher_api::client::EpisodeQuery;

use crate::config::{Config, WatcherMode};
use crate::pipeline::convert::{from_face_match, unix_ms};
use crate::pipeline::PipelineSink;

/// How long the Watcher may hold an empty long-poll.
const POLL_TIMEOUT: Duration = Duration::from_secs(25);

/// Starts the episodes poller when `[watcher] mode = "poll"`.
pub(super) fn spawn(
    config: &Config,
    sink: PipelineSink,
    cancel: CancellationToken,
) -> Option<JoinHandle<()>> {
    let w = config.watcher.as_ref()?;
    if w.mode != WatcherMode::Poll {
        return None;
    }
    let client = match super::subscribe::client(w) {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(%error, "watcher client cannot be built; episodes are not polled");
            return None;
        }
    };
    let lookback = config.policy.max_event_age + config.policy.clock_skew;
    let since = unix_ms(SystemTime::now()) - i64::try_from(lookback.as_millis()).unwrap_or(0);
    let query = EpisodeQuery {
        updated_at_gt: Some(u64::try_from(since).unwrap_or(0)),
        poll_timeout: POLL_TIMEOUT,
        ..EpisodeQuery::default()
    };
    let mut matches = client.episodes(query);
    Some(tokio::spawn(async move {
        tracing::info!("polling Watcher v3 face episodes");
        loop {
            let item = tokio::select! {
                () = cancel.cancelled() => return,
                item = matches.next() => item,
            };
            match item {
                None => return,
                Some(Err(error)) => {
                    tracing::warn!(%error, "watcher episodes poll failed; retrying");
                }
                Some(Ok(m)) if m.rank > 0 => {
                    tracing::debug!(
                        episode = m.episode_id.get(),
                        rank = m.rank,
                        "not the best candidate; skipped"
                    );
                }
                Some(Ok(m)) => {
                    let arrival =
                        from_face_match(&m, SystemTime::now(), tokio::time::Instant::now());
                    if !sink.send(arrival).await {
                        return;
                    }
                }
            }
        }
    }))
}
