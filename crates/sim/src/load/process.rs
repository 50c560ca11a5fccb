//! The bridge as a child process: start it on a config, wait for `/readyz`, stop it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use super::error::LoadError;
use super::site::{PASSWORD_ENV, TOKEN_ENV, WATCHER_KEY_ENV};

/// A running `facegate run -c CONFIG`, killed when dropped.
#[derive(Debug)]
pub struct BridgeProcess {
    child: Child,
    pid: u32,
}

impl BridgeProcess {
    /// Starts `bin run -c config` with the token and ACS password in the environment the
    /// generated config names, its output appended to `log`.
    pub fn spawn(
        bin: &Path,
        config: &Path,
        token: &str,
        acs_password: &str,
        log: &Path,
    ) -> Result<Self, LoadError> {
        let open_log = || {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|source| LoadError::WriteConfig {
                    path: log.to_path_buf(),
                    source,
                })
        };
        let child = Command::new(bin)
            .arg("run")
            .arg("-c")
            .arg(config)
            .env(TOKEN_ENV, token)
            .env(PASSWORD_ENV, acs_password)
            .env(WATCHER_KEY_ENV, "load-driver-watcher-key")
            .stdin(Stdio::null())
            .stdout(open_log()?)
            .stderr(open_log()?)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| LoadError::Spawn {
                path: bin.to_path_buf(),
                source,
            })?;
        let pid = child.id().ok_or_else(|| LoadError::BridgeExited {
            status: "exited at once".to_owned(),
        })?;
        Ok(Self { child, pid })
    }

    /// The process id (for RSS sampling).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Polls `http://admin/readyz` until it answers 200 (every ACS link logged in).
    pub async fn wait_ready(
        &mut self,
        admin: SocketAddr,
        within: Duration,
    ) -> Result<(), LoadError> {
        let start = Instant::now();
        let mut last = "no answer yet".to_owned();
        while start.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(LoadError::BridgeExited {
                    status: status.to_string(),
                });
            }
            match get_status(admin, "/readyz").await {
                Ok(200) => return Ok(()),
                Ok(code) => last = format!("/readyz answered {code}"),
                Err(e) => last = e,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(LoadError::NotReady {
            secs: within.as_secs(),
            last,
        })
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Asks it to stop (SIGTERM, via `kill`), waits up to `grace`, then kills it.
    pub async fn stop(mut self, grace: Duration) {
        let term = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        if term.is_ok_and(|s| s.success())
            && tokio::time::timeout(grace, self.child.wait()).await.is_ok()
        {
            return;
        }
        let _ = self.child.kill().await;
    }

    /// Kills it at once (SIGKILL), as a crash would.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Largest body [`get_text`] reads.
const MAX_TEXT: usize = 1 << 20;

/// `GET path` on `addr` over a fresh connection; the status code or why there is none.
pub async fn get_status(addr: SocketAddr, path: &str) -> Result<u16, String> {
    get_text(addr, path).await.map(|(status, _)| status)
}

/// `GET path` on `addr` over a fresh connection: the status and the body (at most 1 MiB,
/// invalid UTF-8 replaced), or why there is none.
pub async fn get_text(addr: SocketAddr, path: &str) -> Result<(u16, String), String> {
    let exchange = async {
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let req = http::Request::get(path)
            .header(http::header::HOST, addr.to_string())
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let body = http_body_util::Limited::new(resp.into_body(), MAX_TEXT)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    };
    tokio::time::timeout(Duration::from_secs(2), exchange)
        .await
        .unwrap_or_else(|_| Err("timed out".to_owned()))
}

/// `target/release/facegate` beside the running executable's directory, the usual place
/// after `cargo build --release` (`facegate-sim` lives in the same directory).
pub fn default_bridge_bin() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    Some(dir.join("facegate"))
}
