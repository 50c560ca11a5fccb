//! The v3 episode store: face episodes, merged when the same face is seen again, bounded,
//! always ordered by `updated_at` so `updated_at_gt` and cursors are simple positions.

use std::collections::VecDeque;

use base64::Engine as _;
use serde_json::{json, Value};

/// First episode id handed out (a snowflake-sized integer, as Watcher's are).
const FIRST_EPISODE_ID: u64 = 7_036_001_172_460_670_001;

/// One face episode.
#[derive(Debug, Clone)]
pub(crate) struct Episode {
    pub episode_id: u64,
    /// Camera id (`media`).
    pub media: String,
    pub opened_at: i64,
    pub started_at: i64,
    /// Store write time of the last change: strictly increasing across the store.
    pub updated_at: i64,
    /// Time of the last detection merged into this episode (drives the merge window).
    pub last_detection: i64,
    pub person_id: u64,
    pub match_score: f64,
    /// The `person` object of `matched_persons[0]`, frozen at the last update.
    pub person: Value,
}

impl Episode {
    /// The episode as the v3 API renders it (`fixtures/episode-face.json`).
    pub fn to_json(&self) -> Value {
        json!({
            "episode_id": self.episode_id,
            "episode_type": "face",
            "media": self.media,
            "opened_at": self.opened_at,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "matched_persons": [{"person": self.person, "match_score": self.match_score}],
        })
    }
}

/// One sighting to record.
#[derive(Debug, Clone)]
pub(crate) struct Detection {
    pub person_id: u64,
    pub media: String,
    /// Detection time, utc ms.
    pub at_ms: i64,
    /// Wall-clock time of the write, utc ms.
    pub now_ms: i64,
    pub score: f64,
    pub person: Value,
}

/// A v3 episodes query, already validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct EpisodeQuery {
    pub episode_type: Option<String>,
    pub media: Option<String>,
    pub updated_at_gt: Option<i64>,
    /// Position decoded from a `cursor`.
    pub position_gt: Option<i64>,
    pub limit: usize,
}

/// One page of episodes.
#[derive(Debug, Clone, Default)]
pub(crate) struct EpisodePage {
    pub episodes: Vec<Value>,
    pub next: Option<String>,
}

/// Bounded store of episodes ordered by `updated_at` (oldest first).
#[derive(Debug, Clone)]
pub(crate) struct EpisodeStore {
    episodes: VecDeque<Episode>,
    capacity: usize,
    next_id: u64,
    last_updated_at: i64,
    merge_window_ms: i64,
}

impl EpisodeStore {
    pub fn new(capacity: usize, merge_window_ms: i64) -> Self {
        EpisodeStore {
            episodes: VecDeque::new(),
            capacity: capacity.max(1),
            next_id: FIRST_EPISODE_ID,
            last_updated_at: 0,
            merge_window_ms,
        }
    }

    /// Records a detection: updates the open episode of the same person on the same camera when
    /// the last detection is within the merge window, else opens a new one. Returns the episode.
    pub fn record(&mut self, d: Detection) -> Episode {
        // `updated_at` is the write time, nudged so it strictly increases: a poller's
        // `updated_at_gt` then never skips nor repeats an update.
        let updated_at = d.now_ms.max(d.at_ms).max(self.last_updated_at + 1);
        self.last_updated_at = updated_at;
        let window = self.merge_window_ms;
        let open = self.episodes.iter().rposition(|e| {
            e.person_id == d.person_id
                && e.media == d.media
                && (d.at_ms - e.last_detection).abs() <= window
        });
        let episode = match open.and_then(|i| self.episodes.remove(i)) {
            Some(mut e) => {
                e.updated_at = updated_at;
                e.last_detection = e.last_detection.max(d.at_ms);
                e.match_score = e.match_score.max(d.score);
                e.person = d.person;
                e
            }
            None => {
                let episode_id = self.next_id;
                self.next_id += 1;
                Episode {
                    episode_id,
                    media: d.media,
                    opened_at: d.at_ms,
                    started_at: d.at_ms,
                    updated_at,
                    last_detection: d.at_ms,
                    person_id: d.person_id,
                    match_score: d.score,
                    person: d.person,
                }
            }
        };
        self.episodes.push_back(episode.clone());
        while self.episodes.len() > self.capacity {
            self.episodes.pop_front();
        }
        episode
    }

