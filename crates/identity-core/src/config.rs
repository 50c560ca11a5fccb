//! Engine configuration: doors, identity mode, policy, and `validate()`.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use acs_proto::{AccessPointId, Direction};

use crate::table::MappingTable;

/// Longest `max_event_age` accepted: older events opening a door would be a wrong "yes".
pub const MAX_EVENT_AGE_LIMIT: Duration = Duration::from_secs(300);
/// Longest `clock_skew` accepted.
pub const CLOCK_SKEW_LIMIT: Duration = Duration::from_secs(60);
/// Longest `cooldown` accepted.
pub const COOLDOWN_LIMIT: Duration = Duration::from_secs(24 * 3600);
/// Largest table capacity accepted (per table).
pub const CAPACITY_LIMIT: usize = 10_000_000;
/// Longest camera or ACS name accepted in a door, in bytes.
pub const MAX_DOOR_NAME_LEN: usize = 256;

/// One door: a camera that, on a recognition, asks an ACS to let the person through.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Door {
    /// Camera id or camera name, exactly as Watcher sends it; matches either.
    pub camera: String,
    /// The `[[acs]]` name this door belongs to.
    pub acs: String,
    /// The ACS access point.
    pub access_point: AccessPointId,
    /// The pass direction.
    pub direction: Direction,
}

/// How a Watcher person becomes an ACS object.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum IdentityMode {
    /// The Watcher person id *is* the ACS object id (when it fits in 1..=u32::MAX).
    Same,
    /// Looked up in a table (`people.csv`).
    Table(MappingTable),
    /// The person's `external_id` holds the ACS object id (decimal, 1..=u32::MAX).
    ExternalId,
}

/// Admission policy (SPEC §3 `[policy]`).
#[derive(Clone, PartialEq, Debug)]
pub struct Policy {
    /// Events older than this are `stale`; also the command deadline after the event time.
    pub max_event_age: Duration,
    /// Events ahead of now by more than this are `future`.
    pub clock_skew: Duration,
    /// A second grant for the same person, ACS, access point and direction within this is
    /// `cooldown`.
    pub cooldown: Duration,
    /// Person lists allowed to pass; empty = every list.
    pub allow_lists: Vec<u64>,
    /// Person lists never allowed to pass.
    pub deny_lists: Vec<u64>,
    /// Minimum match score, where the source gives a score.
    pub min_score: Option<f32>,
    /// Hard bound on remembered event keys.
    pub dedup_capacity: usize,
    /// Hard bound on remembered grants.
    pub cooldown_capacity: usize,
    /// Hard bound on the unmapped-persons list.
    pub unmapped_capacity: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_event_age: Duration::from_secs(10),
            clock_skew: Duration::from_secs(2),
            cooldown: Duration::from_secs(5),
            allow_lists: Vec::new(),
            deny_lists: Vec::new(),
            min_score: None,
            dedup_capacity: 400_000,
            cooldown_capacity: 200_000,
            unmapped_capacity: 10_000,
        }
    }
}

/// Everything the engine needs; replaced as a whole on reload.
#[derive(Clone, PartialEq, Debug)]
pub struct EngineConfig {
    /// Doors, in priority order (decisions for a camera come in this order).
    pub doors: Vec<Door>,
    /// Identity mode.
    pub identity: IdentityMode,
    /// Policy.
    pub policy: Policy,
}

