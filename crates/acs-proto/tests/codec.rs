//! The tokio-util codecs on `BytesMut`: split reads, CRLF/LF, over-long lines, malformed items.

use acs_proto::{
    AccessPointId, ClientCodec, ClientInbound, Command, Direction, ErrorCode, ObjectId, ObjectRef,
    Reply, ServerCodec, ServerInbound,
};
use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

/// Feeds `input` in pieces cut at `cuts`, then signals EOF; collects every item.
fn decode_chunks<D: Decoder>(mut codec: D, input: &[u8], cuts: &[usize]) -> Vec<D::Item>
where
    D::Error: std::fmt::Debug,
{
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
        buf.extend_from_slice(&input[start..cut]);
        start = cut;
        while let Some(item) = codec.decode(&mut buf).expect("decode never errors") {
            items.push(item);
        }
    }
    while let Some(item) = codec.decode_eof(&mut buf).expect("decode_eof never errors") {
        items.push(item);
    }
    items
}

const SERVER_BYTES: &[u8] = b"OK\r\nERROR 7 UNKNOWN OBJECT\n\r\n\nEVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 W26 249 29323 \"#D1#8E#D1#80\"\r\nAPLIST EMPTY\n";

#[test]
fn client_decoding_is_identical_at_every_split_point() {
    let whole = decode_chunks(ClientCodec::new(), SERVER_BYTES, &[]);
    assert_eq!(whole.len(), 4);
    assert_eq!(whole[0], ClientInbound::Reply(Reply::Ok));
    assert_eq!(
        whole[1],
        ClientInbound::Reply(Reply::error(ErrorCode::UnknownObject))
    );
    match &whole[2] {
        ClientInbound::Event(acs_proto::Event::Ce(ce)) => {
            assert_eq!(ce.name.as_deref(), Some("юр"))
        }
        other => panic!("expected an event, got {other:?}"),
    }
    assert_eq!(whole[3], ClientInbound::Reply(Reply::ApList(vec![])));
    for cut in 0..=SERVER_BYTES.len() {
        assert_eq!(
            decode_chunks(ClientCodec::new(), SERVER_BYTES, &[cut]),
            whole,
            "cut at {cut}"
        );
    }
    let every_byte: Vec<usize> = (1..SERVER_BYTES.len()).collect();
    assert_eq!(
        decode_chunks(ClientCodec::new(), SERVER_BYTES, &every_byte),
        whole
    );
}

#[test]
fn server_accepts_crlf_bare_lf_and_unquoted_login() {
    let input = b"LOGIN 1.8 admin secret\nALLOWPASS 1 6 IN\r\nEXIT";
    let items = decode_chunks(ServerCodec::new(), input, &[]);
    assert_eq!(items.len(), 3);
    assert!(
        matches!(&items[0], ServerInbound::Command(Command::Login { user, password, .. })
        if user == "admin" && password.expose() == "secret")
    );
    assert_eq!(
        items[1],
        ServerInbound::Command(Command::AllowPass {
            ap: AccessPointId(1),
            object: ObjectRef::Id(ObjectId(6)),
            direction: Direction::In
        })
    );
    // The last line had no terminator: decode_eof still yields it.
    assert_eq!(items[2], ServerInbound::Command(Command::Exit));
}

#[test]
fn an_overlong_line_is_reported_once_and_decoding_resyncs() {
    let long = "x".repeat(100);
    let input = format!("OK\n{long}\r\nERROR 4 NOT LOGGED IN\r\n");
    let expected = vec![
        ClientInbound::Reply(Reply::Ok),
        ClientInbound::Overlong { len: 101 },
        ClientInbound::Reply(Reply::error(ErrorCode::NotLoggedIn)),
    ];
    for cut in 0..=input.len() {
        assert_eq!(
            decode_chunks(ClientCodec::with_max_line(32), input.as_bytes(), &[cut]),
            expected,
            "cut at {cut}"
        );
    }
    let every_byte: Vec<usize> = (1..input.len()).collect();
    assert_eq!(
        decode_chunks(
            ClientCodec::with_max_line(32),
            input.as_bytes(),
            &every_byte
        ),
        expected
    );
}

#[test]
fn an_overlong_line_does_not_stay_buffered() {
    let mut codec = ServerCodec::with_max_line(16);
    let mut buf = BytesMut::new();
    for _ in 0..100 {
        buf.extend_from_slice(&[b'a'; 1000]);
        assert_eq!(codec.decode(&mut buf).expect("no io error"), None);
        assert!(buf.len() <= 1000, "buffer grew to {}", buf.len());
    }
    buf.extend_from_slice(b"\nQUIT\n");
    assert_eq!(
        codec.decode(&mut buf).expect("no io error"),
        Some(ServerInbound::Overlong { len: 100_000 })
    );
    assert_eq!(
        codec.decode(&mut buf).expect("no io error"),
        Some(ServerInbound::Command(Command::Quit))
    );
}

