//! One logged-in conversation over one byte stream: write a command, wait for its reply while
//! routing event lines elsewhere. Generic over the stream so tests can use `tokio::io::duplex`.

use acs_proto::codec::{ClientCodec, ClientInbound};
use acs_proto::{Command, ErrorCode, Event, ProtocolVersion, Reply, Secret};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{timeout_at, Instant};
use tokio_util::codec::Framed;

use crate::error::AcsError;

/// What arrived while no command was in flight.
#[derive(Debug)]
pub(crate) enum Unsolicited {
    /// An event line.
    Event(Event),
    /// A line we skip (an event line we cannot parse).
    Skipped,
    /// The link is unusable: closed, broken, or the peer sent a reply nobody asked for.
    Broken(AcsError),
}

/// A framed connection plus the time of its last traffic (for the idle probe).
pub(crate) struct Session<S> {
    framed: Framed<S, ClientCodec>,
    last_activity: Instant,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    /// Wraps a connected stream; lines longer than `max_line` are refused.
    pub(crate) fn new(io: S, max_line: usize) -> Self {
        Self {
            framed: Framed::new(io, ClientCodec::with_max_line(max_line)),
            last_activity: Instant::now(),
        }
    }

    /// When the last line was written or read.
    pub(crate) fn last_activity(&self) -> Instant {
        self.last_activity
    }

    /// Sends `LOGIN 1.8 "<user>" "<password>"` and waits for `OK` until `until`.
    pub(crate) async fn login(
        &mut self,
        user: &str,
        password: &Secret,
        until: Instant,
    ) -> Result<(), AcsError> {
        let cmd = Command::Login {
            version: ProtocolVersion::v1_8(),
            user: user.to_owned(),
            password: password.clone(),
        };
        match self.exchange(&cmd, until, &mut |_| {}).await? {
            Reply::Ok => Ok(()),
            Reply::Error { code, text } => Err(AcsError::LoginRejected { code, text }),
            other => Err(AcsError::UnexpectedReply {
                expected: "OK",
                got: reply_kind(&other),
            }),
        }
    }

    /// Writes `cmd` and returns the next reply line, handing event lines to `on_event`.
    ///
    /// Any error means the reply is unknown and the session must be dropped: a reply that
    /// comes later would otherwise be taken for the answer to the next command.
    pub(crate) async fn exchange(
        &mut self,
        cmd: &Command,
        until: Instant,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Reply, AcsError> {
        match timeout_at(until, self.framed.send(cmd.clone())).await {
            Err(_elapsed) => return Err(AcsError::Timeout),
            Ok(Err(e)) => return Err(AcsError::ConnectionLost(e.to_string())),
            Ok(Ok(())) => {}
        }
        self.last_activity = Instant::now();
        loop {
            let item = match timeout_at(until, self.framed.next()).await {
                Err(_elapsed) => return Err(AcsError::Timeout),
                Ok(item) => item,
            };
            self.last_activity = Instant::now();
            match item {
                None => {
                    return Err(AcsError::ConnectionLost(
                        "connection closed by the ACS".to_owned(),
                    ))
                }
                Some(Err(e)) => return Err(AcsError::ConnectionLost(e.to_string())),
                Some(Ok(ClientInbound::Reply(reply))) => {
                    if reply_fits(cmd, &reply) {
                        return Ok(reply);
                    }
                    return Err(AcsError::UnexpectedReply {
                        expected: expected_reply(cmd),
                        got: reply_kind(&reply),
                    });
                }
                Some(Ok(ClientInbound::Event(event))) => on_event(event),
                Some(Ok(ClientInbound::Malformed { line, error })) => {
                    if looks_like_event(line.as_bytes()) {
                        tracing::warn!(%error, "skipping an event line that does not parse");
                        continue;
                    }
                    return Err(AcsError::Protocol(format!("malformed reply: {error}")));
                }
                Some(Ok(ClientInbound::Overlong { len })) => {
                    return Err(AcsError::Protocol(format!(
                        "a line of {len} bytes exceeds the configured limit"
                    )));
                }
            }
        }
    }

    /// Reads the next line while no command is in flight. Cancel-safe (for `select!`).
    pub(crate) async fn next_unsolicited(&mut self) -> Unsolicited {
        let item = self.framed.next().await;
        self.last_activity = Instant::now();
        match item {
            None => Unsolicited::Broken(AcsError::ConnectionLost(
                "connection closed by the ACS".to_owned(),
            )),
            Some(Err(e)) => Unsolicited::Broken(AcsError::ConnectionLost(e.to_string())),
            Some(Ok(ClientInbound::Event(event))) => Unsolicited::Event(event),
            Some(Ok(ClientInbound::Reply(reply))) => Unsolicited::Broken(AcsError::Protocol(
                format!("unsolicited {} reply", reply_kind(&reply)),
            )),
            Some(Ok(ClientInbound::Malformed { line, error })) => {
                if looks_like_event(line.as_bytes()) {
                    tracing::warn!(%error, "skipping an event line that does not parse");
                    Unsolicited::Skipped
                } else {
                    Unsolicited::Broken(AcsError::Protocol(format!(
                        "malformed unsolicited line: {error}"
                    )))
                }
            }
            Some(Ok(ClientInbound::Overlong { len })) => {
                tracing::warn!(len, "skipping an over-long unsolicited line");
                Unsolicited::Skipped
            }
        }
    }

    /// Says `EXIT` (best effort, bounded by `until`) before the session is dropped.
    pub(crate) async fn goodbye(&mut self, until: Instant) {
        let _ = timeout_at(until, self.framed.send(Command::Exit)).await;
    }
}

/// Whether an unparsable line is an event line (skipped) rather than a broken reply.
fn looks_like_event(line: &[u8]) -> bool {
    line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"EVENT")
}