/// One configuration problem, naming the offending entry (`door[2]`, `policy.cooldown`, …).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{entry}: {message}")]
pub struct ConfigProblem {
    /// The entry: `door[i]`, `door[i].camera`, `identity.table`, `policy.<key>`.
    pub entry: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl ConfigProblem {
    fn new(entry: impl fmt::Display, message: impl Into<String>) -> Self {
        Self {
            entry: entry.to_string(),
            message: message.into(),
        }
    }
}

impl EngineConfig {
    /// Checks the whole configuration and reports every problem at once.
    ///
    /// Doors: at least one; camera and ACS names non-empty, ≤ 256 bytes, no control
    /// characters; no two doors with the same camera and direction (one recognition must never
    /// open two doors the same way). Policy: `max_event_age` in 1 ms..=5 min, `clock_skew`
    /// ≤ 1 min, `cooldown` in 1 ms..=24 h, `min_score` finite within 0..=1, no list both
    /// allowed and denied, capacities in 1..=10 000 000. Identity: a table must not be empty.
    pub fn validate(&self) -> Result<(), Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        self.validate_doors(&mut problems);
        self.validate_policy(&mut problems);
        if let IdentityMode::Table(t) = &self.identity {
            if t.is_empty() {
                problems.push(ConfigProblem::new(
                    "identity.table",
                    "the mapping table is empty: no person could ever pass",
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn validate_doors(&self, problems: &mut Vec<ConfigProblem>) {
        if self.doors.is_empty() {
            problems.push(ConfigProblem::new("door", "no doors configured"));
        }
        let mut first: HashMap<(&str, Direction), usize> = HashMap::new();
        for (i, d) in self.doors.iter().enumerate() {
            for (key, value) in [("camera", &d.camera), ("acs", &d.acs)] {
                if let Some(why) = bad_name(value) {
                    problems.push(ConfigProblem::new(format!("door[{i}].{key}"), why));
                }
            }
            match first.get(&(d.camera.as_str(), d.direction)) {
                Some(&j) => problems.push(ConfigProblem::new(
                    format!("door[{i}]"),
                    format!(
                        "duplicate camera+direction: camera {:?} direction {} is already door[{j}]",
                        clip(&d.camera),
                        d.direction.as_str()
                    ),
                )),
                None => {
                    first.insert((d.camera.as_str(), d.direction), i);
                }
            }
        }
    }

    fn validate_policy(&self, problems: &mut Vec<ConfigProblem>) {
        let p = &self.policy;
        let durations = [
            (
                "policy.max_event_age",
                p.max_event_age,
                false,
                MAX_EVENT_AGE_LIMIT,
            ),
            ("policy.clock_skew", p.clock_skew, true, CLOCK_SKEW_LIMIT),
            ("policy.cooldown", p.cooldown, false, COOLDOWN_LIMIT),
        ];
        for (entry, value, zero_ok, limit) in durations {
            if value.is_zero() && !zero_ok {
                problems.push(ConfigProblem::new(entry, "must be greater than zero"));
            } else if value > limit {
                problems.push(ConfigProblem::new(
                    entry,
                    format!("{value:?} is longer than the limit {limit:?}"),
                ));
            }
        }
        if let Some(s) = p.min_score {
            if !(0.0..=1.0).contains(&s) {
                problems.push(ConfigProblem::new(
                    "policy.min_score",
                    format!("{s} is not within 0..=1"),
                ));
            }
        }
        for list in &p.allow_lists {
            if p.deny_lists.contains(list) {
                problems.push(ConfigProblem::new(
                    "policy.allow_lists",
                    format!("list {list} is both allowed and denied (policy.deny_lists)"),
                ));
            }
        }
        let caps = [
            ("policy.dedup_capacity", p.dedup_capacity),
            ("policy.cooldown_capacity", p.cooldown_capacity),
            ("policy.unmapped_capacity", p.unmapped_capacity),
        ];
        for (entry, cap) in caps {
            if cap == 0 || cap > CAPACITY_LIMIT {
                problems.push(ConfigProblem::new(
                    entry,
                    format!("{cap} is not within 1..={CAPACITY_LIMIT}"),
                ));
            }
        }
    }
}

fn bad_name(s: &str) -> Option<&'static str> {
    if s.trim().is_empty() {
        Some("must not be empty")
    } else if s.len() > MAX_DOOR_NAME_LEN {
        Some("longer than 256 bytes")
    } else if s.chars().any(char::is_control) {
        Some("contains control characters")
    } else {
        None
    }
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sighting::PersonId;
    use acs_proto::ObjectId;

    fn door(camera: &str, ap: u32, direction: Direction) -> Door {
        Door {
            camera: camera.into(),
            acs: "hq".into(),
            access_point: AccessPointId(ap),
            direction,
        }
    }

    fn good() -> EngineConfig {
        EngineConfig {
            doors: vec![
                door("entrance", 1, Direction::In),
                door("entrance", 1, Direction::Out),
            ],
            identity: IdentityMode::Same,
            policy: Policy::default(),
        }
    }

    #[test]
    fn a_sane_config_validates() {
        assert_eq!(good().validate(), Ok(()));
        let mut t = MappingTable::new();
        t.insert(PersonId(1), ObjectId(2), None).expect("new");
        let cfg = EngineConfig {
            identity: IdentityMode::Table(t),
            ..good()
        };
        assert_eq!(cfg.validate(), Ok(()));
    }

    #[test]
    fn validate_reports_every_problem_at_once_naming_the_entry() {
        let mut cfg = good();
        cfg.doors.push(door("entrance", 2, Direction::In));
        cfg.doors.push(Door {
            camera: " ".into(),
            acs: "a\nb".into(),
            access_point: AccessPointId(3),
            direction: Direction::Unknown,
        });
        cfg.identity = IdentityMode::Table(MappingTable::new());
        cfg.policy = Policy {
            max_event_age: Duration::ZERO,
            clock_skew: Duration::from_secs(3600),
            cooldown: Duration::from_secs(100 * 3600),
            allow_lists: vec![1, 3],
            deny_lists: vec![3],
            min_score: Some(1.5),
            dedup_capacity: 0,
            cooldown_capacity: usize::MAX,
            unmapped_capacity: 10,
        };
        let problems = cfg.validate().expect_err("invalid");
        let entries: Vec<&str> = problems.iter().map(|p| p.entry.as_str()).collect();
        assert_eq!(
            entries,
            [
                "door[2]",
                "door[3].camera",
                "door[3].acs",
                "policy.max_event_age",
                "policy.clock_skew",
                "policy.cooldown",
                "policy.min_score",
                "policy.allow_lists",
                "policy.dedup_capacity",
                "policy.cooldown_capacity",
                "identity.table",
            ]
        );
        assert!(problems[0].to_string().contains("already door[0]"));
    }

    #[test]
    fn no_doors_and_nan_score_are_problems() {
        let mut cfg = good();
        cfg.doors.clear();
        cfg.policy.min_score = Some(f32::NAN);
        let problems = cfg.validate().expect_err("invalid");
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].entry, "door");
        assert_eq!(problems[1].entry, "policy.min_score");
    }
}
