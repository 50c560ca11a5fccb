//! Registers a Watcher push subscription and prints its id.
//!
//! ```text
//! WATCHER_API_KEY=… cargo run --example register_subscription -- \
//!     --watcher http://127.0.0.1:8090 --api-key-env WATCHER_API_KEY \
//!     --list 1 --notify-url http://127.0.0.1:8080/watcher/events/<token>
//! ```
//! or with a user: `--login admin --password-env WATCHER_PASSWORD`. Uses `ensure`, so running
//! it twice registers once; the id is printed either way (stdout), what happened on stderr.

use anyhow::{bail, Context as _};
use clap::Parser;
use watcher_api::client::{Credentials, NewSubscription, Secret, WatcherClient};

#[derive(Parser, Debug)]
#[command(about = "Register a Flussonic Watcher push subscription and print its id")]
struct Args {
    /// Watcher base URL, e.g. http://127.0.0.1:8090
    #[arg(long)]
    watcher: String,
    /// Environment variable holding a v2 API key (X-Vsaas-Api-Key).
    #[arg(long, conflicts_with_all = ["login", "password_env"])]
    api_key_env: Option<String>,
    /// User to log in as (with --password-env).
    #[arg(long, requires = "password_env")]
    login: Option<String>,
    /// Environment variable holding the password of --login.
    #[arg(long, requires = "login")]
    password_env: Option<String>,
    /// Any person of this person list (push_person_list).
    #[arg(long, group = "target")]
    list: Option<u64>,
    /// One person (push_person_single).
    #[arg(long, group = "target")]
    person: Option<u64>,
    /// Any person of this category (push_person_category).
    #[arg(long, group = "target")]
    category: Option<u64>,
    /// Where Watcher should POST the notifications.
    #[arg(long)]
    notify_url: String,
}

fn secret_from_env(var: &str) -> anyhow::Result<Secret> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
        Ok(_) => bail!("environment variable {var} is empty"),
        Err(_) => bail!("environment variable {var} is not set"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line a person can act on, never a backtrace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let credentials = match (&args.api_key_env, &args.login, &args.password_env) {
        (Some(var), _, _) => Credentials::ApiKey(secret_from_env(var)?),
        (None, Some(login), Some(var)) => Credentials::Login {
            login: login.clone(),
            password: secret_from_env(var)?,
        },
        _ => bail!("give --api-key-env VAR, or --login USER --password-env VAR"),
    };
    let (event_type, id) = match (args.list, args.person, args.category) {
        (Some(id), _, _) => ("push_person_list", id),
        (_, Some(id), _) => ("push_person_single", id),
        (_, _, Some(id)) => ("push_person_category", id),
        _ => bail!("give one of --list ID, --person ID or --category ID"),
    };
    let watcher = WatcherClient::builder(&args.watcher)
        .credentials(credentials)
        .build()
        .context("--watcher")?;
    let wanted = NewSubscription {
        event_type: event_type.into(),
        notification_type: id.to_string(),
        notify_url: args.notify_url.clone(),
    };
    let report = watcher
        .subscriptions()
        .ensure(std::slice::from_ref(&wanted))
        .await
        .with_context(|| format!("registering the subscription at {}", watcher.base_url()))?;
    let (sub, what) = match (report.created.first(), report.existing.first()) {
        (Some(sub), _) => (sub, "created"),
        (None, Some(sub)) => (sub, "already registered"),
        (None, None) => bail!("Watcher reported neither a new nor an existing subscription"),
    };
    eprintln!("{what}: {event_type} {id} -> {}", sub.notify_url);
    println!("{}", sub.id);
    Ok(())
}
