//! Fuzz both codecs with the input fed in chunks: no panics, bounded buffering, and the same
//! items as when the input is decoded in one piece.
#![no_main]

use acs_proto::{ClientCodec, ServerCodec};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;

/// Decodes `data` fed in chunks of the given sizes (cycled), then EOF.
fn run<D: Decoder<Error = std::io::Error>>(
    mut codec: D,
    data: &[u8],
    sizes: &[u8],
) -> Vec<D::Item> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut rest = data;
    let mut k = 0;
    while !rest.is_empty() {
        let n = if sizes.is_empty() {
            rest.len()
        } else {
            usize::from(sizes[k % sizes.len()]).clamp(1, rest.len())
        };
        k += 1;
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        while let Some(item) = codec.decode(&mut buf).expect("decode never errors") {
            out.push(item);
        }
        // Bounded: never more than one line limit (plus one read) stays buffered.
        assert!(buf.len() <= 64 + 2 + n);
    }
    while let Some(item) = codec.decode_eof(&mut buf).expect("decode_eof never errors") {
        out.push(item);
    }
    out
}

fuzz_target!(|input: &[u8]| {
    // First byte picks chunk sizes, the rest is the stream.
    let Some((&split, data)) = input.split_first() else {
        return;
    };
    let sizes = [split % 17 + 1, split / 17 + 1, 1];
    let client_whole = run(ClientCodec::with_max_line(64), data, &[]);
    let client_split = run(ClientCodec::with_max_line(64), data, &sizes);
    assert_eq!(client_whole, client_split);
    let server_whole = run(ServerCodec::with_max_line(64), data, &[]);
    let server_split = run(ServerCodec::with_max_line(64), data, &sizes);
    assert_eq!(server_whole, server_split);
});
