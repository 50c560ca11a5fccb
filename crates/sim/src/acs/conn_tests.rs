//! The connection task over a scripted stream that records each write call, so how replies
//! are cut into writes (byte by byte, coalesced) is observable exactly.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::SystemTime;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;

use super::{serve, Stop};
use crate::acs::clock;
use crate::acs::config::AcsSimConfig;
use crate::acs::faults::Faults;
use crate::acs::record::ConnId;
use crate::acs::shared::Shared;

/// Yields `input` in one read, then end of stream; records every write.
struct Scripted {
    input: Vec<u8>,
    writes: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl AsyncRead for Scripted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.input.len().min(buf.remaining());
        let chunk: Vec<u8> = self.input.drain(..n).collect();
        buf.put_slice(&chunk);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buf.to_vec());
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

async fn writes_for(faults: Faults, input: &[u8]) -> Vec<Vec<u8>> {
    let config = AcsSimConfig {
        faults,
        ..AcsSimConfig::default()
    };
    let shared = Arc::new(Shared::new(&config, clock::timestamp(SystemTime::now())));
    let writes = Arc::new(Mutex::new(Vec::new()));
    let stream = Scripted {
        input: input.to_vec(),
        writes: Arc::clone(&writes),
    };
    let (_shutdown_tx, shutdown) = watch::channel(false);
    let (_kick_tx, kick) = watch::channel(0);
    serve(stream, ConnId(1), shared, Stop { shutdown, kick }).await;
    let got = writes.lock().unwrap_or_else(|e| e.into_inner()).clone();
    got
}

const PIPELINED: &[u8] = b"LOGIN 1.8 admin secret\r\nGETAPLIST\r\nGETAPINFO 9\r\n";

#[tokio::test]
async fn by_default_each_reply_is_its_own_write() {
    let writes = writes_for(Faults::none(), PIPELINED).await;
    assert_eq!(
        writes,
        vec![
            b"OK\r\n".to_vec(),
            b"APLIST 1 2\r\n".to_vec(),
            b"ERROR 10 UNKNOWN ACCESS POINT\r\n".to_vec(),
        ]
    );
}

#[tokio::test]
async fn coalesce_writes_the_replies_to_pipelined_commands_at_once() {
    let writes = writes_for(Faults::none().with_coalesce(), PIPELINED).await;
    assert_eq!(
        writes,
        vec![b"OK\r\nAPLIST 1 2\r\nERROR 10 UNKNOWN ACCESS POINT\r\n".to_vec()]
    );
}

#[tokio::test]
async fn byte_by_byte_writes_one_byte_per_call() {
    let writes = writes_for(Faults::none().with_byte_by_byte(), PIPELINED).await;
    let expected = b"OK\r\nAPLIST 1 2\r\nERROR 10 UNKNOWN ACCESS POINT\r\n";
    assert_eq!(writes.len(), expected.len());
    assert!(writes.iter().all(|w| w.len() == 1));
    assert_eq!(writes.concat(), expected.to_vec());
}

#[tokio::test]
async fn an_unterminated_last_line_is_still_answered_at_end_of_input() {
    let writes = writes_for(Faults::none(), b"LOGIN 1.8 admin secret\r\nGETAPLIST").await;
    assert_eq!(writes.concat(), b"OK\r\nAPLIST 1 2\r\n".to_vec());
}

#[tokio::test]
async fn drop_after_answers_that_many_commands_then_stops_reading() {
    let writes = writes_for(Faults::none().with_drop_after(2), PIPELINED).await;
    assert_eq!(writes.concat(), b"OK\r\nAPLIST 1 2\r\n".to_vec());
}
