//! Throughput of the reply/event line parser (`parse_server_line`) over a mix of typical
//! lines, plus the client decoder over the same mix as one byte stream.
//!
//! Run: `cargo bench -p acs-proto --bench parse -- --warm-up-time 1 --measurement-time 3`.
//! Criterion reports elements/s; one element is one line.

use std::hint::black_box;

use acs_proto::parse::parse_server_line;
use acs_proto::ClientCodec;
use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio_util::codec::Decoder;

/// The line mix: mostly short replies and events, as on a busy command/subscription link.
const LINES: &[&str] = &[
    "OK",
    "ERROR 7 UNKNOWN OBJECT",
    r#"EVENT_CE "2025-01-27 11:23:08" 4 1 6 2 W26 249 29323 "Ivanov Ivan""#,
    r#"APINFO ID 1 NAME "Main entrance" ZONEA 1 ZONEB 2 STATE ONLINE_NORMAL CLOSED"#,
    "OK",
    r#"EVENT_CE "2025-01-27 11:23:09" 24 2 7 1 W34 0A1B2C3D"#,
    "APLIST 1 2 3 4",
    r#"EVENT "2025-01-27 11:23:10" OBJECTPASS 1 6 IN W26 249 29323"#,
    r##"EVENT_CE "2025-01-27 11:23:11" 4 1 8 2 W26 249 29324 "#D0#9F#D0#B5#D1#82#D1#80#D0#BE#D0#B2 #D0#9F#D1#91#D1#82#D1#80""##,
    "ERROR 4 NOT LOGGED IN",
];

fn parse_mix(c: &mut Criterion) {
    // Measure the success path: every line of the mix must parse.
    for line in LINES {
        if let Err(e) = parse_server_line(line.as_bytes()) {
            panic!("bench line {line:?} does not parse: {e}");
        }
    }
    let mut g = c.benchmark_group("parse_server_line");
    g.throughput(Throughput::Elements(LINES.len() as u64));
    g.bench_function("mix", |b| {
        b.iter(|| {
            for line in LINES {
                let parsed = parse_server_line(black_box(line.as_bytes()));
                black_box(parsed.is_ok());
            }
        })
    });
    g.finish();
}

fn decode_mix(c: &mut Criterion) {
    let mut stream = Vec::new();
    for line in LINES {
        stream.extend_from_slice(line.as_bytes());
        stream.extend_from_slice(b"\r\n");
    }
    let mut g = c.benchmark_group("client_codec");
    g.throughput(Throughput::Elements(LINES.len() as u64));
    g.bench_function("decode_mix", |b| {
        let mut codec = ClientCodec::new();
        b.iter(|| {
            let mut buf = BytesMut::from(&stream[..]);
            while let Ok(Some(item)) = codec.decode(&mut buf) {
                black_box(item);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, parse_mix, decode_mix);
criterion_main!(benches);
