//! Malformed lines give errors (with a position and what was expected), never panics, and
//! errors never echo the line.

use acs_proto::parse::{parse_command, parse_server_line};

#[test]
fn malformed_server_lines_are_errors() {
    let bad: &[&str] = &[
        "",
        "   ",
        "OKAY",
        "OK extra",
        "ERROR",
        "ERROR x TEXT",
        "ERROR 99999999999 TOO BIG",
        "APLIST 1 x",
        "APINFO ID 1 NAME Main ZONEA 1 ZONEB 2 STATE ONLINE_NORMAL CLOSED",
        "APINFO ID 1 NAME \"Main\" ZONEA 1 ZONEB 2 STATE BROKEN CLOSED",
        "APINFO ID 1 NAME \"unterminated ZONEA 1",
        "ZONEINFO ID 1 NAME \"A\",",
        "ZONEINFO ID 1 NAME \"A\" ID 2",
        "OBJECTINFO ROBOT ID 1 NAME \"R\"",
        "OBJECTINFO EMP ID 1 NAME \"A\" POSITION",
        "LOCATION OBJECT 1 ZONE 2 ACTTIME \"2025-13-01 00:00:00\"",
        "LOCATION OBJECT 1 ZONE 2 ACTTIME \"2025-01-01T00:00:00\"",
        "HISTORY \"2025-01-27 11:23:08\" JUMP 1 IN",
        "HISTORY \"2025-01-27 11:23:08\" FREEPASS 1 IN,",
        "EVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 W26 249",
        "EVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 W34 123456789",
        "EVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 UNKNOWN name",
        "EVENT \"2025-01-27 11:23:08\" DENY 1 6 IN MAYBE",
        "EVENT",
        "WHATEVER 1 2 3",
        "ZONEINFO ID 1 NAME \"#FF\"",
        "\"quoted first\"",
    ];
    for line in bad {
        let r = parse_server_line(line.as_bytes());
        assert!(r.is_err(), "{line:?} parsed as {r:?}");
    }
}

#[test]
fn malformed_commands_are_errors() {
    let bad: &[&str] = &[
        "",
        "LOGIN",
        "LOGIN 1.8 admin",
        "LOGIN one admin pw",
        "LOGIN 1.8 \"admin\" \"unterminated",
        "ALLOWPASS",
        "ALLOWPASS 1 6",
        "ALLOWPASS 1 6 SIDEWAYS",
        "ALLOWPASS 1 -6 IN",
        "ALLOWPASS 1 6 IN extra",
        "GETAPINFO",
        "GETOBJECTINFO 6",
        "GETHISTORY FROM \"2025-01-27 00:00:00\"",
        "SETAPMODE FAST 1",
        "SETAPMODE NORMAL",
        "SUBSCRIBE EVERYTHING",
        "GETAPLIST now",
        "FLY 1",
    ];
    for line in bad {
        let r = parse_command(line.as_bytes());
        assert!(r.is_err(), "{line:?} parsed as {r:?}");
    }
}

#[test]
fn the_error_names_the_position_and_what_was_expected() {
    let e = parse_command(b"ALLOWPASS 1 6 SIDEWAYS").expect_err("bad direction");
    assert_eq!(e.position(), 14);
    assert_eq!(e.expected(), "IN, OUT or UNKNOWN");
    assert_eq!(
        e.to_string(),
        "malformed OIF line: expected IN, OUT or UNKNOWN at byte 14"
    );
    let e = parse_server_line(b"APLIST 1 x").expect_err("bad id");
    assert_eq!(e.position(), 9);
    let e = parse_server_line(b"OK extra").expect_err("trailing");
    assert_eq!((e.position(), e.expected()), (3, "end of line"));
}

#[test]
fn a_malformed_login_error_never_contains_the_password() {
    for line in [
        "LOGIN 1.8 \"admin\" \"hunter2",
        "LOGIN 1.8 admin hunter2 extra",
        "LOGIN x admin hunter2",
        "LOGIN 1.8 admin \"hunter2#FF\"",
    ] {
        let e = parse_command(line.as_bytes()).expect_err("malformed");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn arbitrary_bytes_never_panic_the_parsers() {
    let mut seed = 0x1234_5678_u32;
    let alphabet = b"OKERROR APLIST EVENT_CE \"#0123456789ABCDEF,\t\r\xd1\x8e-:LOGIN W26 W34";
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let len = (seed % 40) as usize;
        let line: Vec<u8> = (0..len)
            .map(|k| alphabet[(seed.rotate_left(k as u32) as usize + k) % alphabet.len()])
            .collect();
        let _ = parse_server_line(&line);
        let _ = parse_command(&line);
    }
}
