//! What the engine answers: ask the ACS for a pass, or a rejection with its SPEC outcome.

use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef};

use crate::outcome::Outcome;
use crate::state::cooldown::CooldownKey;
use crate::time::UnixMillis;

/// The door a decision is about (for the journal's `acs`, `access_point`, `direction`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DoorRef {
    /// The `[[acs]]` name.
    pub acs: String,
    /// The access point.
    pub access_point: AccessPointId,
    /// The direction.
    pub direction: Direction,
}

/// Send `ALLOWPASS <access_point> <object> <direction>` to `acs` before `deadline`.
///
/// The cooldown for `key` is already taken; report what happened with
/// [`Engine::settle`](crate::Engine::settle).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Allow {
    /// The `[[acs]]` name.
    pub acs: String,
    /// The access point.
    pub access_point: AccessPointId,
    /// The object asked to pass (always an id; the engine never asks for `ANONYMOUS`).
    pub object: ObjectRef,
    /// The direction.
    pub direction: Direction,
    /// `event_time + max_event_age`: after this the command must not be written.
    pub deadline: UnixMillis,
    /// The cooldown this grant holds.
    pub key: CooldownKey,
    /// Engine time at which the grant was taken.
    pub granted_at: UnixMillis,
    /// Identifies this grant, so settling it never releases a later one.
    pub ticket: u64,
}

/// Not asking the ACS, and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rejection {
    /// The SPEC §2 outcome.
    pub outcome: Outcome,
    /// A short human explanation (numbers and config names only, no payload text).
    pub detail: String,
    /// The door, when the camera matched one.
    pub door: Option<DoorRef>,
    /// The ACS object, when identity was resolved before the rejection (cooldown).
    pub object: Option<ObjectId>,
}

/// One decision per (sighting, door): see [`Engine::decide_all`](crate::Engine::decide_all).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decision {
    /// Ask the ACS.
    Allow(Allow),
    /// Do not.
    Reject(Rejection),
}

impl Decision {
    /// The grant, if this is one.
    pub fn as_allow(&self) -> Option<&Allow> {
        match self {
            Decision::Allow(a) => Some(a),
            Decision::Reject(_) => None,
        }
    }

    /// Whether this is an `Allow`.
    pub fn is_allow(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }

    /// The rejection outcome; `None` for an `Allow` (its outcome comes from the ACS).
    pub fn rejected(&self) -> Option<Outcome> {
        match self {
            Decision::Allow(_) => None,
            Decision::Reject(r) => Some(r.outcome),
        }
    }

    /// The door this decision is about.
    pub fn door(&self) -> Option<DoorRef> {
        match self {
            Decision::Allow(a) => Some(DoorRef {
                acs: a.acs.clone(),
                access_point: a.access_point,
                direction: a.direction,
            }),
            Decision::Reject(r) => r.door.clone(),
        }
    }
}
