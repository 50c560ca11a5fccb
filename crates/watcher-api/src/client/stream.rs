//! The v3 episodes long-poll as a `Stream` of face matches, each (episode, person) pair once.
//!
//! The poller keeps a watermark (the highest `updated_at` seen) and asks for
//! `updated_at_gt=<watermark>` with `poll_timeout`, so the server holds the request until
//! something changes. A page with a `next` cursor is followed at once (same `updated_at_gt`, no
//! hold) before polling again. Episodes are re-sent whenever they are updated, so a bounded
//! seen-set of `(episode_id, person_id)` drops repeats. Transient failures (connection refused
//! while the server restarts, timeouts, 5xx) are retried with capped, jittered backoff and never
//! end the stream; a cursor the server no longer accepts is dropped in favour of the watermark.

use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::time::Duration;

use futures_util::Stream;

use super::v3::EpisodesRequest;
use super::{ClientError, WatcherClient};
use crate::payload::{EpisodeId, EpisodesPage, Person, UnixMs};

/// What to poll; see [`WatcherClient::episodes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpisodeQuery {
    /// Only episodes updated after this time (utc ms). `None` starts from the oldest episode the
    /// server keeps; pass "now" to skip history.
    pub updated_at_gt: Option<u64>,
    /// How long the server may hold an empty answer (whole seconds). Default 30 s.
    pub poll_timeout: Duration,
    /// Page size (`limit`); `None` leaves it to the server. Default 100.
    pub limit: Option<u32>,
    /// How many `(episode, person)` pairs are remembered to drop repeats. Default 10 000.
    pub seen_capacity: usize,
}

impl Default for EpisodeQuery {
    fn default() -> Self {
        EpisodeQuery {
            updated_at_gt: None,
            poll_timeout: Duration::from_secs(30),
            limit: Some(100),
            seen_capacity: 10_000,
        }
    }
}

/// One person matched in one face episode, yielded once per `(episode_id, person_id)`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaceMatch {
    /// The episode.
    pub episode_id: EpisodeId,
    /// Camera (stream) name.
    pub media: Option<String>,
    /// When the episode opened (utc ms).
    pub opened_at: Option<UnixMs>,
    /// When the episode was confirmed (utc ms).
    pub started_at: Option<UnixMs>,
    /// The episode's `updated_at` when this match was first seen.
    pub updated_at: UnixMs,
    /// The matched person.
    pub person: Person,
    /// Similarity, 1.0 = certain.
    pub match_score: Option<f64>,
    /// Position in `matched_persons` (0 = first, the best candidate as sent).
    pub rank: usize,
}

/// The stream returned by [`WatcherClient::episodes`]. It never ends on its own; items are
/// `Err` only for failures that retrying will not fix (refused credentials, a body that is not
/// an episodes page), and polling continues after such an item, with backoff.
pub type EpisodeStream = Pin<Box<dyn Stream<Item = Result<FaceMatch, ClientError>> + Send>>;

impl WatcherClient {
    /// Long-polls face episodes (`GET /watcher/client-api/v3/episodes?episode_type=face…`),
    /// following cursors, and yields each `(episode, matched person)` once.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use watcher_api::client::{EpisodeQuery, WatcherClient};
    /// # async fn demo() -> Result<(), watcher_api::client::ClientError> {
    /// let watcher = WatcherClient::builder("http://watcher:80").login("admin", "pw").build()?;
    /// let mut matches = watcher.episodes(EpisodeQuery::default());
    /// while let Some(m) = matches.next().await {
    ///     let m = m?;
    ///     println!("{} on {:?}: {:?}", m.person.person_id, m.media, m.match_score);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn episodes(&self, query: EpisodeQuery) -> EpisodeStream {
        let poller = Poller {
            client: self.clone(),
            watermark: query.updated_at_gt,
            chain_gt: None,
            cursor: None,
            seen: SeenSet::new(query.seen_capacity),
            ready: VecDeque::new(),
            failures: 0,
            pause: None,
            query,
        };
        Box::pin(futures_util::stream::unfold(
            poller,
            |mut poller| async move {
                let item = poller.next().await;
                Some((item, poller))
            },
        ))
    }
}

struct Poller {
    client: WatcherClient,
    query: EpisodeQuery,
    /// Highest `updated_at` seen: the next poll asks for newer.
    watermark: Option<u64>,
    /// The `updated_at_gt` of the request that started the current cursor chain.
    chain_gt: Option<u64>,
    cursor: Option<String>,
    seen: SeenSet,
    ready: VecDeque<FaceMatch>,
    /// Consecutive failures (drives the backoff).
    failures: u32,
    /// Backoff owed before the next request (after yielding an error).
    pause: Option<Duration>,
}

