//! Event lines and classic event bodies.

use bytes::{BufMut, BytesMut};

use super::{quoted, sp_num, timestamp};
use crate::event::{ClassicEvent, ClassicKind, DenyReason, Event, KeyRef};

/// Writes an event without the line terminator.
pub(super) fn event(ev: &Event, dst: &mut BytesMut) {
    match ev {
        Event::Ce(ce) => {
            dst.put_slice(b"EVENT_CE ");
            timestamp(&ce.time, dst);
            sp_num(ce.code, dst);
            sp_num(ce.ap.0, dst);
            // `None` is "no object", written 0 (so `Some(ObjectId(0))` reads back as `None`).
            sp_num(ce.object.map_or(0, |o| o.0), dst);
            sp_num(ce.direction.code(), dst);
            key(&ce.key, dst);
            if let Some(name) = &ce.name {
                dst.put_u8(b' ');
                quoted(name, dst);
            }
        }
        Event::Classic(c) => {
            dst.put_slice(b"EVENT ");
            classic_body(c, dst);
        }
    }
}

/// ` W26 <f> <n>`, ` W34 <8 hex>` or ` UNKNOWN` (with the leading space).
fn key(k: &KeyRef, dst: &mut BytesMut) {
    match k {
        KeyRef::W26 { facility, number } => {
            dst.put_slice(b" W26");
            sp_num(*facility, dst);
            sp_num(*number, dst);
        }
        KeyRef::W34(v) => {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            dst.put_slice(b" W34 ");
            for shift in (0..8).rev() {
                dst.put_u8(HEX[((v >> (shift * 4)) & 0xF) as usize]);
            }
        }
        KeyRef::Unknown => dst.put_slice(b" UNKNOWN"),
    }
}

/// `"<ts>" <KIND> …` — the part after `EVENT`, also a `HISTORY` item.
pub(super) fn classic_body(c: &ClassicEvent, dst: &mut BytesMut) {
    timestamp(&c.time, dst);
    let dir = |d: crate::Direction, dst: &mut BytesMut| {
        dst.put_u8(b' ');
        dst.put_slice(d.as_str().as_bytes());
    };
    match &c.kind {
        ClassicKind::ObjectPass {
            ap,
            object,
            direction,
            key: k,
        } => {
            dst.put_slice(b" OBJECTPASS");
            sp_num(ap.0, dst);
            sp_num(object.0, dst);
            dir(*direction, dst);
            key(k, dst);
        }
        ClassicKind::Deny {
            ap,
            object,
            direction,
            reason,
            key: k,
        } => {
            dst.put_slice(b" DENY");
            sp_num(ap.0, dst);
            sp_num(object.0, dst);
            dir(*direction, dst);
            dst.put_u8(b' ');
            dst.put_slice(deny_str(*reason).as_bytes());
            if let Some(k) = k {
                key(k, dst);
            }
        }
        ClassicKind::BreakingPass { ap, direction } => {
            dst.put_slice(b" BREAKINGPASS");
            sp_num(ap.0, dst);
            dir(*direction, dst);
        }
        ClassicKind::FreePass { ap, direction } => {
            dst.put_slice(b" FREEPASS");
            sp_num(ap.0, dst);
            dir(*direction, dst);
        }
        ClassicKind::ManualPass { ap, direction } => {
            dst.put_slice(b" MANUALPASS");
            sp_num(ap.0, dst);
            dir(*direction, dst);
        }
        ClassicKind::OpenDoor {
            ap,
            object,
            direction,
            key: k,
        } => {
            dst.put_slice(b" OPENDOOR");
            sp_num(ap.0, dst);
            sp_num(object.0, dst);
            dir(*direction, dst);
            key(k, dst);
        }
    }
}

fn deny_str(r: DenyReason) -> &'static str {
    match r {
        DenyReason::Unknown => "UNKNOWN",
        DenyReason::System => "SYSTEM",
        DenyReason::UnknownKey => "UNKNOWNKEY",
        DenyReason::RuleDeny => "RULEDENY",
        DenyReason::RuleDenyAp => "RULEDENYAP",
        DenyReason::RuleDenyTime => "RULEDENYTIME",
    }
}