/// Whether `reply` can be the answer to `cmd`. Anything else means the conversation is out of
/// step, and the session is dropped.
pub(crate) fn reply_fits(cmd: &Command, reply: &Reply) -> bool {
    if matches!(reply, Reply::Error { .. }) {
        return true;
    }
    match cmd {
        Command::Login { .. }
        | Command::AllowPass { .. }
        | Command::SetApMode { .. }
        | Command::Subscribe(_)
        | Command::Unsubscribe => matches!(reply, Reply::Ok),
        Command::GetApList => matches!(reply, Reply::ApList(_)),
        Command::GetApInfo { .. } => matches!(reply, Reply::ApInfo(_)),
        Command::GetZoneInfo => matches!(reply, Reply::ZoneInfo(_)),
        Command::GetObjectInfo(_) => matches!(reply, Reply::ObjectInfo(_)),
        Command::GetLocation2 { .. } => matches!(reply, Reply::Location(_)),
        Command::GetHistory { .. } => matches!(reply, Reply::History(_)),
        Command::Quit | Command::Exit => true,
    }
}

fn expected_reply(cmd: &Command) -> &'static str {
    match cmd {
        Command::GetApList => "APLIST",
        Command::GetApInfo { .. } => "APINFO",
        Command::GetZoneInfo => "ZONEINFO",
        Command::GetObjectInfo(_) => "OBJECTINFO",
        Command::GetLocation2 { .. } => "LOCATION",
        Command::GetHistory { .. } => "HISTORY",
        _ => "OK",
    }
}

/// The keyword of a reply, for errors and logs (never its content).
pub(crate) fn reply_kind(reply: &Reply) -> &'static str {
    match reply {
        Reply::Ok => "OK",
        Reply::Error { .. } => "ERROR",
        Reply::ApList(_) => "APLIST",
        Reply::ApInfo(_) => "APINFO",
        Reply::ZoneInfo(_) => "ZONEINFO",
        Reply::ObjectInfo(_) => "OBJECTINFO",
        Reply::Location(_) => "LOCATION",
        Reply::History(_) => "HISTORY",
    }
}

