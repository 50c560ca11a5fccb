//! Reply lines.

use bytes::{BufMut, BytesMut};

use super::event::classic_body;
use super::{needs_escape, quoted, sp_num, timestamp};
use crate::reply::{ApState, DoorState, ObjectInfo, ObjectKind, Reply};

/// Writes a reply without the line terminator.
pub(super) fn reply(r: &Reply, dst: &mut BytesMut) {
    match r {
        Reply::Ok => dst.put_slice(b"OK"),
        Reply::Error { code, text } => {
            dst.put_slice(b"ERROR");
            sp_num(code.code(), dst);
            if !text.is_empty() {
                dst.put_u8(b' ');
                error_text(text, dst);
            }
        }
        Reply::ApList(ids) => {
            dst.put_slice(b"APLIST");
            if ids.is_empty() {
                dst.put_slice(b" EMPTY");
            }
            ids.iter().for_each(|id| sp_num(id.0, dst));
        }
        Reply::ApInfo(info) => {
            dst.put_slice(b"APINFO ID");
            sp_num(info.id.0, dst);
            dst.put_slice(b" NAME ");
            quoted(&info.name, dst);
            dst.put_slice(b" ZONEA");
            sp_num(info.zone_a.0, dst);
            dst.put_slice(b" ZONEB");
            sp_num(info.zone_b.0, dst);
            dst.put_slice(b" STATE ");
            dst.put_slice(match info.state {
                ApState::Offline => b"OFFLINE".as_slice(),
                ApState::OnlineNormal => b"ONLINE_NORMAL",
                ApState::OnlineLocked => b"ONLINE_LOCKED",
                ApState::OnlineUnlocked => b"ONLINE_UNLOCKED",
            });
            dst.put_slice(match info.door {
                DoorState::Unknown => b" UNKNOWN".as_slice(),
                DoorState::Opened => b" OPENED",
                DoorState::Closed => b" CLOSED",
            });
        }
        Reply::ZoneInfo(zones) => {
            dst.put_slice(b"ZONEINFO");
            for (k, z) in zones.iter().enumerate() {
                dst.put_slice(if k == 0 { b" ID" } else { b", ID" });
                sp_num(z.id.0, dst);
                dst.put_slice(b" NAME ");
                quoted(&z.name, dst);
            }
        }
        Reply::ObjectInfo(items) => {
            dst.put_slice(b"OBJECTINFO");
            for (k, item) in items.iter().enumerate() {
                dst.put_slice(if k == 0 { b" " } else { b", " });
                object_info(item, dst);
            }
        }
        Reply::Location(loc) => {
            dst.put_slice(b"LOCATION OBJECT");
            sp_num(loc.object.0, dst);
            dst.put_slice(b" ZONE");
            sp_num(loc.zone.0, dst);
            dst.put_slice(b" ACTTIME ");
            timestamp(&loc.act_time, dst);
        }
        Reply::History(events) => {
            dst.put_slice(b"HISTORY");
            for (k, ev) in events.iter().enumerate() {
                dst.put_slice(if k == 0 { b" " } else { b", " });
                classic_body(ev, dst);
            }
        }
    }
}

/// Raw when the text reads back unchanged as "rest of line", else one quoted string.
fn error_text(text: &str, dst: &mut BytesMut) {
    let b = text.as_bytes();
    let raw_ok = !b.iter().any(|c| needs_escape(*c) && *c != b'#')
        && !matches!(b.first(), Some(b'"' | b' '))
        && b.last() != Some(&b' ');
    if raw_ok {
        dst.put_slice(b);
    } else {
        quoted(text, dst);
    }
}

fn object_info(o: &ObjectInfo, dst: &mut BytesMut) {
    dst.put_slice(match o.kind {
        ObjectKind::Employee => b"EMP".as_slice(),
        ObjectKind::Guest => b"GUEST",
        ObjectKind::GuestBadge => b"GUESTBADGE",
        ObjectKind::Car => b"CAR",
    });
    dst.put_slice(b" ID");
    sp_num(o.id.0, dst);
    dst.put_slice(b" NAME ");
    quoted(&o.name, dst);
    let fields = [
        (b" POSITION ".as_slice(), &o.position),
        (b" TABNUMBER ", &o.tab_number),
        (b" NUMBER ", &o.number),
        (b" MODEL ", &o.model),
    ];
    for (kw, value) in fields {
        if let Some(v) = value {
            dst.put_slice(kw);
            quoted(v, dst);
        }
    }
}
