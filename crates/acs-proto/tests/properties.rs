//! Property tests: encode→parse round trips, one message = one line, and split-invariant
//! decoding.

mod strategies;

use acs_proto::encode::{encode_command, encode_server_line};
use acs_proto::parse::{parse_command, parse_server_line};
use acs_proto::{ClientCodec, ClientInbound, ServerCodec, ServerInbound, ServerLine};
use bytes::BytesMut;
use proptest::collection::vec;
use proptest::prelude::*;
use strategies::{command, server_line};
use tokio_util::codec::Decoder;

/// Exactly one `\n`, at the end, preceded by the only `\r`; no NUL anywhere.
fn assert_one_line(bytes: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(bytes.ends_with(b"\r\n"), "no CRLF at the end: {bytes:?}");
    prop_assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 1);
    prop_assert_eq!(bytes.iter().filter(|b| **b == b'\r').count(), 1);
    prop_assert!(!bytes.contains(&0));
    Ok(())
}

/// Decodes `input` fed in pieces ending at the sorted `cuts`, then EOF.
fn decode_split<D: Decoder<Error = std::io::Error>>(
    mut codec: D,
    input: &[u8],
    cuts: &[usize],
) -> Vec<D::Item> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain(std::iter::once(input.len())) {
        buf.extend_from_slice(&input[start..cut]);
        start = cut;
        while let Some(item) = codec.decode(&mut buf).expect("decode never errors") {
            out.push(item);
        }
    }
    while let Some(item) = codec.decode_eof(&mut buf).expect("decode_eof never errors") {
        out.push(item);
    }
    out
}

/// Raw bytes biased towards line structure and protocol tokens.
fn raw_stream() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => vec(any::<u8>(), 0..12),
        2 => prop::sample::select(vec![
            &b"\n"[..], b"\r\n", b"\r", b"OK", b"ERROR 7 X", b"EVENT_CE ", b"\"", b"#0D", b" ",
            b"LOGIN 1.8 a b", b"ALLOWPASS 1 6 IN", b"APLIST EMPTY",
        ])
        .prop_map(|s| s.to_vec()),
    ];
    vec(piece, 0..30).prop_map(|ps| ps.concat())
}

proptest! {
    #[test]
    fn every_command_round_trips_and_is_one_line(cmd in command()) {
        let mut buf = BytesMut::new();
        encode_command(&cmd, &mut buf);
        assert_one_line(&buf)?;
        // The parser tolerates the CR: strip only the LF.
        prop_assert_eq!(parse_command(&buf[..buf.len() - 1]), Ok(cmd));
    }

    #[test]
    fn every_reply_and_event_round_trips_and_is_one_line(line in server_line()) {
        let mut buf = BytesMut::new();
        encode_server_line(&line, &mut buf);
        assert_one_line(&buf)?;
        prop_assert_eq!(parse_server_line(&buf[..buf.len() - 2]), Ok(line));
    }

    #[test]
    fn a_client_stream_decodes_to_the_encoded_messages_however_it_is_split(
        lines in vec(server_line(), 0..8),
        cuts in vec(any::<usize>(), 0..12),
    ) {
        let mut stream = BytesMut::new();
        for l in &lines {
            encode_server_line(l, &mut stream);
        }
        let want: Vec<ClientInbound> = lines
            .into_iter()
            .map(|l| match l {
                ServerLine::Reply(r) => ClientInbound::Reply(r),
                ServerLine::Event(e) => ClientInbound::Event(e),
            })
            .collect();
        prop_assert_eq!(decode_split(ClientCodec::new(), &stream, &cuts), want);
    }

    #[test]
    fn a_server_stream_decodes_to_the_encoded_commands_however_it_is_split(
        cmds in vec(command(), 0..8),
        cuts in vec(any::<usize>(), 0..12),
    ) {
        let mut stream = BytesMut::new();
        for c in &cmds {
            encode_command(c, &mut stream);
        }
        let want: Vec<ServerInbound> = cmds.into_iter().map(ServerInbound::Command).collect();
        prop_assert_eq!(decode_split(ServerCodec::new(), &stream, &cuts), want);
    }

    #[test]
    fn any_byte_stream_decodes_the_same_whole_or_split(
        input in raw_stream(),
        cuts in vec(any::<usize>(), 0..16),
        max_line in 1usize..40,
    ) {
        let whole = decode_split(ClientCodec::with_max_line(max_line), &input, &[]);
        let split = decode_split(ClientCodec::with_max_line(max_line), &input, &cuts);
        prop_assert_eq!(whole, split);
        let whole = decode_split(ServerCodec::with_max_line(max_line), &input, &[]);
        let split = decode_split(ServerCodec::with_max_line(max_line), &input, &cuts);
        prop_assert_eq!(whole, split);
    }
}
