//! The facegate bridge and its admin CLI: the `facegate` binary's whole implementation
//! (`run`, `demo`, `check [--online]`, `journal`, `mapping`, `subscriptions`), composed from
//! `acs-client`, `watcher-api` and `identity-core` as SPEC §2–7 describe.
//!
//! Layout: [`cli`] parses the command line and dispatches; [`config`] turns `facegate.toml`
//! into a resolved [`config::Config`] (every problem reported by key), helped by [`duration`],
//! [`size`] and [`secret`]; the admin commands are [`check`] (with [`online`] for
//! `--online`), [`journal_cmd`], [`mapping`] (the identity table workflow) and
//! [`subscriptions`] (Watcher push subscriptions); [`peers`] builds the clients of `online` and
//! `subscriptions` with short timeouts; [`journal`] is the SQLite journal with its batching
//! writer thread; [`app`] wires a running bridge: [`ingest`] (webhook HTTP server) → [`pipeline`] (identity-core decision, per-ACS
//! queues, acs-client) → journal and [`metrics`], served by [`admin`]; [`logbuf`] is the buffered, non-blocking stderr
//! writer of the log lines. This is the only crate
//! of the workspace that uses `anyhow`.
//!
//! ```no_run
//! // What `src/main.rs` of the `facegate` package does:
//! fn main() -> std::process::ExitCode {
//!     facegate_bridge::main_entry()
//! }
//! ```

pub mod admin;
pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod demo;
pub mod duration;
pub mod ingest;
pub mod journal;
pub mod journal_cmd;
pub mod logbuf;
pub mod mapping;
pub mod metrics;
pub mod online;
pub mod peers;
pub mod pipeline;
pub mod secret;
pub mod size;
pub mod subscriptions;

/// Entry point of the `facegate` binary.
pub fn main_entry() -> std::process::ExitCode {
    cli::main()
}
