//! Commands: what a client sends to the ACS.

use crate::types::{
    AccessPointId, Direction, ObjectId, ObjectRef, ProtocolVersion, Secret, Timestamp,
};

/// One OIF command line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Command {
    /// `LOGIN <version> "<user>" "<password>"` — must come first.
    Login {
        /// Protocol version token, `1.8`.
        version: ProtocolVersion,
        /// User name (quoted and escaped on the wire).
        user: String,
        /// Password (quoted and escaped on the wire; redacted in `Debug`).
        password: Secret,
    },
    /// `ALLOWPASS <ap> <obj|ANONYMOUS> <IN|OUT|UNKNOWN>` — grants one pass; not idempotent.
    AllowPass {
        /// Access point.
        ap: AccessPointId,
        /// Object or `ANONYMOUS`.
        object: ObjectRef,
        /// Direction.
        direction: Direction,
    },
    /// `GETAPLIST`
    GetApList,
    /// `GETAPINFO <ap>`
    GetApInfo {
        /// Access point.
        ap: AccessPointId,
    },
    /// `GETZONEINFO`
    GetZoneInfo,
    /// `GETOBJECTINFO OBJECTID <id>` or `GETOBJECTINFO ALL`
    GetObjectInfo(ObjectQuery),
    /// `GETLOCATION2 <obj>`
    GetLocation2 {
        /// Object.
        object: ObjectId,
    },
    /// `GETHISTORY FROM "<ts>" TILL "<ts>"`
    GetHistory {
        /// Start of the period.
        from: Timestamp,
        /// End of the period.
        till: Timestamp,
    },
    /// `SETAPMODE <NORMAL|LOCKED|UNLOCKED> <ap> [<ap>…]` or `… ALL`
    SetApMode {
        /// The mode to set.
        mode: ApMode,
        /// Which access points.
        targets: ApTargets,
    },
    /// `SUBSCRIBE`, `SUBSCRIBE CE` or `SUBSCRIBE CE_WITH_NAMES`
    Subscribe(SubscribeKind),
    /// `UNSUBSCRIBE`
    Unsubscribe,
    /// `QUIT`
    Quit,
    /// `EXIT`
    Exit,
}

/// The argument of `GETOBJECTINFO`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjectQuery {
    /// `OBJECTID <id>`
    Id(ObjectId),
    /// `ALL`
    All,
}

/// Access point mode of `SETAPMODE`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ApMode {
    /// `NORMAL`
    Normal,
    /// `LOCKED`
    Locked,
    /// `UNLOCKED`
    Unlocked,
}

/// The targets of `SETAPMODE`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ApTargets {
    /// `ALL`
    All,
    /// One or more ids. Build it with [`ApTargets::list`], which rejects an empty list. An
    /// empty `List` is never widened to `ALL`: the encoder writes the command with no targets,
    /// which the server rejects (`ERROR 6`). Parsers never produce an empty list.
    List(Vec<AccessPointId>),
}

/// The flavour of `SUBSCRIBE`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SubscribeKind {
    /// Bare `SUBSCRIBE`: classic `EVENT` lines.
    Classic,
    /// `SUBSCRIBE CE`: `EVENT_CE` lines without names.
    Ce,
    /// `SUBSCRIBE CE_WITH_NAMES`: `EVENT_CE` lines with the object name.
    CeWithNames,
}
