//! Command lines.

use bytes::{BufMut, BytesMut};

use super::{quoted, sp_num, timestamp};
use crate::command::{ApMode, ApTargets, Command, ObjectQuery, SubscribeKind};
use crate::types::ObjectRef;

/// Writes a command without the line terminator.
pub(super) fn command(cmd: &Command, dst: &mut BytesMut) {
    match cmd {
        Command::Login {
            version,
            user,
            password,
        } => {
            dst.put_slice(b"LOGIN ");
            // Validated on construction: digits and dots only.
            dst.put_slice(version.as_str().as_bytes());
            dst.put_u8(b' ');
            quoted(user, dst);
            dst.put_u8(b' ');
            quoted(password.expose(), dst);
        }
        Command::AllowPass {
            ap,
            object,
            direction,
        } => {
            dst.put_slice(b"ALLOWPASS");
            sp_num(ap.0, dst);
            match object {
                ObjectRef::Id(id) => sp_num(id.0, dst),
                ObjectRef::Anonymous => dst.put_slice(b" ANONYMOUS"),
            }
            dst.put_u8(b' ');
            dst.put_slice(direction.as_str().as_bytes());
        }
        Command::GetApList => dst.put_slice(b"GETAPLIST"),
        Command::GetApInfo { ap } => {
            dst.put_slice(b"GETAPINFO");
            sp_num(ap.0, dst);
        }
        Command::GetZoneInfo => dst.put_slice(b"GETZONEINFO"),
        Command::GetObjectInfo(ObjectQuery::Id(id)) => {
            dst.put_slice(b"GETOBJECTINFO OBJECTID");
            sp_num(id.0, dst);
        }
        Command::GetObjectInfo(ObjectQuery::All) => dst.put_slice(b"GETOBJECTINFO ALL"),
        Command::GetLocation2 { object } => {
            dst.put_slice(b"GETLOCATION2");
            sp_num(object.0, dst);
        }
        Command::GetHistory { from, till } => {
            dst.put_slice(b"GETHISTORY FROM ");
            timestamp(from, dst);
            dst.put_slice(b" TILL ");
            timestamp(till, dst);
        }
        Command::SetApMode { mode, targets } => {
            dst.put_slice(b"SETAPMODE ");
            dst.put_slice(mode_str(*mode).as_bytes());
            match targets {
                ApTargets::All => dst.put_slice(b" ALL"),
                // An empty list is written with no targets at all: the server rejects that
                // line (`ERROR 6`) instead of it widening to every access point.
                ApTargets::List(ids) => ids.iter().for_each(|id| sp_num(id.0, dst)),
            }
        }
        Command::Subscribe(kind) => dst.put_slice(match kind {
            SubscribeKind::Classic => b"SUBSCRIBE".as_slice(),
            SubscribeKind::Ce => b"SUBSCRIBE CE",
            SubscribeKind::CeWithNames => b"SUBSCRIBE CE_WITH_NAMES",
        }),
        Command::Unsubscribe => dst.put_slice(b"UNSUBSCRIBE"),
        Command::Quit => dst.put_slice(b"QUIT"),
        Command::Exit => dst.put_slice(b"EXIT"),
    }
}

fn mode_str(mode: ApMode) -> &'static str {
    match mode {
        ApMode::Normal => "NORMAL",
        ApMode::Locked => "LOCKED",
        ApMode::Unlocked => "UNLOCKED",
    }
}
