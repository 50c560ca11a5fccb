//! Reply lines (server → client).

use nom::Parser;

use super::event::classic_body;
use super::lexer::{
    at_item_end, comma_list1, fail, keyword, number, one_of, quoted, timestamp, word, ws, Res,
};
use crate::reply::{
    ApInfo, ApState, DoorState, ErrorCode, Location, ObjectInfo, ObjectKind, Reply, Zone,
};
use crate::types::{AccessPointId, ObjectId, ZoneId};

const AP_STATES: &[(&str, ApState)] = &[
    ("OFFLINE", ApState::Offline),
    ("ONLINE_NORMAL", ApState::OnlineNormal),
    ("ONLINE_LOCKED", ApState::OnlineLocked),
    ("ONLINE_UNLOCKED", ApState::OnlineUnlocked),
];

const DOOR_STATES: &[(&str, DoorState)] = &[
    ("UNKNOWN", DoorState::Unknown),
    ("OPENED", DoorState::Opened),
    ("CLOSED", DoorState::Closed),
];

const OBJECT_KINDS: &[(&str, ObjectKind)] = &[
    ("EMP", ObjectKind::Employee),
    ("GUEST", ObjectKind::Guest),
    ("GUESTBADGE", ObjectKind::GuestBadge),
    ("CAR", ObjectKind::Car),
];

fn zone(i: &[u8]) -> Res<'_, ZoneId> {
    number.map(ZoneId).parse(i)
}

/// One reply line (without terminator and trailing blanks).
pub(super) fn reply(i: &[u8]) -> Res<'_, Reply> {
    let Ok((rest, verb)) = word(i) else {
        return fail(ws(i), "a reply");
    };
    let is = |kw: &str| verb.eq_ignore_ascii_case(kw.as_bytes());
    if is("OK") {
        Ok((rest, Reply::Ok))
    } else if is("ERROR") {
        error(rest)
    } else if is("APINFO") {
        ap_info.map(Reply::ApInfo).parse(rest)
    } else if is("APLIST") {
        ap_list(rest)
    } else if is("OBJECTINFO") {
        list_or_empty(rest, object_info).map(|(i, v)| (i, Reply::ObjectInfo(v)))
    } else if is("ZONEINFO") {
        list_or_empty(rest, zone_item).map(|(i, v)| (i, Reply::ZoneInfo(v)))
    } else if is("LOCATION") {
        location.map(Reply::Location).parse(rest)
    } else if is("HISTORY") {
        list_or_empty(rest, history_item).map(|(i, v)| (i, Reply::History(v)))
    } else {
        fail(ws(i), "a known reply")
    }
}

/// Nothing (empty list) or a comma-separated list of items.
fn list_or_empty<'a, T>(i: &'a [u8], item: fn(&'a [u8]) -> Res<'a, T>) -> Res<'a, Vec<T>> {
    if ws(i).is_empty() {
        Ok((i, Vec::new()))
    } else {
        comma_list1(item, i)
    }
}

/// `<code> [<text>]`: the text is the rest of the line, or one quoted string when it would
/// not survive raw (see the encoder).
fn error(i: &[u8]) -> Res<'_, Reply> {
    let (i, code) = number(i)?;
    let t = ws(i);
    let text = if t.first() == Some(&b'"') {
        match quoted(t) {
            Ok(([], s)) => s,
            _ => String::from_utf8_lossy(t).into_owned(),
        }
    } else {
        String::from_utf8_lossy(t).into_owned()
    };
    Ok((
        &t[t.len()..],
        Reply::Error {
            code: ErrorCode::from_code(code),
            text,
        },
    ))
}

/// `1 2 3`, `EMPTY` or nothing.
fn ap_list(i: &[u8]) -> Res<'_, Reply> {
    if let Ok((rest, ())) = keyword("EMPTY")(i) {
        return Ok((rest, Reply::ApList(Vec::new())));
    }
    let mut ids = Vec::new();
    let mut i = i;
    while !ws(i).is_empty() {
        let (rest, id) = number(i)?;
        ids.push(AccessPointId(id));
        // Tolerate comma-separated lists as well.
        i = super::lexer::comma(rest).map_or(rest, |(r, ())| r);
    }
    Ok((i, Reply::ApList(ids)))
}

/// `ID <ap> NAME "<name>" ZONEA <z> ZONEB <z> STATE <state> <door>`
fn ap_info(i: &[u8]) -> Res<'_, ApInfo> {
    let (i, (_, id, _, name, _, zone_a, _, zone_b, _, state, door)) = (
        keyword("ID"),
        number,
        keyword("NAME"),
        quoted,
        keyword("ZONEA"),
        zone,
        keyword("ZONEB"),
        zone,
        keyword("STATE"),
        one_of(AP_STATES, "an access point state"),
        one_of(DOOR_STATES, "UNKNOWN, OPENED or CLOSED"),
    )
        .parse(i)?;
    Ok((
        i,
        ApInfo {
            id: AccessPointId(id),
            name,
            zone_a,
            zone_b,
            state,
            door,
        },
    ))
}

/// `ID <z> NAME "<name>"`
fn zone_item(i: &[u8]) -> Res<'_, Zone> {
    (keyword("ID"), zone, keyword("NAME"), quoted)
        .map(|(_, id, _, name)| Zone { id, name })
        .parse(i)
}

/// `<KIND> ID <id> NAME "<name>" [POSITION "…"] [TABNUMBER "…"] [NUMBER "…"] [MODEL "…"]`
///
/// Optional fields may come in any order; unknown `WORD "<text>"` fields are skipped so a
/// newer server's extra attributes do not make the whole reply unreadable.
fn object_info(i: &[u8]) -> Res<'_, ObjectInfo> {
    let (mut i, (kind, _, id, _, name)) = (
        one_of(OBJECT_KINDS, "an object kind (EMP, GUEST, GUESTBADGE, CAR)"),
        keyword("ID"),
        number,
        keyword("NAME"),
        quoted,
    )
        .parse(i)?;
    let mut info = ObjectInfo {
        kind,
        id: ObjectId(id),
        name,
        position: None,
        tab_number: None,
        number: None,
        model: None,
    };
    while !at_item_end(i) {
        let Ok((rest, field)) = word(i) else {
            return fail(ws(i), "an object field, ',' or end of line");
        };
        let (rest, value) = quoted(rest)?;
        let is = |kw: &str| field.eq_ignore_ascii_case(kw.as_bytes());
        if is("POSITION") {
            info.position = Some(value);
        } else if is("TABNUMBER") {
            info.tab_number = Some(value);
        } else if is("NUMBER") {
            info.number = Some(value);
        } else if is("MODEL") {
            info.model = Some(value);
        }
        i = rest;
    }
    Ok((i, info))
}

/// `OBJECT <id> ZONE <z> ACTTIME "<ts>"`
fn location(i: &[u8]) -> Res<'_, Location> {
    (
        keyword("OBJECT"),
        number,
        keyword("ZONE"),
        zone,
        keyword("ACTTIME"),
        timestamp,
    )
        .map(|(_, object, _, zone, _, act_time)| Location {
            object: ObjectId(object),
            zone,
            act_time,
        })
        .parse(i)
}

/// A classic event body, optionally prefixed by `EVENT`.
fn history_item(i: &[u8]) -> Res<'_, crate::event::ClassicEvent> {
    let i = keyword("EVENT")(i).map_or(i, |(rest, ())| rest);
    classic_body(i)
}
