//! A raw line client for the ACS simulator tests: writes bytes, reads lines, with timeouts.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use sim::acs::{AcsSim, AcsSimConfig, AcsSimHandle};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long a test waits for a line that should come.
pub const WAIT: Duration = Duration::from_secs(3);

/// Starts a simulator with `config` on 127.0.0.1:0.
pub async fn start(config: AcsSimConfig) -> AcsSimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    AcsSim::start(config, listener)
}

/// A client over any byte stream.
pub struct Client<S> {
    io: BufReader<S>,
}

impl Client<TcpStream> {
    /// Connects over plain TCP.
    pub async fn connect(addr: SocketAddr) -> Self {
        let tcp = TcpStream::connect(addr)
            .await
            .expect("connect to the simulator");
        Client::over(tcp)
    }

    /// Connects and logs in as admin/secret.
    pub async fn logged_in(addr: SocketAddr) -> Self {
        let mut c = Self::connect(addr).await;
        assert_eq!(c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await, "OK");
        c
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    /// Wraps a connected stream.
    pub fn over(stream: S) -> Self {
        Self {
            io: BufReader::new(stream),
        }
    }

    /// Writes raw bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.io.get_mut().write_all(bytes).await.expect("write");
        self.io.get_mut().flush().await.expect("flush");
    }

    /// The next line's raw bytes, its `\n` included; empty at end of stream.
    pub async fn raw_line(&mut self) -> Vec<u8> {
        let mut buf = Vec::new();
        tokio::time::timeout(WAIT, self.io.read_until(b'\n', &mut buf))
            .await
            .expect("a line within the wait time")
            .expect("read");
        buf
    }

    /// The next line as text without its line end; panics at end of stream.
    pub async fn line(&mut self) -> String {
        let raw = self.raw_line().await;
        assert!(
            !raw.is_empty(),
            "connection closed while a line was expected"
        );
        assert!(raw.ends_with(b"\r\n"), "line not CRLF-terminated: {raw:?}");
        String::from_utf8(raw[..raw.len() - 2].to_vec()).expect("UTF-8 line")
    }

    /// Sends one command line (CRLF added) and reads one line back.
    pub async fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.line().await
    }

    /// Asserts that nothing arrives within `d` (and the connection stays open).
    pub async fn nothing_within(&mut self, d: Duration) {
        let mut buf = Vec::new();
        match tokio::time::timeout(d, self.io.read_until(b'\n', &mut buf)).await {
            Err(_) => assert!(buf.is_empty(), "partial data arrived: {buf:?}"),
            Ok(r) => panic!("expected silence, got {r:?} {buf:?}"),
        }
    }

    /// Everything until the server closes the connection.
    pub async fn rest(&mut self) -> Vec<u8> {
        let mut buf = Vec::new();
        tokio::time::timeout(WAIT, self.io.read_to_end(&mut buf))
            .await
            .expect("end of stream within the wait time")
            .expect("read");
        buf
    }

    /// Asserts that the server closes the connection (after any remaining lines).
    pub async fn closed(&mut self) {
        let raw = self.raw_line().await;
        assert!(raw.is_empty(), "expected end of stream, got {raw:?}");
    }
}