/// Whether `reply` is `ERROR 4 NOT LOGGED IN`.
pub(crate) fn is_not_logged_in(reply: &Reply) -> bool {
    matches!(
        reply,
        Reply::Error {
            code: ErrorCode::NotLoggedIn,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

    use super::*;

    fn allow_pass() -> Command {
        Command::AllowPass {
            ap: AccessPointId(1),
            object: ObjectRef::Id(ObjectId(6)),
            direction: Direction::In,
        }
    }

    fn pair() -> (Session<DuplexStream>, BufReader<DuplexStream>) {
        let (a, b) = tokio::io::duplex(4096);
        (Session::new(a, 1024), BufReader::new(b))
    }

    async fn read_line(peer: &mut BufReader<DuplexStream>) -> String {
        let mut line = String::new();
        peer.read_line(&mut line).await.expect("peer read");
        line
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[tokio::test]
    async fn events_before_the_reply_go_to_the_event_handler() {
        let (mut session, mut peer) = pair();
        let server = tokio::spawn(async move {
            let line = read_line(&mut peer).await;
            peer.get_mut()
                .write_all(b"EVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 W26 249 29323\r\nOK\r\n")
                .await
                .expect("peer write");
            line
        });
        let mut events = Vec::new();
        let reply = session
            .exchange(&allow_pass(), soon(), &mut |e| events.push(e))
            .await;
        assert_eq!(reply.expect("reply"), Reply::Ok);
        assert_eq!(events.len(), 1);
        assert_eq!(server.await.expect("server"), "ALLOWPASS 1 6 IN\r\n");
    }

    #[tokio::test(start_paused = true)]
    async fn a_missing_reply_times_out_at_the_deadline() {
        let (mut session, mut peer) = pair();
        let until = Instant::now() + Duration::from_millis(300);
        let started = Instant::now();
        let reply = session.exchange(&allow_pass(), until, &mut |_| {}).await;
        assert!(matches!(reply, Err(AcsError::Timeout)), "{reply:?}");
        assert_eq!(started.elapsed(), Duration::from_millis(300));
        assert_eq!(read_line(&mut peer).await, "ALLOWPASS 1 6 IN\r\n");
    }

    #[tokio::test]
    async fn a_reply_of_the_wrong_kind_is_refused() {
        let (mut session, mut peer) = pair();
        peer.get_mut()
            .write_all(b"APLIST 1 2\r\n")
            .await
            .expect("write");
        let reply = session.exchange(&allow_pass(), soon(), &mut |_| {}).await;
        assert!(
            matches!(
                reply,
                Err(AcsError::UnexpectedReply {
                    expected: "OK",
                    got: "APLIST"
                })
            ),
            "{reply:?}"
        );
    }

    #[tokio::test]
    async fn a_garbage_reply_is_a_protocol_error_but_a_garbled_event_is_skipped() {
        let (mut session, mut peer) = pair();
        peer.get_mut()
            .write_all(b"EVENT_CE nonsense\r\nERROR 7 UNKNOWN OBJECT\r\n%%garbage%%\r\n")
            .await
            .expect("write");
        let first = session.exchange(&allow_pass(), soon(), &mut |_| {}).await;
        assert!(matches!(
            first,
            Ok(Reply::Error {
                code: ErrorCode::UnknownObject,
                ..
            })
        ));
        let second = session.exchange(&allow_pass(), soon(), &mut |_| {}).await;
        assert!(matches!(second, Err(AcsError::Protocol(_))), "{second:?}");
    }

    #[tokio::test]
    async fn the_peer_closing_before_the_reply_is_a_lost_connection() {
        let (mut session, peer) = pair();
        drop(peer);
        let reply = session.exchange(&allow_pass(), soon(), &mut |_| {}).await;
        assert!(
            matches!(reply, Err(AcsError::ConnectionLost(_))),
            "{reply:?}"
        );
    }

    #[tokio::test]
    async fn a_reply_nobody_asked_for_breaks_the_session() {
        let (mut session, mut peer) = pair();
        peer.get_mut()
            .write_all(b"EVENT \"2025-01-27 11:23:08\" FREEPASS 1 IN\r\nOK\r\n")
            .await
            .expect("write");
        assert!(matches!(
            session.next_unsolicited().await,
            Unsolicited::Event(_)
        ));
        assert!(matches!(
            session.next_unsolicited().await,
            Unsolicited::Broken(AcsError::Protocol(_))
        ));
    }

    #[tokio::test]
    async fn login_quotes_the_credentials_and_reports_a_rejection_without_the_password() {
        let (mut session, mut peer) = pair();
        let server = tokio::spawn(async move {
            let line = read_line(&mut peer).await;
            peer.get_mut()
                .write_all(b"ERROR 11 AUTHENTICATION FAILED\r\n")
                .await
                .expect("write");
            line
        });
        let result = session.login("admin", &Secret::new("pa\"ss"), soon()).await;
        let err = result.expect_err("rejected");
        assert!(err.is_auth_failure());
        assert!(!format!("{err} {err:?}").contains("pa\"ss"));
        assert_eq!(
            server.await.expect("server"),
            "LOGIN 1.8 \"admin\" \"pa#22ss\"\r\n"
        );
    }

    #[tokio::test]
    async fn an_overlong_reply_is_a_protocol_error() {
        let (mut session, mut peer) = pair();
        let mut long = vec![b'A'; 2000];
        long.extend_from_slice(b"\r\n");
        peer.get_mut().write_all(&long).await.expect("write");
        let reply = session
            .exchange(&Command::GetApList, soon(), &mut |_| {})
            .await;
        assert!(matches!(reply, Err(AcsError::Protocol(_))), "{reply:?}");
    }
}