#[test]
fn a_line_exactly_at_the_limit_is_accepted_with_either_terminator() {
    let input = b"OK\nOK\r\nOKK\r\nOKK\nOK";
    let expected = vec![
        ClientInbound::Reply(Reply::Ok),
        ClientInbound::Reply(Reply::Ok),
        ClientInbound::Overlong { len: 4 },
        ClientInbound::Overlong { len: 3 },
        ClientInbound::Reply(Reply::Ok),
    ];
    for cut in 0..=input.len() {
        assert_eq!(
            decode_chunks(ClientCodec::with_max_line(2), input, &[cut]),
            expected,
            "cut at {cut}"
        );
    }
}

#[test]
fn an_unterminated_overlong_tail_is_reported_at_eof() {
    let items = decode_chunks(ClientCodec::with_max_line(4), b"OK\nAPLIST 1 2 3", &[5]);
    assert_eq!(
        items,
        vec![
            ClientInbound::Reply(Reply::Ok),
            ClientInbound::Overlong { len: 12 }
        ]
    );
}

#[test]
fn a_malformed_line_is_an_item_and_the_stream_continues() {
    let items = decode_chunks(ClientCodec::new(), b"GARBAGE \xff here\r\nOK\r\n", &[]);
    assert_eq!(items.len(), 2);
    match &items[0] {
        ClientInbound::Malformed { line, error } => {
            assert_eq!(line, "GARBAGE \u{fffd} here");
            assert_eq!(error.position(), 0);
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert_eq!(items[1], ClientInbound::Reply(Reply::Ok));
}

#[test]
fn a_malformed_line_is_truncated_to_256_bytes() {
    let line = format!("BAD {}\n", "ю".repeat(400));
    let items = decode_chunks(ClientCodec::new(), line.as_bytes(), &[]);
    match &items[..] {
        [ClientInbound::Malformed { line, .. }] => {
            assert!(line.len() <= 256);
            assert!(line.starts_with("BAD ю"));
        }
        other => panic!("expected one Malformed, got {other:?}"),
    }
}

#[test]
fn a_malformed_login_line_is_redacted() {
    let items = decode_chunks(
        ServerCodec::new(),
        b"login 1.8 \"admin\" \"hunter2\nLOGIN 1.8 admin hunter2 extra\r\n",
        &[],
    );
    assert_eq!(items.len(), 2);
    for item in &items {
        match item {
            ServerInbound::Malformed { line, error } => {
                assert_eq!(line, "LOGIN <redacted>");
                assert!(!error.to_string().contains("hunter2"));
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }
}

#[test]
fn encoders_append_whole_lines_for_owned_and_borrowed_messages() {
    let mut client = ClientCodec::new();
    let mut out = BytesMut::new();
    client
        .encode(Command::GetApList, &mut out)
        .expect("infallible");
    client.encode(&Command::Exit, &mut out).expect("infallible");
    assert_eq!(&out[..], b"GETAPLIST\r\nEXIT\r\n");

    let mut server = ServerCodec::new();
    let mut out = BytesMut::new();
    server.encode(Reply::Ok, &mut out).expect("infallible");
    server
        .encode(&Reply::error(ErrorCode::NotLoggedIn), &mut out)
        .expect("infallible");
    server
        .encode(acs_proto::ServerLine::Reply(Reply::Ok), &mut out)
        .expect("infallible");
    assert_eq!(&out[..], b"OK\r\nERROR 4 NOT LOGGED IN\r\nOK\r\n");
}

#[test]
fn default_limits_are_8_mib_for_clients_and_64_kib_for_servers() {
    assert_eq!(ClientCodec::new().max_line(), 8 * 1024 * 1024);
    assert_eq!(ServerCodec::default().max_line(), 64 * 1024);
}

#[test]
fn a_login_line_behind_a_byte_order_mark_or_other_junk_is_redacted_too() {
    let items = decode_chunks(
        ServerCodec::new(),
        "\u{feff}LOGIN 1.8 admin hunter2\r\n\0login 1.8 \"admin\" \"hunter2\"\r\nxLOGIN hunter2\r\n"
            .as_bytes(),
        &[],
    );
    assert_eq!(items.len(), 3);
    for item in &items {
        match item {
            ServerInbound::Malformed { line, .. } => {
                assert!(!line.contains("hunter2"), "{line}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }
}
