//! Cases the simulator has no knob for, against a scripted peer on a real socket.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_client::{AcsError, AcsPool, LinkState, PassOutcome};
use acs_proto::ErrorCode;
use common::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

enum Step {
    /// Read a line; it must start with this.
    Expect(&'static str),
    /// Write these bytes.
    Send(&'static str),
    /// Pause.
    Sleep(u64),
}

struct Peer {
    addr: std::net::SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Peer {
    /// Waits for the peer to finish (the client closed) and returns every line it read.
    async fn finish(self) -> Vec<String> {
        self.task.await.expect("peer");
        let lines = self.lines.lock().expect("lines").clone();
        lines
    }
}

fn count(lines: &[String], prefix: &str) -> usize {
    lines.iter().filter(|l| l.starts_with(prefix)).count()
}

/// Accepts one connection, plays `script`, then records whatever else arrives until EOF.
async fn scripted(script: Vec<Step>) -> Peer {
    scripted_connections(vec![script]).await
}

/// Accepts one connection per script, in turn; each plays its script and then records
/// whatever else arrives until EOF.
async fn scripted_connections(scripts: Vec<Vec<Step>>) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let seen = lines.clone();
    let task = tokio::spawn(async move {
        for script in scripts {
            let (socket, _) = listener.accept().await.expect("accept");
            play(socket, script, &seen).await;
        }
    });
    Peer { addr, lines, task }
}

async fn play(socket: tokio::net::TcpStream, script: Vec<Step>, seen: &Mutex<Vec<String>>) {
    let (read, mut write) = socket.into_split();
    let mut read = BufReader::new(read);
    let mut line = String::new();
    for step in script {
        match step {
            Step::Expect(prefix) => {
                line.clear();
                if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                    panic!("the client closed before sending {prefix}");
                }
                let got = line.trim_end().to_owned();
                seen.lock().expect("lines").push(got.clone());
                assert!(got.starts_with(prefix), "expected {prefix}, got {got:?}");
            }
            // The client may already have closed (that is what some tests check).
            Step::Send(text) => {
                let _ = write.write_all(text.as_bytes()).await;
            }
            Step::Sleep(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
        }
    }
    loop {
        line.clear();
        match read.read_line(&mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => seen.lock().expect("lines").push(line.trim_end().to_owned()),
        }
    }
}

fn login() -> [Step; 2] {
    [
        Step::Expect("LOGIN 1.8 \"admin\" \"secret\""),
        Step::Send("OK\r\n"),
    ]
}

#[tokio::test]
async fn not_logged_in_leads_to_a_relogin_and_exactly_one_retry() {
    let mut script = Vec::from(login());
    script.extend([
        Step::Expect("ALLOWPASS 1 6 IN"),
        Step::Send("ERROR 4 NOT LOGGED IN\r\n"),
        Step::Expect("LOGIN 1.8"),
        Step::Send("OK\r\n"),
        Step::Expect("ALLOWPASS 1 6 IN"),
        Step::Send("OK\r\n"),
    ]);
    let peer = scripted(script).await;
    let pool = ready_pool(config(peer.addr)).await;
    assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    assert!(pool.is_ready());
    pool.shutdown().await;
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "ALLOWPASS"), 2);
    assert_eq!(count(&lines, "LOGIN"), 2);
}

#[tokio::test]
async fn not_logged_in_twice_is_reported_and_not_retried_again() {
    let mut script = Vec::from(login());
    script.extend([
        Step::Expect("ALLOWPASS"),
        Step::Send("ERROR 4 NOT LOGGED IN\r\n"),
        Step::Expect("LOGIN"),
        Step::Send("OK\r\n"),
        Step::Expect("ALLOWPASS"),
        Step::Send("ERROR 4 NOT LOGGED IN\r\n"),
    ]);
    let peer = scripted(script).await;
    let pool = ready_pool(config(peer.addr)).await;
    let outcome = pass(&pool, 1, 6, in_ms(1000)).await;
    assert_eq!(outcome.error_code(), Some(ErrorCode::NotLoggedIn));
    // The link does not trust this session any more and closes it.
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "ALLOWPASS"), 2);
    pool.shutdown().await;
}

#[tokio::test]
async fn no_retry_after_not_logged_in_when_the_deadline_has_no_room() {
    let mut script = Vec::from(login());
    script.extend([
        Step::Expect("ALLOWPASS"),
        Step::Send("ERROR 4 NOT LOGGED IN\r\n"),
        Step::Expect("LOGIN"),
        Step::Sleep(150),
        Step::Send("OK\r\n"),
    ]);
    let peer = scripted(script).await;
    let pool = ready_pool(config(peer.addr)).await;
    let outcome = pass(&pool, 1, 6, in_ms(100)).await;
    assert_eq!(outcome.error_code(), Some(ErrorCode::NotLoggedIn));
    pool.shutdown().await;
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "ALLOWPASS"), 1);
}

#[tokio::test]
async fn events_on_a_command_link_are_not_taken_for_replies() {
    let mut script = Vec::from(login());
    script.extend([
        Step::Send("EVENT \"2025-01-27 11:23:08\" FREEPASS 1 IN\r\n"),
        Step::Expect("ALLOWPASS 1 6 IN"),
        Step::Send("EVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 W26 249 29323\r\n"),
        Step::Send(
            "EVENT \"2025-01-27 11:23:09\" BREAKINGPASS 2 OUT\r\nERROR 7 UNKNOWN OBJECT\r\n",
        ),
        Step::Expect("ALLOWPASS 1 7 IN"),
        Step::Send("EVENT_CE \"2025-01-27 11:23:10\" 4 1 7 2 UNKNOWN\nOK\n"),
    ]);
    let peer = scripted(script).await;
    let pool = ready_pool(config(peer.addr)).await;
    let first = pass(&pool, 1, 6, in_ms(1000)).await;
    assert_eq!(first.error_code(), Some(ErrorCode::UnknownObject));
    assert_eq!(pass(&pool, 1, 7, in_ms(1000)).await, PassOutcome::Granted);
    assert!(pool.is_ready());
    pool.shutdown().await;
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "LOGIN"), 1);
}

