//! The resolved configuration: every default applied, every secret read, every path absolute
//! (relative to the config file's directory), every name cross-checked.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use acs_proto::{Direction, Secret};

use super::cidr::Cidr;
use super::problem::Problem;
use super::table::MappingRow;

/// The whole bridge configuration (SPEC §3), as [`Config::load`](super::Config::load) returns it.
#[derive(Clone, Debug)]
pub struct Config {
    /// `[ingest]`: the webhook listener; `None` when the source is `[watcher] mode = "poll"`.
    pub ingest: Option<IngestConfig>,
    /// `[watcher]`: subscriptions to ensure (push) or episodes to poll; `None` = nothing registered.
    pub watcher: Option<WatcherConfig>,
    /// `[[acs]]`: one or more ACS servers (never empty).
    pub acs: Vec<AcsServerConfig>,
    /// `[[door]]`: camera → access point and direction (never empty).
    pub doors: Vec<DoorConfig>,
    /// `[identity]`: how a Watcher person becomes an ACS object.
    pub identity: IdentityConfig,
    /// `[policy]`: admission rules.
    pub policy: PolicyConfig,
    /// `[journal]`: where sightings are recorded.
    pub journal: JournalConfig,
    /// `[admin]`: metrics/health listener; `None` = no admin listener.
    pub admin: Option<AdminConfig>,
    /// The file this configuration was read from (`<memory>` for [`Config::from_toml_str`](super::Config::from_toml_str)).
    pub source_path: PathBuf,
    /// Things that work but deserve attention (inline secrets, ignored keys); `check` prints them.
    pub warnings: Vec<Problem>,
}

/// `[ingest]`: the HTTP(S) webhook listener Watcher posts to.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// `listen`, default `0.0.0.0:8080`.
    pub listen: SocketAddr,
    /// `token` / `token_env` / `token_file` (required, ≥ 32 characters): the secret path segment.
    pub token: Secret,
    /// `allow_from`: source CIDRs; empty = every source.
    pub allow_from: Vec<Cidr>,
    /// `max_body` in bytes, default 64 KiB.
    pub max_body: usize,
    /// `tls_cert` + `tls_key`: serve HTTPS when both are set.
    pub tls: Option<TlsFiles>,
    /// `queue_capacity`: sightings waiting for the pipeline before `503`, default 1024.
    pub queue_capacity: usize,
}

impl IngestConfig {
    /// True when `addr` may post (empty `allow_from` allows everyone).
    pub fn allows(&self, addr: std::net::IpAddr) -> bool {
        self.allow_from.is_empty() || self.allow_from.iter().any(|c| c.contains(addr))
    }
}

/// A PEM certificate chain and private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// `tls_cert`: PEM certificate chain.
    pub cert: PathBuf,
    /// `tls_key`: PEM private key.
    pub key: PathBuf,
}

/// `[watcher]`: the Watcher server.
#[derive(Clone, Debug)]
pub struct WatcherConfig {
    /// `url`: base URL, e.g. `https://watcher.example`.
    pub url: String,
    /// `api_key*` or `login` + `password*`.
    pub credentials: WatcherCredentials,
    /// `mode`: `push` (default) or `poll`.
    pub mode: WatcherMode,
    /// `public_url`: base of the `notify_url` given to Watcher (push mode).
    pub public_url: Option<String>,
    /// `[[watcher.subscribe]]`: subscriptions ensured at start (push mode).
    pub subscribe: Vec<SubscribeConfig>,
}

/// How facegate authenticates to Watcher.
#[derive(Clone, Debug)]
pub enum WatcherCredentials {
    /// `api_key` / `api_key_env` / `api_key_file` (v2 `X-Vsaas-Api-Key`).
    ApiKey(Secret),
    /// `login` + `password` / `password_env` / `password_file`.
    Login {
        /// The login name.
        login: String,
        /// The password.
        password: Secret,
    },
}

/// `watcher.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatcherMode {
    /// Watcher posts to `[ingest]` via v2 subscriptions.
    Push,
    /// facegate long-polls v3 episodes.
    Poll,
}

/// One `[[watcher.subscribe]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeConfig {
    /// `event_type`, e.g. `push_person_list`.
    pub event_type: String,
    /// `notification_type`, e.g. the list id `"1"`.
    pub notification_type: String,
}

/// One `[[acs]]` server.
#[derive(Clone, Debug)]
pub struct AcsServerConfig {
    /// `name` (doors refer to it); `"default"` when omitted with a single `[[acs]]`.
    pub name: String,
    /// `address`: `host:port`; the OIF default port 3312 is added when no port is given.
    pub address: String,
    /// `user` for `LOGIN`.
    pub user: String,
    /// `password` / `password_env` / `password_file`.
    pub password: Secret,
    /// `tls`: connect with TLS (default false).
    pub tls: bool,
    /// `tls_ca`: PEM CA bundle for a private CA.
    pub tls_ca: Option<PathBuf>,
    /// `connections`: links in the pool (default 2).
    pub connections: usize,
    /// `reply_timeout` (default 2 s).
    pub reply_timeout: Duration,
    /// `dry_run`: never send `ALLOWPASS` to this server (default false).
    pub dry_run: bool,
}

/// One `[[door]]`: a camera watching an access point in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoorConfig {
    /// `camera`: camera name or id as Watcher sends it.
    pub camera: String,
    /// `acs`: the `[[acs]]` name (filled in when omitted with a single `[[acs]]`).
    pub acs: String,
    /// `access_point`: the ACS access point id.
    pub access_point: u32,
    /// `direction`: `in`, `out` or `unknown` (default `unknown`).
    pub direction: Direction,
}

/// `identity.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityMode {
    /// The Watcher person id is the ACS object id.
    Same,
    /// A CSV table maps person ids to object ids.
    Table,
    /// The person's `external_id` in Watcher is the ACS object id.
    ExternalId,
}

/// `[identity]`.
#[derive(Clone, Debug)]
pub struct IdentityConfig {
    /// `mode`.
    pub mode: IdentityMode,
    /// `table`: the CSV file (mode `table` only).
    pub table: Option<PathBuf>,
    /// The table rows as read while validating (empty unless mode `table`). The running bridge
    /// re-reads the file on change; this is the snapshot `check` counted.
    pub rows: Vec<MappingRow>,
}

/// `[policy]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyConfig {
    /// `max_event_age` (default 10 s): older events are `stale`; also the command deadline.
    pub max_event_age: Duration,
    /// `clock_skew` (default 2 s): events further ahead are `future`.
    pub clock_skew: Duration,
    /// `cooldown` (default 5 s) per person, door and direction.
    pub cooldown: Duration,
    /// `allow_lists`: person lists allowed; empty = every list.
    pub allow_lists: Vec<u64>,
    /// `deny_lists`: person lists never allowed.
    pub deny_lists: Vec<u64>,
    /// `min_score` in 0..=1, where the source gives a score.
    pub min_score: Option<f32>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            max_event_age: Duration::from_secs(10),
            clock_skew: Duration::from_secs(2),
            cooldown: Duration::from_secs(5),
            allow_lists: Vec::new(),
            deny_lists: Vec::new(),
            min_score: None,
        }
    }
}

/// `[journal]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalConfig {
    /// `path` (default `facegate.db` beside the config file).
    pub path: PathBuf,
    /// `retention` (default 90 days): older rows are pruned hourly.
    pub retention: Duration,
}

/// `[admin]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminConfig {
    /// `listen`, default `127.0.0.1:9090`.
    pub listen: SocketAddr,
}