    /// Number of episodes kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.episodes.len()
    }

    /// Episodes matching `q`, oldest update first, at most `q.limit`, with a `next` cursor when
    /// more remain.
    pub fn query(&self, q: &EpisodeQuery) -> EpisodePage {
        if q.episode_type.as_deref().is_some_and(|t| t != "face") {
            return EpisodePage::default();
        }
        let gt = q
            .updated_at_gt
            .unwrap_or(i64::MIN)
            .max(q.position_gt.unwrap_or(i64::MIN));
        let start = self.episodes.partition_point(|e| e.updated_at <= gt);
        let mut matching = self
            .episodes
            .range(start..)
            .filter(|e| q.media.as_deref().is_none_or(|m| m == e.media));
        let limit = q.limit.max(1);
        let page: Vec<&Episode> = matching.by_ref().take(limit).collect();
        let next = match (page.last(), matching.next()) {
            (Some(last), Some(_)) => Some(encode_cursor(last.updated_at)),
            _ => None,
        };
        EpisodePage {
            episodes: page.iter().map(|e| e.to_json()).collect(),
            next,
        }
    }
}

/// A cursor in Flussonic's style: base64 of `%24position_gt=<updated_at>`.
pub(crate) fn encode_cursor(position: i64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("%24position_gt={position}"))
}

/// Decodes [`encode_cursor`]'s output; `None` when it is not one.
pub(crate) fn decode_cursor(cursor: &str) -> Option<i64> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor.trim())
        .ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    text.strip_prefix("%24position_gt=")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(person_id: u64, media: &str, at_ms: i64, now_ms: i64) -> Detection {
        Detection {
            person_id,
            media: media.into(),
            at_ms,
            now_ms,
            score: 0.9,
            person: json!({"person_id": person_id}),
        }
    }

    #[test]
    fn same_face_on_same_camera_within_window_updates_the_episode() {
        let mut store = EpisodeStore::new(10, 10_000);
        let a = store.record(det(1, "cam", 1_000, 1_000));
        let b = store.record(det(1, "cam", 5_000, 5_000));
        assert_eq!(a.episode_id, b.episode_id);
        assert!(b.updated_at > a.updated_at);
        assert_eq!(b.opened_at, 1_000);
        let c = store.record(det(1, "cam", 30_000, 30_000));
        assert_ne!(c.episode_id, a.episode_id);
        let d = store.record(det(1, "other", 30_001, 30_001));
        assert_ne!(d.episode_id, c.episode_id);
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn updated_at_strictly_increases_even_for_old_detections() {
        let mut store = EpisodeStore::new(10, 0);
        let a = store.record(det(1, "cam", 9_000, 9_000));
        let b = store.record(det(2, "cam", 1_000, 9_000));
        assert_eq!(b.updated_at, a.updated_at + 1);
        assert_eq!(b.opened_at, 1_000);
    }

    #[test]
    fn query_pages_with_cursors_and_filters() {
        let mut store = EpisodeStore::new(10, 0);
        for i in 0..5 {
            store.record(det(
                i,
                if i % 2 == 0 { "a" } else { "b" },
                1_000 + i as i64,
                0,
            ));
        }
        let mut q = EpisodeQuery {
            limit: 2,
            ..Default::default()
        };
        let p1 = store.query(&q);
        assert_eq!(p1.episodes.len(), 2);
        q.position_gt = decode_cursor(p1.next.as_deref().unwrap());
        let p2 = store.query(&q);
        assert_eq!(p2.episodes[0]["updated_at"], 1_002);
        q.position_gt = decode_cursor(p2.next.as_deref().unwrap());
        let p3 = store.query(&q);
        assert_eq!(p3.episodes.len(), 1);
        assert_eq!(p3.next, None);
        let only_a = EpisodeQuery {
            media: Some("a".into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(store.query(&only_a).episodes.len(), 3);
        let gt = EpisodeQuery {
            updated_at_gt: Some(1_003),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(store.query(&gt).episodes.len(), 1);
        let vehicles = EpisodeQuery {
            episode_type: Some("vehicle".into()),
            limit: 10,
            ..Default::default()
        };
        assert!(store.query(&vehicles).episodes.is_empty());
    }

    #[test]
    fn store_keeps_only_the_newest_episodes() {
        let mut store = EpisodeStore::new(2, 0);
        for i in 0..5 {
            store.record(det(i, "cam", i as i64 * 100, 0));
        }
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        assert_eq!(
            decode_cursor(&encode_cursor(1_637_094_994_000)),
            Some(1_637_094_994_000)
        );
        assert_eq!(decode_cursor("JTI0cG9zaXRpb25fZ3Q9MQ=="), Some(1));
        assert_eq!(decode_cursor("not base64!"), None);
        assert_eq!(decode_cursor("aGVsbG8="), None);
    }
}
