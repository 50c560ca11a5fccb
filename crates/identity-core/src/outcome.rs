//! The stable outcome strings of SPEC §2: one per journal record.

use std::fmt;
use std::str::FromStr;

/// How a sighting ended. The strings (`as_str`) are a stable external contract: the journal,
/// metrics and `facegate journal --outcome` use them.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The ACS answered OK.
    Granted,
    /// The ACS answered `ERROR n`.
    DeniedByAcs,
    /// Written, no reply before the deadline: result unknown, never re-sent.
    AcsTimeout,
    /// No logged-in link before the deadline; nothing was sent.
    AcsUnavailable,
    /// The deadline passed while waiting in a queue; nothing was sent.
    Expired,
    /// Event time older than `policy.max_event_age`.
    Stale,
    /// Event time ahead of now by more than `policy.clock_skew`.
    Future,
    /// The same event delivered again.
    Duplicate,
    /// Same person, door and direction granted within `policy.cooldown`.
    Cooldown,
    /// No door configured for this camera.
    UnknownCamera,
    /// No ACS object for this person.
    UnmappedPerson,
    /// The person's list is not in a non-empty `policy.allow_lists` (or the list is unknown).
    NotAllowedList,
    /// The person's list is in `policy.deny_lists`.
    DeniedList,
    /// Match score below `policy.min_score`.
    LowScore,
    /// Not a request to pass (a `leave` action, a vehicle, …).
    Ignored,
    /// Would have sent, but the bridge runs dry.
    DryRun,
}

impl Outcome {
    /// Every outcome, in SPEC order.
    pub const ALL: [Outcome; 16] = [
        Outcome::Granted,
        Outcome::DeniedByAcs,
        Outcome::AcsTimeout,
        Outcome::AcsUnavailable,
        Outcome::Expired,
        Outcome::Stale,
        Outcome::Future,
        Outcome::Duplicate,
        Outcome::Cooldown,
        Outcome::UnknownCamera,
        Outcome::UnmappedPerson,
        Outcome::NotAllowedList,
        Outcome::DeniedList,
        Outcome::LowScore,
        Outcome::Ignored,
        Outcome::DryRun,
    ];

    /// The stable string.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::DeniedByAcs => "denied_by_acs",
            Outcome::AcsTimeout => "acs_timeout",
            Outcome::AcsUnavailable => "acs_unavailable",
            Outcome::Expired => "expired",
            Outcome::Stale => "stale",
            Outcome::Future => "future",
            Outcome::Duplicate => "duplicate",
            Outcome::Cooldown => "cooldown",
            Outcome::UnknownCamera => "unknown_camera",
            Outcome::UnmappedPerson => "unmapped_person",
            Outcome::NotAllowedList => "not_allowed_list",
            Outcome::DeniedList => "denied_list",
            Outcome::LowScore => "low_score",
            Outcome::Ignored => "ignored",
            Outcome::DryRun => "dry_run",
        }
    }

    /// Whether an `ALLOWPASS` was written to the ACS for this outcome (the SPEC §2 table):
    /// true only for `granted`, `denied_by_acs` and `acs_timeout`.
    pub fn sent_allowpass(self) -> bool {
        matches!(
            self,
            Outcome::Granted | Outcome::DeniedByAcs | Outcome::AcsTimeout
        )
    }

    /// Whether settling an [`Allow`](crate::Allow) with this outcome releases its cooldown:
    /// only when the command provably never left (`acs_unavailable`, `expired`).
    pub fn releases_cooldown(self) -> bool {
        matches!(self, Outcome::AcsUnavailable | Outcome::Expired)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string was not one of the SPEC §2 outcome names.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("unknown outcome {0:?} (expected one of granted, denied_by_acs, acs_timeout, acs_unavailable, expired, stale, future, duplicate, cooldown, unknown_camera, unmapped_person, not_allowed_list, denied_list, low_score, ignored, dry_run)")]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownOutcome(s.chars().take(64).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_round_trips_through_its_string() {
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>(), Ok(o));
            assert_eq!(o.to_string(), o.as_str());
        }
        assert!("GRANTED".parse::<Outcome>().is_err());
        assert!("".parse::<Outcome>().is_err());
    }

    #[test]
    fn only_granted_denied_and_timeout_sent_an_allowpass() {
        let sent: Vec<_> = Outcome::ALL
            .into_iter()
            .filter(|o| o.sent_allowpass())
            .collect();
        assert_eq!(
            sent,
            [Outcome::Granted, Outcome::DeniedByAcs, Outcome::AcsTimeout]
        );
    }

    #[test]
    fn outcome_strings_are_unique() {
        let mut names: Vec<_> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Outcome::ALL.len());
    }
}