#[tokio::test]
async fn a_reply_nobody_asked_for_resets_the_link() {
    let mut script = Vec::from(login());
    script.extend([Step::Sleep(20), Step::Send("OK\r\n")]);
    let peer = scripted(script).await;
    let pool = ready_pool(config(peer.addr)).await;
    let mut rx = pool.watch_links().remove(0);
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    let LinkState::Backoff { reason, .. } = state else {
        unreachable!()
    };
    assert!(matches!(reason, AcsError::Protocol(_)), "{reason:?}");
    pool.shutdown().await;
}

#[tokio::test]
async fn a_login_that_is_never_answered_counts_as_a_connect_timeout() {
    let peer = scripted(vec![Step::Expect("LOGIN"), Step::Sleep(2000)]).await;
    let mut cfg = config(peer.addr);
    cfg.connect_timeout = Duration::from_millis(100);
    let pool = AcsPool::start(cfg);
    let mut rx = pool.watch_links().remove(0);
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    assert!(matches!(
        state,
        LinkState::Backoff {
            reason: AcsError::ConnectTimeout { .. },
            ..
        }
    ));
    pool.shutdown().await;
    peer.task.abort();
}

#[tokio::test]
async fn a_late_reply_is_never_taken_for_the_next_commands_reply() {
    let mut first = Vec::from(login());
    first.extend([
        Step::Expect("ALLOWPASS 1 6 IN"),
        // Later than the 200 ms reply timeout: the client has given up on this connection.
        Step::Sleep(350),
        Step::Send("OK\r\n"),
    ]);
    let mut second = Vec::from(login());
    second.extend([
        Step::Expect("ALLOWPASS 1 999 IN"),
        Step::Send("ERROR 7 UNKNOWN OBJECT\r\n"),
    ]);
    let peer = scripted_connections(vec![first, second]).await;
    let mut cfg = config(peer.addr);
    // The reconnect waits in the listener's backlog until the first script ends.
    cfg.connect_timeout = Duration::from_secs(3);
    let pool = ready_pool(cfg).await;

    assert_eq!(pass(&pool, 1, 6, in_ms(2000)).await, PassOutcome::Timeout);
    let second_outcome = pass(&pool, 1, 999, in_ms(2000)).await;
    assert_eq!(second_outcome.error_code(), Some(ErrorCode::UnknownObject));
    pool.shutdown().await;
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "ALLOWPASS 1 6 IN"), 1, "{lines:?}");
}

#[tokio::test]
async fn a_caller_that_gave_up_gets_no_retry_after_not_logged_in() {
    let mut script = Vec::from(login());
    script.extend([
        Step::Expect("ALLOWPASS 1 6 IN"),
        // The caller drops its future while this reply is on its way.
        Step::Sleep(400),
        Step::Send("ERROR 4 NOT LOGGED IN\r\n"),
        Step::Expect("LOGIN"),
        Step::Send("OK\r\n"),
    ]);
    let peer = scripted(script).await;
    let mut cfg = config(peer.addr);
    cfg.reply_timeout = Duration::from_secs(1);
    let pool = ready_pool(cfg).await;
    let gave_up =
        tokio::time::timeout(Duration::from_millis(100), pass(&pool, 1, 6, in_ms(3000))).await;
    assert!(gave_up.is_err(), "the caller stopped waiting");
    // Time for the ERROR 4, the re-login and (wrongly) a retry nobody would hear about.
    tokio::time::sleep(Duration::from_millis(600)).await;
    pool.shutdown().await;
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "ALLOWPASS"), 1, "{lines:?}");
}

#[tokio::test]
async fn a_dropped_caller_neither_causes_a_resend_nor_shifts_replies_to_the_next_command() {
    let mut script = Vec::from(login());
    script.extend([
        Step::Expect("ALLOWPASS 1 6 IN"),
        // Within the reply timeout, but after the caller stopped waiting.
        Step::Sleep(400),
        Step::Send("OK\r\n"),
        Step::Expect("ALLOWPASS 1 7 IN"),
        Step::Send("ERROR 7 UNKNOWN OBJECT\r\n"),
    ]);
    let peer = scripted(script).await;
    let mut cfg = config(peer.addr);
    cfg.reply_timeout = Duration::from_secs(1);
    let pool = ready_pool(cfg).await;
    let gave_up =
        tokio::time::timeout(Duration::from_millis(100), pass(&pool, 1, 6, in_ms(3000))).await;
    assert!(gave_up.is_err(), "the caller stopped waiting");
    let next = pass(&pool, 1, 7, in_ms(2000)).await;
    assert_eq!(next.error_code(), Some(ErrorCode::UnknownObject));
    assert!(
        pool.is_ready(),
        "the in-flight reply was consumed, the link stays up"
    );
    pool.shutdown().await;
    let lines = peer.finish().await;
    assert_eq!(count(&lines, "ALLOWPASS 1 6 IN"), 1, "{lines:?}");
    assert_eq!(count(&lines, "LOGIN"), 1, "{lines:?}");
}
