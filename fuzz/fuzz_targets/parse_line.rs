//! Fuzz both line parsers: they must never panic, and whatever parses must survive an
//! encode → parse round trip as exactly one line.
#![no_main]

use acs_proto::encode::{encode_command, encode_server_line};
use acs_proto::parse::{parse_command, parse_server_line};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;

fn one_line(buf: &[u8]) -> &[u8] {
    assert!(buf.ends_with(b"\r\n"));
    assert_eq!(buf.iter().filter(|b| **b == b'\n').count(), 1);
    &buf[..buf.len() - 2]
}

fuzz_target!(|line: &[u8]| {
    if let Ok(msg) = parse_server_line(line) {
        let mut buf = BytesMut::new();
        encode_server_line(&msg, &mut buf);
        let again = parse_server_line(one_line(&buf)).expect("re-encoded line parses");
        assert_eq!(again, msg);
    }
    if let Ok(cmd) = parse_command(line) {
        let mut buf = BytesMut::new();
        encode_command(&cmd, &mut buf);
        let again = parse_command(one_line(&buf)).expect("re-encoded command parses");
        assert_eq!(again, cmd);
    }
});
