//! What can stop a load run before it produces a report.

use std::path::PathBuf;

/// A load run could not be set up or finished.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The target is not an `http://host:port/path` URL.
    #[error("bad target URL {url:?}: {reason}")]
    BadTarget {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An option is out of range (rate, duration, connections).
    #[error("bad option {name}: {reason}")]
    BadOption {
        /// The option.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Writing the bridge configuration or its directory failed.
    #[error("cannot write {path}: {source}")]
    WriteConfig {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The bridge process could not be started.
    #[error("cannot start the bridge {path}: {source}")]
    Spawn {
        /// The executable.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The bridge exited before it became ready.
    #[error("the bridge exited before it was ready ({status})")]
    BridgeExited {
        /// Its exit status, as text.
        status: String,
    },
    /// The bridge did not answer `/readyz` with 200 in time.
    #[error("the bridge was not ready within {secs} s ({last})")]
    NotReady {
        /// How long we waited.
        secs: u64,
        /// The last thing `/readyz` said (or why it could not be asked).
        last: String,
    },
    /// A local socket could not be bound.
    #[error("cannot bind a local port: {0}")]
    Bind(#[source] std::io::Error),
}
