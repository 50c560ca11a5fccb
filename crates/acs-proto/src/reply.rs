//! Replies: what the ACS answers to a command.

use crate::event::ClassicEvent;
use crate::types::{AccessPointId, ObjectId, Timestamp, ZoneId};

/// One reply line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Reply {
    /// `OK`
    Ok,
    /// `ERROR <code> <TEXT>`
    Error {
        /// The code.
        code: ErrorCode,
        /// The text after the code, as sent (may be empty).
        text: String,
    },
    /// `APLIST 1 2 3` or `APLIST EMPTY` (an empty vector).
    ApList(Vec<AccessPointId>),
    /// `APINFO ID … NAME "…" ZONEA … ZONEB … STATE … <door>`
    ApInfo(ApInfo),
    /// `ZONEINFO ID 1 NAME "A", ID 2 NAME "B"`
    ZoneInfo(Vec<Zone>),
    /// `OBJECTINFO <item>, <item>, …`
    ObjectInfo(Vec<ObjectInfo>),
    /// `LOCATION OBJECT <id> ZONE <zone> ACTTIME "<ts>"`
    Location(Location),
    /// `HISTORY <event>, <event>, …` (bare `HISTORY` when empty).
    History(Vec<ClassicEvent>),
}

/// Every error code of the OIF 1.8 table, plus `Other` for codes it does not list.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ErrorCode {
    /// 1 UNABLE TO CONNECT TO DB
    UnableToConnectToDb,
    /// 2 UNKNOWN COMMAND
    UnknownCommand,
    /// 3 UNSUPPORTED INTERFACE VERSION
    UnsupportedInterfaceVersion,
    /// 4 NOT LOGGED IN
    NotLoggedIn,
    /// 5 GENERIC SQL ERROR
    GenericSqlError,
    /// 6 SYNTAX ERROR
    SyntaxError,
    /// 7 UNKNOWN OBJECT
    UnknownObject,
    /// 8 INTERNAL ERROR
    InternalError,
    /// 9 CONCURRENT TRANSACTION IS IN PROGRESS
    ConcurrentTransaction,
    /// 10 UNKNOWN ACCESS POINT
    UnknownAccessPoint,
    /// 11 AUTHENTICATION FAILED
    AuthenticationFailed,
    /// 12 DELEGATION IS DISABLED
    DelegationDisabled,
    /// 13 DELEGATION IS NOT ACTIVE
    DelegationNotActive,
    /// 14 NOT SUBSCRIBED
    NotSubscribed,
    /// 15 ALREADY SUBSCRIBED
    AlreadySubscribed,
    /// 16 SPECIFIED KEY ALREADY IN USE
    KeyAlreadyInUse,
    /// 17 SPECIFIED RULE DOESN'T EXIST
    RuleDoesNotExist,
    /// 18 SPECIFIED KEY DOESN'T EXIST
    KeyDoesNotExist,
    /// 19 UNKNOWN VIDEO CHANNEL
    UnknownVideoChannel,
    /// 20 UNKNOWN ALARM LINE
    UnknownAlarmLine,
    /// 21 OIF ACCESS IS DISABLED FOR THIS USER
    OifAccessDisabled,
    /// 22 VIDEO IS NOT AVAILABLE
    VideoNotAvailable,
    /// 23 STREAM IS NOT OPENED
    StreamNotOpened,
    /// 24 FACE RECOGNITION IS OFF
    FaceRecognitionOff,
    /// 25 ACCESS POLICY ERROR
    AccessPolicyError,
    /// 26 TIMED OUT
    TimedOut,
    /// 27 SOCKET BIND FAILED
    SocketBindFailed,
    /// 28 UNKNOWN ERROR
    UnknownError,
    /// 29 EXTMEM ERROR
    ExtmemError,
    /// A code not in the table.
    Other(u32),
}

/// Access point state of `APINFO`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ApState {
    /// `OFFLINE`
    Offline,
    /// `ONLINE_NORMAL`
    OnlineNormal,
    /// `ONLINE_LOCKED`
    OnlineLocked,
    /// `ONLINE_UNLOCKED`
    OnlineUnlocked,
}

/// Door state, the last token of `APINFO`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DoorState {
    /// `UNKNOWN`
    Unknown,
    /// `OPENED`
    Opened,
    /// `CLOSED`
    Closed,
}

/// The body of `APINFO`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ApInfo {
    /// Access point id.
    pub id: AccessPointId,
    /// Display name.
    pub name: String,
    /// Zone on side A.
    pub zone_a: ZoneId,
    /// Zone on side B.
    pub zone_b: ZoneId,
    /// Controller state.
    pub state: ApState,
    /// Door sensor state.
    pub door: DoorState,
}

/// One item of `ZONEINFO`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Zone {
    /// Zone id.
    pub id: ZoneId,
    /// Display name.
    pub name: String,
}

/// Object kind of `OBJECTINFO`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ObjectKind {
    /// `EMP` employee
    Employee,
    /// `GUEST`
    Guest,
    /// `GUESTBADGE`
    GuestBadge,
    /// `CAR`
    Car,
}

/// One item of `OBJECTINFO`. Optional fields are written only when present.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ObjectInfo {
    /// Kind.
    pub kind: ObjectKind,
    /// Object id.
    pub id: ObjectId,
    /// `NAME "…"`
    pub name: String,
    /// `POSITION "…"` (people).
    pub position: Option<String>,
    /// `TABNUMBER "…"` (people).
    pub tab_number: Option<String>,
    /// `NUMBER "…"` (cars).
    pub number: Option<String>,
    /// `MODEL "…"` (cars).
    pub model: Option<String>,
}

/// The body of `LOCATION`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    /// Object id.
    pub object: ObjectId,
    /// Zone the object is in.
    pub zone: ZoneId,
    /// When it got there.
    pub act_time: Timestamp,
}
