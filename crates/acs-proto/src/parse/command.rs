//! Command lines (client → server).

use nom::multi::separated_list1;
use nom::Parser;

use super::lexer::{fail, keyword, number, one_of, quoted_or_bare, timestamp, word, ws, Res};
use crate::command::{ApMode, ApTargets, Command, ObjectQuery, SubscribeKind};
use crate::types::{AccessPointId, Direction, ObjectId, ObjectRef, ProtocolVersion, Secret};

const DIRECTIONS: &[(&str, Direction)] = &[
    ("IN", Direction::In),
    ("OUT", Direction::Out),
    ("UNKNOWN", Direction::Unknown),
];

const MODES: &[(&str, ApMode)] = &[
    ("NORMAL", ApMode::Normal),
    ("LOCKED", ApMode::Locked),
    ("UNLOCKED", ApMode::Unlocked),
];

/// `IN`, `OUT` or `UNKNOWN`.
pub(crate) fn direction(i: &[u8]) -> Res<'_, Direction> {
    one_of(DIRECTIONS, "IN, OUT or UNKNOWN")(i)
}

fn ap(i: &[u8]) -> Res<'_, AccessPointId> {
    number.map(AccessPointId).parse(i)
}

fn object_id(i: &[u8]) -> Res<'_, ObjectId> {
    number.map(ObjectId).parse(i)
}

/// One command line (without terminator and trailing blanks).
pub(super) fn command(i: &[u8]) -> Res<'_, Command> {
    let (rest, verb) = match word(i) {
        Ok(v) => v,
        Err(_) => return fail(ws(i), "a command"),
    };
    let is = |kw: &str| verb.eq_ignore_ascii_case(kw.as_bytes());
    if is("ALLOWPASS") {
        allow_pass(rest)
    } else if is("LOGIN") {
        login(rest)
    } else if is("GETAPLIST") {
        Ok((rest, Command::GetApList))
    } else if is("GETAPINFO") {
        ap.map(|ap| Command::GetApInfo { ap }).parse(rest)
    } else if is("GETZONEINFO") {
        Ok((rest, Command::GetZoneInfo))
    } else if is("GETOBJECTINFO") {
        object_query.map(Command::GetObjectInfo).parse(rest)
    } else if is("GETLOCATION2") {
        object_id
            .map(|object| Command::GetLocation2 { object })
            .parse(rest)
    } else if is("GETHISTORY") {
        (keyword("FROM"), timestamp, keyword("TILL"), timestamp)
            .map(|(_, from, _, till)| Command::GetHistory { from, till })
            .parse(rest)
    } else if is("SETAPMODE") {
        set_ap_mode(rest)
    } else if is("SUBSCRIBE") {
        subscribe(rest)
    } else if is("UNSUBSCRIBE") {
        Ok((rest, Command::Unsubscribe))
    } else if is("QUIT") {
        Ok((rest, Command::Quit))
    } else if is("EXIT") {
        Ok((rest, Command::Exit))
    } else {
        fail(ws(i), "a known command")
    }
}

/// `LOGIN <version> <user> <password>`; credentials quoted or bare.
fn login(i: &[u8]) -> Res<'_, Command> {
    let (i, v) = quoted_or_bare(i)?;
    let Ok(version) = ProtocolVersion::new(&v) else {
        return fail(i, "a protocol version such as 1.8 before this point");
    };
    let (i, user) = quoted_or_bare(i)?;
    let (i, password) = quoted_or_bare(i)?;
    Ok((
        i,
        Command::Login {
            version,
            user,
            password: Secret::new(password),
        },
    ))
}

/// `<ap> <obj|ANONYMOUS> <IN|OUT|UNKNOWN>`
fn allow_pass(i: &[u8]) -> Res<'_, Command> {
    let (i, ap) = ap(i)?;
    let (i, object) = match word(i) {
        Ok((rest, w)) if w.eq_ignore_ascii_case(b"ANONYMOUS") => (rest, ObjectRef::Anonymous),
        _ => match object_id(i) {
            Ok((rest, id)) => (rest, ObjectRef::Id(id)),
            Err(_) => return fail(ws(i), "an object id or ANONYMOUS"),
        },
    };
    let (i, direction) = direction(i)?;
    Ok((
        i,
        Command::AllowPass {
            ap,
            object,
            direction,
        },
    ))
}

/// `OBJECTID <id>` or `ALL`
fn object_query(i: &[u8]) -> Res<'_, ObjectQuery> {
    if let Ok((rest, ())) = keyword("ALL")(i) {
        return Ok((rest, ObjectQuery::All));
    }
    match keyword("OBJECTID")(i) {
        Ok((rest, ())) => object_id.map(ObjectQuery::Id).parse(rest),
        Err(_) => fail(ws(i), "OBJECTID or ALL"),
    }
}

/// `<mode> ALL` or `<mode> <ap> [<ap>…]` (ids separated by blanks or commas).
fn set_ap_mode(i: &[u8]) -> Res<'_, Command> {
    let (i, mode) = one_of(MODES, "NORMAL, LOCKED or UNLOCKED")(i)?;
    if let Ok((rest, ())) = keyword("ALL")(i) {
        return Ok((
            rest,
            Command::SetApMode {
                mode,
                targets: ApTargets::All,
            },
        ));
    }
    let sep = |i| -> Res<'_, ()> {
        let j = ws(i);
        Ok((j.strip_prefix(b",").unwrap_or(j), ()))
    };
    let (i, ids) = match separated_list1(sep, ap).parse(i) {
        Ok(v) => v,
        Err(_) => return fail(ws(i), "ALL or an access point id"),
    };
    Ok((
        i,
        Command::SetApMode {
            mode,
            targets: ApTargets::List(ids),
        },
    ))
}

/// `SUBSCRIBE [CE|CE_WITH_NAMES]`
fn subscribe(i: &[u8]) -> Res<'_, Command> {
    if ws(i).is_empty() {
        return Ok((i, Command::Subscribe(SubscribeKind::Classic)));
    }
    one_of(
        &[
            ("CE", SubscribeKind::Ce),
            ("CE_WITH_NAMES", SubscribeKind::CeWithNames),
        ],
        "CE, CE_WITH_NAMES or end of line",
    )
    .map(Command::Subscribe)
    .parse(i)
}
