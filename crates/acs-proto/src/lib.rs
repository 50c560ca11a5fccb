//! acs-proto — sans-IO codec for the Sigur OIF 1.8 text protocol. (Doc completed with the codec.)

pub mod command;
pub mod event;
pub mod reply;
pub mod types;

pub use command::{ApMode, ApTargets, Command, ObjectQuery, SubscribeKind};
pub use event::{CeDirection, CeEvent, ClassicEvent, ClassicKind, DenyReason, Event, KeyRef};
pub use reply::{
    ApInfo, ApState, DoorState, ErrorCode, Location, ObjectInfo, ObjectKind, Reply, Zone,
};
pub use types::{
    AccessPointId, Direction, InvalidTimestamp, InvalidVersion, ObjectId, ObjectRef,
    ProtocolVersion, Secret, Timestamp, ZoneId,
};
