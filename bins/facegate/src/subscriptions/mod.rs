//! `facegate subscriptions list|sync|delete -c F`: the Watcher v2 push subscriptions.
//!
//! A subscription is *ours* when its `notify_url` is exactly `watcher.public_url +
//! /watcher/events/ + ingest.token`. `sync` makes the server hold exactly the configured ones
//! of ours (creates the missing, deletes ours that are not configured or duplicated); `delete`
//! removes ours. Subscriptions that do not point at our notify URL are never touched. Tokens
//! are never printed.
//!
//! Layout: `plan` is the pure part (ownership, the sync plan, URL redaction); this file talks
//! to Watcher and prints.

pub mod plan;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use watcher_api::client::{NewSubscription, Subscription, WatcherClient};

use crate::cli::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};
use crate::config::Config;
use crate::duration::parse_duration;
use crate::mapping::pending::write_aligned;
use plan::{notify_url, owner, redact, Owner};

/// `facegate subscriptions …`.
#[derive(Clone, Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Every subscription, with the notify URL's token hidden and whether it is ours.
    List(PeerArgs),
    /// Create the configured subscriptions that are missing; delete ours that are not configured.
    Sync(PeerArgs),
    /// Delete all of our subscriptions (or one, with --id).
    Delete {
        /// Config and timeout.
        #[command(flatten)]
        peer: PeerArgs,
        /// Delete only this subscription (it must be ours).
        #[arg(long)]
        id: Option<String>,
    },
}

/// The config file and the network timeout.
#[derive(Clone, Debug, Args)]
pub struct PeerArgs {
    /// The configuration file.
    #[arg(short, long, default_value = "facegate.toml")]
    pub config: PathBuf,
    /// Bound on each request to Watcher, e.g. `5s`.
    #[arg(long, default_value = "10s")]
    pub timeout: String,
}

type Failure = (u8, String);

/// Runs the command on a fresh runtime (the `facegate` binary's entry).
pub fn subscriptions_command(cmd: &SubscriptionsCommand) -> u8 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("facegate: cannot start the async runtime: {e}");
            return EXIT_ERROR;
        }
    };
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    runtime.block_on(run(cmd, &mut out, &mut err))
}

/// Runs the command: results to `out`, errors (one line each) to `err`; returns the exit code
/// (1 = config problem, 2 = Watcher refused or could not be reached).
pub async fn run(cmd: &SubscriptionsCommand, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let (peer, what) = match cmd {
        SubscriptionsCommand::List(p) => (p, Action::List),
        SubscriptionsCommand::Sync(p) => (p, Action::Sync),
        SubscriptionsCommand::Delete { peer, id } => (peer, Action::Delete(id.clone())),
    };
    match run_inner(peer, &what, out).await {
        Ok(()) => EXIT_OK,
        Err((code, line)) => {
            let _ = writeln!(err, "{line}");
            code
        }
    }
}

enum Action {
    List,
    Sync,
    Delete(Option<String>),
}

/// What a command needs from the config.
struct Target {
    client: WatcherClient,
    /// Our notify URL, when `public_url` and `[ingest]` are configured.
    ours: Option<String>,
    /// The token, to scrub from error texts.
    token: Option<String>,
    desired: Vec<NewSubscription>,
    file: String,
}

fn target(peer: &PeerArgs) -> Result<Target, Failure> {
    let timeout: Duration =
        parse_duration(&peer.timeout).map_err(|e| (EXIT_ERROR, format!("--timeout: {e}")))?;
    let config = Config::load(&peer.config).map_err(|e| (EXIT_PROBLEMS, e.lines().join("\n")))?;
    let file = peer.config.display().to_string();
    let Some(w) = &config.watcher else {
        return Err((
            EXIT_PROBLEMS,
            format!("{file}: [watcher] is not configured; there are no subscriptions to manage"),
        ));
    };
    let token = config.ingest.as_ref().map(|i| i.token.expose().to_owned());
    let ours = match (&w.public_url, &token) {
        (Some(public), Some(t)) => Some(notify_url(public, t)),
        _ => None,
    };
    let desired = match &ours {
        Some(url) => w
            .subscribe
            .iter()
            .map(|s| NewSubscription {
                event_type: s.event_type.clone(),
                notification_type: s.notification_type.clone(),
                notify_url: url.clone(),
            })
            .collect(),
        None => Vec::new(),
    };
    let client = crate::peers::watcher_client(w, timeout)
        .map_err(|e| (EXIT_PROBLEMS, format!("{file}: watcher: {e}")))?;
    Ok(Target {
        client,
        ours,
        token,
        desired,
        file,
    })
}

