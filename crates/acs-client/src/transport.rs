//! Opening the byte stream: TCP (with keepalive) and optionally TLS on top.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::config::AcsConfig;
use crate::error::AcsError;
use crate::tls::TlsSetup;

/// A connected stream, plain or TLS.
pub(crate) enum Stream {
    Tcp(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

/// Connects TCP, sets keepalive and `TCP_NODELAY`, then runs the TLS handshake if configured.
/// The caller bounds the whole thing with `connect_timeout`.
pub(crate) async fn connect(cfg: &AcsConfig, tls: Option<&TlsSetup>) -> Result<Stream, AcsError> {
    let tcp = TcpStream::connect(cfg.address.as_str())
        .await
        .map_err(|e| AcsError::Connect {
            address: cfg.address.clone(),
            source: Arc::new(e),
        })?;
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY");
    }
    if let Some(idle) = cfg.tcp_keepalive {
        let keepalive = TcpKeepalive::new().with_time(idle).with_interval(idle);
        if let Err(error) = SockRef::from(&tcp).set_tcp_keepalive(&keepalive) {
            tracing::debug!(%error, "cannot set TCP keepalive");
        }
    }
    match tls {
        None => Ok(Stream::Tcp(tcp)),
        Some(setup) => {
            let stream = setup
                .connector
                .connect(setup.server_name.clone(), tcp)
                .await
                .map_err(|e| AcsError::Tls(format!("handshake failed: {e}")))?;
            Ok(Stream::Tls(Box::new(stream)))
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
