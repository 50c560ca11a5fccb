//! The Sigur OIF 1.8 ACS simulator: a real TCP (or TLS) server speaking the protocol of
//! `shared/reference/oif-protocol.md`, for tests and for installers rehearsing a site.
//!
//! It answers every command of the reference with its replies and error codes (`ERROR 4`
//! before `LOGIN`, `ERROR 7` for an unknown object, `ERROR 10` for an unknown access point, …),
//! accepts CRLF or bare LF and unquoted `LOGIN` credentials, turns each granted `ALLOWPASS`
//! into a pass event for subscribers (`EVENT_CE` code 4 or classic `OBJECTPASS`, per each
//! connection's `SUBSCRIBE` flavour) and a `GETHISTORY` entry, and records every received line
//! with its password redacted. [`Faults`] make it misbehave on purpose: delays, lost replies,
//! dropped links, garbage, rejected logins, byte-by-byte and coalesced writes.
//!
//! # Layout
//! - [`config`]: [`AcsSimConfig`] (the site: credentials, access points, objects, zones);
//!   [`state_file`] loads it from TOML or JSON.
//! - [`faults`]: [`Faults`], [`CommandKind`] and the `--fail KNOB` syntax.
//! - [`world`]: the site's mutable state and what each command means (no IO).
//! - `framing`, `conn`: bounded line framing and the per-connection task.
//! - [`server`]: [`AcsSim`] (accept loop) and [`AcsSimHandle`] (what tests hold).
//! - [`record`]: [`ReceivedCommand`] and password redaction; [`tls`]: rustls configs.
//!
//! Times in events, history and `LOCATION` are UTC.
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use sim::acs::{AcsSim, AcsSimConfig, CommandKind, Faults};
//!
//! # async fn demo() -> anyhow::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = AcsSim::start(AcsSimConfig::default(), listener);
//! println!("ACS simulator on {}", sim.addr());
//! // … point a client at sim.addr(), log in as admin/secret, send ALLOWPASS 1 6 IN …
//! sim.set_faults(Faults::none().with_silent(CommandKind::AllowPass));
//! let seen = sim.wait_for_commands(2, Duration::from_secs(1)).await?;
//! assert_eq!(seen[0].line, r#"LOGIN 1.8 "admin" "<redacted>""#);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod clock;
mod command_kind;
pub mod config;
mod conn;
pub mod faults;
mod framing;
pub mod record;
pub mod server;
mod shared;
pub mod state_file;
pub mod tls;
pub mod world;

pub use config::{AccessPointConfig, AcsSimConfig, ObjectConfig, ZoneConfig, DEFAULT_MAX_LINE};
pub use conn::GARBAGE;
pub use faults::{CommandKind, FaultParseError, Faults, Selector};
pub use record::{ConnId, ReceivedCommand, REDACTED};
pub use server::{AcsSim, AcsSimHandle, WaitTimeout};
pub use state_file::StateFileError;
pub use tls::{server_config_from_files, server_config_from_pem, TlsError, TlsServerConfig};