impl Poller {
    async fn next(&mut self) -> Result<FaceMatch, ClientError> {
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Ok(ready);
            }
            if let Some(pause) = self.pause.take() {
                tokio::time::sleep(pause).await;
            }
            let chained = self.cursor.is_some();
            let request = EpisodesRequest {
                updated_at_gt: if chained {
                    self.chain_gt
                } else {
                    self.watermark
                },
                // A cursor page is wanted now; only the head of the stream is held.
                poll_timeout: if chained {
                    Duration::ZERO
                } else {
                    self.query.poll_timeout
                },
                limit: self.query.limit,
                cursor: self.cursor.clone(),
            };
            match self.client.episodes_page(&request).await {
                Ok(page) => {
                    self.failures = 0;
                    self.absorb(page, request.updated_at_gt);
                }
                Err(ClientError::Status { status, .. })
                    if chained && (400..500).contains(&status) =>
                {
                    // Typically a cursor from before a server restart.
                    tracing::warn!(status, "episode cursor refused, polling from the watermark");
                    self.cursor = None;
                }
                Err(e) => {
                    let delay = self.client.retry_policy().delay(self.failures);
                    self.failures = self.failures.saturating_add(1);
                    if e.is_retryable() {
                        tracing::warn!(error = %e, ?delay, failures = self.failures, "episode poll failed, retrying");
                        tokio::time::sleep(delay).await;
                    } else {
                        tracing::error!(error = %e, ?delay, "episode poll failed");
                        self.pause = Some(delay);
                        return Err(e);
                    }
                }
            }
        }
    }

    fn absorb(&mut self, page: EpisodesPage, asked_gt: Option<u64>) {
        let got_any = !page.episodes.is_empty();
        for episode in page.episodes {
            let updated = episode.updated_at.as_millis();
            self.watermark = Some(self.watermark.map_or(updated, |w| w.max(updated)));
            for (rank, matched) in episode.matched_persons.into_iter().enumerate() {
                let key = (episode.episode_id.get(), matched.person.person_id.get());
                if !self.seen.insert(key) {
                    continue;
                }
                self.ready.push_back(FaceMatch {
                    episode_id: episode.episode_id,
                    media: episode.media.clone(),
                    opened_at: episode.opened_at,
                    started_at: episode.started_at,
                    updated_at: episode.updated_at,
                    person: matched.person,
                    match_score: matched.match_score,
                    rank,
                });
            }
        }
        match page.next {
            // An empty page's cursor leads nowhere new; a repeated cursor would loop.
            Some(next) if got_any && self.cursor.as_deref() != Some(next.as_str()) => {
                if self.cursor.is_none() {
                    self.chain_gt = asked_gt;
                }
                self.cursor = Some(next);
            }
            _ => self.cursor = None,
        }
    }
}

/// A bounded set: remembers the latest `capacity` keys, forgetting the oldest first.
#[derive(Debug)]
pub(crate) struct SeenSet {
    set: HashSet<(u64, u64)>,
    order: VecDeque<(u64, u64)>,
    capacity: usize,
}

impl SeenSet {
    pub(crate) fn new(capacity: usize) -> Self {
        SeenSet {
            set: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// `true` when `key` was not remembered (and now is).
    pub(crate) fn insert(&mut self, key: (u64, u64)) -> bool {
        if !self.set.insert(key) {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
        true
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seen_set_drops_repeats_and_forgets_the_oldest_beyond_capacity() {
        let mut seen = SeenSet::new(2);
        assert!(seen.insert((1, 1)));
        assert!(!seen.insert((1, 1)));
        assert!(seen.insert((1, 2)));
        assert!(seen.insert((2, 1)));
        assert_eq!(seen.len(), 2);
        assert!(seen.insert((1, 1)), "the oldest key was forgotten");
        assert!(!seen.insert((2, 1)));
    }

    proptest::proptest! {
        #[test]
        fn the_seen_set_never_exceeds_its_capacity(
            keys in proptest::collection::vec((0u64..20, 0u64..3), 0..200),
            capacity in 1usize..16,
        ) {
            let mut seen = SeenSet::new(capacity);
            for key in keys {
                seen.insert(key);
                proptest::prop_assert!(seen.len() <= capacity);
                proptest::prop_assert_eq!(seen.len(), seen.set.len());
            }
        }
    }
}
