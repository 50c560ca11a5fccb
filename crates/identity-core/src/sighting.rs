//! What the ingest side hands to the engine: one recognised face at one camera.

use std::fmt;

use crate::time::UnixMillis;

/// A Watcher person id (the recognition system's id, not the ACS's).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct PersonId(pub u64);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Which Watcher interface delivered the sighting.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// v2 push subscription (webhook).
    Push,
    /// v2 activity events (webhook, JSON array).
    Activity,
    /// v3 episodes long-poll.
    Episodes,
}

impl Source {
    /// The stable string used in the journal and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Push => "push",
            Source::Activity => "activity",
            Source::Episodes => "episodes",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The recognised person as Watcher describes it.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct PersonRef {
    /// Watcher person id.
    pub id: PersonId,
    /// `external_id` (v3): where an installation may store the ACS object id.
    pub external_id: Option<String>,
    /// The person list id, when the source gives one.
    pub list_id: Option<u64>,
    /// Display name (for the journal and the unmapped list only; never sent to the ACS).
    pub name: Option<String>,
}

/// The camera as Watcher describes it: an id, a name, or both.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CameraRef {
    /// Camera id (`camera_id`).
    pub id: Option<String>,
    /// Camera name / stream name (`camera`, `media`).
    pub name: Option<String>,
}

impl CameraRef {
    /// The id when present and non-empty, else the name, else `""`: used in fingerprints and
    /// in the unmapped list.
    pub fn label(&self) -> &str {
        match (&self.id, &self.name) {
            (Some(id), _) if !id.is_empty() => id,
            (_, Some(name)) => name,
            _ => "",
        }
    }
}

/// What the person did in front of the camera. Only `Enter` is a request to pass.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// Appeared / approaches: a request to pass.
    Enter,
    /// Left the frame.
    Leave,
    /// Anything else (vehicles, unknown actions).
    Other,
}

/// One recognition, normalised from any of the three Watcher payload forms.
#[derive(Clone, PartialEq, Debug)]
pub struct Sighting {
    /// Which interface delivered it.
    pub source: Source,
    /// The event's own key (`notification.id`, activity `id`, `episode_id`); may be absent.
    pub event_key: Option<String>,
    /// Who was recognised.
    pub person: PersonRef,
    /// Where.
    pub camera: CameraRef,
    /// When it happened, by Watcher's clock.
    pub event_time: UnixMillis,
    /// Match score in 0..=1 where the source gives one (v3 `match_score`).
    pub score: Option<f32>,
    /// Enter, leave or other.
    pub action: Action,
}

impl Sighting {
    /// The de-duplication key.
    ///
    /// With a non-empty event key: `"<source>:<event key>"`. Without one (the article's
    /// `notification.id` is often empty) a content fingerprint of the source, person, camera
    /// and event time: `"<source>#fp:<person>:<camera length>:<camera>:<event ms>"` — the length
    /// prefix keeps a camera name containing `:` from colliding with another field layout.
    pub fn dedup_key(&self) -> String {
        let mut s = String::with_capacity(48);
        // Writing into a String cannot fail.
        let _ = self.write_dedup_key(&mut s);
        s
    }

    /// Writes [`dedup_key`](Self::dedup_key) into any sink (the engine hashes it without
    /// allocating).
    pub fn write_dedup_key<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        write_dedup_key(
            w,
            self.source,
            self.event_key.as_deref(),
            self.person.id,
            self.camera.label(),
            self.event_time,
        )
    }
}

/// [`Sighting::dedup_key`] from its parts, for rebuilding keys from journal rows (`source`,
/// `event_key`, `person_id`, `camera`, `event_time`). `camera` must be what
/// [`CameraRef::label`] gave (the camera id, else its name) — store that in the journal.
pub fn dedup_key_from(
    source: Source,
    event_key: Option<&str>,
    person: PersonId,
    camera: &str,
    event_time: UnixMillis,
) -> String {
    let mut s = String::with_capacity(48);
    // Writing into a String cannot fail.
    let _ = write_dedup_key(&mut s, source, event_key, person, camera, event_time);
    s
}

fn write_dedup_key<W: fmt::Write>(
    w: &mut W,
    source: Source,
    event_key: Option<&str>,
    person: PersonId,
    camera: &str,
    event_time: UnixMillis,
) -> fmt::Result {
    match event_key {
        Some(key) if !key.is_empty() => {
            w.write_str(source.as_str())?;
            w.write_char(':')?;
            w.write_str(key)
        }
        _ => write!(
            w,
            "{}#fp:{}:{}:{}:{}",
            source.as_str(),
            person.0,
            camera.len(),
            camera,
            event_time.0
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sighting(key: Option<&str>) -> Sighting {
        Sighting {
            source: Source::Push,
            event_key: key.map(str::to_owned),
            person: PersonRef {
                id: PersonId(135),
                ..PersonRef::default()
            },
            camera: CameraRef {
                id: None,
                name: Some("entrance".into()),
            },
            event_time: UnixMillis(1_000),
            score: None,
            action: Action::Enter,
        }
    }

    #[test]
    fn dedup_key_uses_the_event_key_prefixed_by_source() {
        assert_eq!(sighting(Some("abc")).dedup_key(), "push:abc");
        let mut s = sighting(Some("abc"));
        s.source = Source::Episodes;
        assert_eq!(s.dedup_key(), "episodes:abc");
    }

    #[test]
    fn dedup_key_falls_back_to_a_fingerprint_when_the_key_is_empty_or_absent() {
        assert_eq!(sighting(None).dedup_key(), "push#fp:135:8:entrance:1000");
        assert_eq!(sighting(Some("")).dedup_key(), sighting(None).dedup_key());
        let mut later = sighting(None);
        later.event_time = UnixMillis(2_000);
        assert_ne!(later.dedup_key(), sighting(None).dedup_key());
    }

    #[test]
    fn dedup_key_from_journal_columns_matches_the_sighting() {
        for s in [sighting(None), sighting(Some("abc"))] {
            let rebuilt = dedup_key_from(
                s.source,
                s.event_key.as_deref(),
                s.person.id,
                s.camera.label(),
                s.event_time,
            );
            assert_eq!(rebuilt, s.dedup_key());
        }
    }

    #[test]
    fn camera_label_prefers_a_non_empty_id() {
        let c = CameraRef {
            id: Some(String::new()),
            name: Some("n".into()),
        };
        assert_eq!(c.label(), "n");
        let c = CameraRef {
            id: Some("7".into()),
            name: Some("n".into()),
        };
        assert_eq!(c.label(), "7");
        assert_eq!(CameraRef::default().label(), "");
    }
}