impl Target {
    /// A Watcher error as one line, the token scrubbed (a server may echo the URL back).
    fn fail(&self, e: &watcher_api::client::ClientError) -> Failure {
        let mut line = format!("facegate: {e}");
        if let Some(t) = self.token.as_deref().filter(|t| !t.is_empty()) {
            line = line.replace(t, "<token>");
        }
        (EXIT_ERROR, line)
    }

    fn ours_or_fail(&self) -> Result<&str, Failure> {
        self.ours.as_deref().ok_or_else(|| {
            (
                EXIT_PROBLEMS,
                format!(
                    "{}: our notify URL is unknown: set watcher.public_url and [ingest] token",
                    self.file
                ),
            )
        })
    }
}

async fn run_inner(peer: &PeerArgs, what: &Action, out: &mut dyn Write) -> Result<(), Failure> {
    let t = target(peer)?;
    let subs = t.client.subscriptions();
    let existing = subs.list().await.map_err(|e| t.fail(&e))?;
    let io = |e: std::io::Error| (EXIT_ERROR, format!("facegate: {e}"));
    match what {
        Action::List => print_list(&existing, t.ours.as_deref(), out).map_err(io),
        Action::Sync => {
            let ours = t.ours_or_fail()?;
            let p = plan::plan(&existing, &t.desired, ours);
            for s in &p.keep {
                let _ = writeln!(out, "kept     {}", describe(s));
            }
            let mut created = 0;
            for new in &p.create {
                let s = subs.create(new).await.map_err(|e| t.fail(&e))?;
                created += 1;
                let _ = writeln!(out, "created  {}", describe(&s));
            }
            let mut deleted = 0;
            for s in &p.delete {
                subs.delete(&s.id).await.map_err(|e| t.fail(&e))?;
                deleted += 1;
                let _ = writeln!(out, "deleted  {} (ours, not in the config)", describe(s));
            }
            writeln!(
                out,
                "sync: {created} created, {deleted} deleted, {} kept, {} not ours left alone",
                p.keep.len(),
                p.foreign.len()
            )
            .map_err(io)
        }
        Action::Delete(id) => {
            let ours = t.ours_or_fail()?;
            let targets: Vec<&Subscription> = match id {
                Some(id) => {
                    let Some(s) = existing.iter().find(|s| &s.id == id) else {
                        return Err((EXIT_PROBLEMS, format!("no subscription with id {id}")));
                    };
                    if owner(s, ours) != Owner::Ours {
                        return Err((
                            EXIT_PROBLEMS,
                            format!(
                                "subscription {id} does not point at our notify URL; not deleted"
                            ),
                        ));
                    }
                    vec![s]
                }
                None => existing
                    .iter()
                    .filter(|s| owner(s, ours) == Owner::Ours)
                    .collect(),
            };
            for s in &targets {
                subs.delete(&s.id).await.map_err(|e| t.fail(&e))?;
                let _ = writeln!(out, "deleted  {}", describe(s));
            }
            writeln!(out, "delete: {} of ours deleted", targets.len()).map_err(io)
        }
    }
}

fn describe(s: &Subscription) -> String {
    format!(
        "{} {} {}",
        s.id,
        s.event_type,
        s.notification_type.as_deref().unwrap_or("-")
    )
}

fn print_list(
    subs: &[Subscription],
    ours: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if subs.is_empty() {
        return writeln!(out, "(no subscriptions)");
    }
    let headers = [
        "ID",
        "EVENT TYPE",
        "NOTIFICATION TYPE",
        "NOTIFY URL",
        "OURS",
    ]
    .map(String::from);
    let rows: Vec<[String; 5]> = subs
        .iter()
        .map(|s| {
            [
                s.id.clone(),
                s.event_type.clone(),
                s.notification_type.clone().unwrap_or_else(|| "-".into()),
                redact(&s.notify_url),
                ours.map_or("?", |o| owner(s, o).as_str()).to_string(),
            ]
        })
        .collect();
    let printable = |c: String| crate::journal_cmd::printable(&c);
    let rows: Vec<[String; 5]> = rows.into_iter().map(|r| r.map(printable)).collect();
    write_aligned(&headers, &rows, out)?;
    if ours.is_none() {
        writeln!(
            out,
            "note: watcher.public_url or [ingest] is not set, so which ones are ours is unknown"
        )?;
    }
    Ok(())
}
