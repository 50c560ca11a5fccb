//! Asynchronous events (after `SUBSCRIBE`) and the classic event bodies of `HISTORY`.

use crate::types::{AccessPointId, Direction, ObjectId, Timestamp};

/// One event line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Event {
    /// `EVENT_CE "<ts>" <code> <ap> <obj> <dir-code> <key> ["<name>"]`
    Ce(CeEvent),
    /// `EVENT "<ts>" <KIND> …`
    Classic(ClassicEvent),
}

/// Direction code of `EVENT_CE`: 0 none, 1 OUT, 2 IN, 3 UNKNOWN; other values kept.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CeDirection {
    /// 0
    None,
    /// 1
    Out,
    /// 2
    In,
    /// 3
    Unknown,
    /// Any other code.
    Other(u32),
}

/// A credential key as written in events.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum KeyRef {
    /// `W26 <facility> <number>`
    W26 {
        /// Facility code.
        facility: u32,
        /// Card number.
        number: u32,
    },
    /// `W34 <8 hex digits>`
    W34(u32),
    /// `UNKNOWN`
    Unknown,
}

/// An `EVENT_CE` line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CeEvent {
    /// Event time.
    pub time: Timestamp,
    /// Event code (4 pass registered, 24 access granted, …).
    pub code: u32,
    /// Access point.
    pub ap: AccessPointId,
    /// Object; `None` for object id 0 ("no object").
    pub object: Option<ObjectId>,
    /// Direction code.
    pub direction: CeDirection,
    /// Key.
    pub key: KeyRef,
    /// Object name (with `SUBSCRIBE CE_WITH_NAMES` only).
    pub name: Option<String>,
}

/// A classic event: `EVENT "<ts>" <KIND> …`, also the items of `HISTORY`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ClassicEvent {
    /// Event time.
    pub time: Timestamp,
    /// What happened.
    pub kind: ClassicKind,
}

/// Reason of a classic `DENY`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DenyReason {
    /// `UNKNOWN`
    Unknown,
    /// `SYSTEM`
    System,
    /// `UNKNOWNKEY`
    UnknownKey,
    /// `RULEDENY`
    RuleDeny,
    /// `RULEDENYAP`
    RuleDenyAp,
    /// `RULEDENYTIME`
    RuleDenyTime,
}

/// The kinds of classic event.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ClassicKind {
    /// `OBJECTPASS <ap> <obj> <dir> <key>`
    ObjectPass {
        /// Access point.
        ap: AccessPointId,
        /// Object.
        object: ObjectId,
        /// Direction.
        direction: Direction,
        /// Key.
        key: KeyRef,
    },
    /// `DENY <ap> <obj> <dir> <reason> [<key>]`
    Deny {
        /// Access point.
        ap: AccessPointId,
        /// Object.
        object: ObjectId,
        /// Direction.
        direction: Direction,
        /// Reason.
        reason: DenyReason,
        /// Key, when given.
        key: Option<KeyRef>,
    },
    /// `BREAKINGPASS <ap> <dir>`
    BreakingPass {
        /// Access point.
        ap: AccessPointId,
        /// Direction.
        direction: Direction,
    },
    /// `FREEPASS <ap> <dir>`
    FreePass {
        /// Access point.
        ap: AccessPointId,
        /// Direction.
        direction: Direction,
    },
    /// `MANUALPASS <ap> <dir>`
    ManualPass {
        /// Access point.
        ap: AccessPointId,
        /// Direction.
        direction: Direction,
    },
    /// `OPENDOOR <ap> <obj> <dir> <key>`
    OpenDoor {
        /// Access point.
        ap: AccessPointId,
        /// Object.
        object: ObjectId,
        /// Direction.
        direction: Direction,
        /// Key.
        key: KeyRef,
    },
}
