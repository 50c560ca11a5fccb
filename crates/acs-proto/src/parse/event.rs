//! Event lines (`EVENT_CE …`, classic `EVENT …`) and classic event bodies (`HISTORY` items).

use nom::Parser;

use super::command::direction;
use super::lexer::{
    at_item_end, fail, hex_u32, keyword, number, one_of, quoted, timestamp, word, ws, Res,
};
use crate::event::{CeDirection, CeEvent, ClassicEvent, ClassicKind, DenyReason, Event, KeyRef};
use crate::types::{AccessPointId, ObjectId};

const DENY_REASONS: &[(&str, DenyReason)] = &[
    ("UNKNOWN", DenyReason::Unknown),
    ("SYSTEM", DenyReason::System),
    ("UNKNOWNKEY", DenyReason::UnknownKey),
    ("RULEDENY", DenyReason::RuleDeny),
    ("RULEDENYAP", DenyReason::RuleDenyAp),
    ("RULEDENYTIME", DenyReason::RuleDenyTime),
];

fn ap(i: &[u8]) -> Res<'_, AccessPointId> {
    number.map(AccessPointId).parse(i)
}

fn object_id(i: &[u8]) -> Res<'_, ObjectId> {
    number.map(ObjectId).parse(i)
}

/// A whole event line.
pub(super) fn event(i: &[u8]) -> Res<'_, Event> {
    if let Ok((rest, ())) = keyword("EVENT_CE")(i) {
        return ce_body.map(Event::Ce).parse(rest);
    }
    match keyword("EVENT")(i) {
        Ok((rest, ())) => classic_body.map(Event::Classic).parse(rest),
        Err(_) => fail(ws(i), "EVENT or EVENT_CE"),
    }
}

/// `"<ts>" <code> <ap> <obj> <dir-code> <key> ["<name>"]`
fn ce_body(i: &[u8]) -> Res<'_, CeEvent> {
    let (i, (time, code, ap, obj, dir, key)) =
        (timestamp, number, ap, number, number, key).parse(i)?;
    let (i, name) = if ws(i).is_empty() {
        (i, None)
    } else {
        let (i, n) = quoted(i)?;
        (i, Some(n))
    };
    Ok((
        i,
        CeEvent {
            time,
            code,
            ap,
            object: (obj != 0).then_some(ObjectId(obj)),
            direction: CeDirection::from_code(dir),
            key,
            name,
        },
    ))
}

/// `W26 <facility> <number>`, `W34 <hex>` or `UNKNOWN`.
pub(super) fn key(i: &[u8]) -> Res<'_, KeyRef> {
    let Ok((rest, w)) = word(i) else {
        return fail(ws(i), "a key (W26, W34 or UNKNOWN)");
    };
    if w.eq_ignore_ascii_case(b"W26") {
        (number, number)
            .map(|(facility, number)| KeyRef::W26 { facility, number })
            .parse(rest)
    } else if w.eq_ignore_ascii_case(b"W34") {
        hex_u32.map(KeyRef::W34).parse(rest)
    } else if w.eq_ignore_ascii_case(b"UNKNOWN") {
        Ok((rest, KeyRef::Unknown))
    } else {
        fail(ws(i), "a key (W26, W34 or UNKNOWN)")
    }
}

/// A classic event body: `"<ts>" <KIND> …` (the part after `EVENT`; also a `HISTORY` item).
pub(super) fn classic_body(i: &[u8]) -> Res<'_, ClassicEvent> {
    let (after_ts, time) = timestamp(i)?;
    let Ok((i, kind_word)) = word(after_ts) else {
        return fail(ws(after_ts), "a classic event kind");
    };
    let is = |kw: &str| kind_word.eq_ignore_ascii_case(kw.as_bytes());
    let (i, kind) = if is("OBJECTPASS") {
        (ap, object_id, direction, key)
            .map(|(ap, object, direction, key)| ClassicKind::ObjectPass {
                ap,
                object,
                direction,
                key,
            })
            .parse(i)?
    } else if is("DENY") {
        let (i, (ap, object, direction)) = (ap, object_id, direction).parse(i)?;
        let (i, reason) = one_of(DENY_REASONS, "a DENY reason")(i)?;
        let (i, key) = if at_item_end(i) {
            (i, None)
        } else {
            key.map(Some).parse(i)?
        };
        (
            i,
            ClassicKind::Deny {
                ap,
                object,
                direction,
                reason,
                key,
            },
        )
    } else if is("BREAKINGPASS") {
        (ap, direction)
            .map(|(ap, direction)| ClassicKind::BreakingPass { ap, direction })
            .parse(i)?
    } else if is("FREEPASS") {
        (ap, direction)
            .map(|(ap, direction)| ClassicKind::FreePass { ap, direction })
            .parse(i)?
    } else if is("MANUALPASS") {
        (ap, direction)
            .map(|(ap, direction)| ClassicKind::ManualPass { ap, direction })
            .parse(i)?
    } else if is("OPENDOOR") {
        (ap, object_id, direction, key)
            .map(|(ap, object, direction, key)| ClassicKind::OpenDoor {
                ap,
                object,
                direction,
                key,
            })
            .parse(i)?
    } else {
        return fail(ws(after_ts), "a classic event kind");
    };
    Ok((i, ClassicEvent { time, kind }))
}
