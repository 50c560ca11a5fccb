//! acs-client — a tokio client for the Sigur OIF 1.8 protocol, built for opening doors safely.
//!
//! It connects over TCP or TLS (rustls, ring provider; system roots or a CA file), logs in
//! with `LOGIN 1.8`, and keeps **one command in flight per connection**, each with a deadline.
//! OIF has no request ids, so a reply that misses its time *poisons* the connection: it is
//! closed and reconnected, and a late reply can never be matched to the next command.
//!
//! [`AcsPool::allow_pass`] returns a [`PassOutcome`] that says exactly what happened:
//! `Granted` (`OK`), `Denied` (`ERROR n`), `Timeout` (written, result unknown — never re-sent,
//! because `ALLOWPASS` is not idempotent) or `Unavailable` (no logged-in link before the
//! deadline; the command was never written). After `ERROR 4 NOT LOGGED IN` the link logs in
//! again and retries once if the deadline allows: the first try provably did nothing.
//!
//! Connections reconnect with a pure, capped, jittered exponential [`ReconnectPolicy`];
//! rejected credentials (`ERROR 3/11/21`) wait the cap and show as [`LinkState::AuthFailed`].
//! Idle links prove they are alive with `GETAPLIST`. Each link publishes its [`LinkState`] on
//! a `watch` channel. [`EventStream`] is a separate subscription connection yielding the
//! ACS's events as a `Stream`. The password never appears in `Debug` output, logs or errors.
//!
//! # Layout
//! - `config` — [`AcsConfig`], [`TlsConfig`] (defaults, validation, redacted `Debug`).
//! - `policy` — [`ReconnectPolicy`]: attempt + random number → delay. Pure.
//! - `error` — [`AcsError`] with `is_retryable()`; `outcome` — [`PassOutcome`].
//! - `state` — [`LinkState`], [`Health`], [`PoolState`].
//! - `transport`, `tls` — TCP with keepalive, TLS on top.
//! - `session` — one framed conversation: write a command, read its reply, route events.
//! - `connector` — connect + login, attempt counting and state publishing.
//! - `link` — the task that owns one command connection; `pool` — [`AcsPool`], N links with
//!   least-busy dispatch; `events` — [`EventStream`].
//!
//! # Example
//! ```no_run
//! use acs_client::{AcsConfig, AcsPool, PassOutcome};
//! use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef, Secret};
//! use std::time::Duration;
//! use tokio::time::Instant;
//!
//! # async fn run() {
//! let cfg = AcsConfig::new("10.0.0.5:3312", "Administrator", Secret::new("secret"));
//! let acs = AcsPool::start(cfg);
//! let deadline = Instant::now() + Duration::from_secs(3);
//! let outcome = acs
//!     .allow_pass(AccessPointId(1), ObjectRef::Id(ObjectId(6)), Direction::In, deadline)
//!     .await;
//! match outcome {
//!     PassOutcome::Granted => println!("door opened"),
//!     other => println!("not granted: {}", other.as_str()),
//! }
//! acs.shutdown().await;
//! # }
//! ```

mod config;
mod connector;
mod error;
mod events;
mod link;
mod outcome;
mod policy;
mod pool;
mod session;
mod state;
mod tls;
mod transport;

pub use config::{AcsConfig, TlsConfig};
pub use error::AcsError;
pub use events::EventStream;
pub use outcome::PassOutcome;
pub use policy::{Jitter, ReconnectPolicy};
pub use pool::AcsPool;
pub use state::{Health, LinkState, PoolState};
