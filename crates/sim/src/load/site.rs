//! The rehearsal site a load run drives: the ACS simulator's objects and the bridge
//! configuration pointing at it (SPEC §3).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use acs_proto::{AccessPointId, ObjectId};

use crate::acs::{AccessPointConfig, AcsSimConfig, ObjectConfig};

/// Environment variable the generated config names for the ingest token.
pub const TOKEN_ENV: &str = "FACEGATE_LOAD_TOKEN";
/// Environment variable the generated config names for the ACS password.
pub const PASSWORD_ENV: &str = "FACEGATE_LOAD_ACS_PASSWORD";
/// The access point every event opens.
pub const ACCESS_POINT: u32 = 1;

/// A simulator config with one access point and objects `first..first + count`, built in
/// one pass (`ensure_objects` is quadratic).
pub fn acs_config(first: u32, count: u32) -> AcsSimConfig {
    let mut config = AcsSimConfig {
        access_points: vec![AccessPointConfig::numbered(AccessPointId(ACCESS_POINT))],
        ..AcsSimConfig::default()
    };
    config.objects = (0..count)
        .filter_map(|i| first.checked_add(i))
        .map(|id| ObjectConfig::numbered(ObjectId(id)))
        .collect();
    config
}

/// A random ingest token: 40 hex digits (the bridge wants ≥ 32 URL-safe characters).
pub fn random_token() -> String {
    (0..40)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A free local port, found by binding `127.0.0.1:0` and letting go (another process could
/// take it in between; the bridge then fails to start and says so).
pub fn free_local_addr() -> std::io::Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()
}

/// The bridge configuration a load run writes.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// `[ingest] listen`.
    pub ingest: SocketAddr,
    /// `[admin] listen`.
    pub admin: SocketAddr,
    /// `[[acs]] address`: the simulator.
    pub acs: SocketAddr,
    /// `[[acs]] user`.
    pub acs_user: String,
    /// `[[acs]] connections`.
    pub acs_connections: u32,
    /// `[[door]] camera`.
    pub camera: String,
    /// `[journal] path`.
    pub journal: PathBuf,
    /// `[policy] cooldown`.
    pub cooldown: Duration,
    /// `[policy] max_event_age` (also the ACS command deadline).
    pub max_event_age: Duration,
    /// `[ingest] queue_capacity` (`None`: the bridge's default).
    pub queue_capacity: Option<u32>,
    /// `[watcher] url` (push mode, API key from [`WATCHER_KEY_ENV`], one subscription);
    /// `None`: no `[watcher]` section.
    pub watcher_url: Option<String>,
}

/// Environment variable the generated config names for the Watcher API key.
pub const WATCHER_KEY_ENV: &str = "FACEGATE_LOAD_WATCHER_KEY";

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl BridgeConfig {
    /// The TOML text (secrets by environment variable: [`TOKEN_ENV`], [`PASSWORD_ENV`]).
    pub fn to_toml(&self) -> String {
        let queue = self
            .queue_capacity
            .map(|q| format!("queue_capacity = {q}\n"))
            .unwrap_or_default();
        let watcher = self
            .watcher_url
            .as_ref()
            .map(|url| {
                format!(
                    "[watcher]\nurl = {url}\napi_key_env = {key}\nmode = \"push\"\n\
                     public_url = {public}\n\n\
                     [[watcher.subscribe]]\nevent_type = \"push_person_list\"\n\
                     notification_type = \"1\"\n\n",
                    url = quoted(url),
                    key = quoted(WATCHER_KEY_ENV),
                    public = quoted(&format!("http://{}", self.ingest)),
                )
            })
            .unwrap_or_default();
        format!(
            "# Written by `facegate-sim load`.\n\
             [ingest]\nlisten = {ingest}\ntoken_env = {token_env}\n{queue}\n{watcher}\
             [[acs]]\nname = \"sim\"\naddress = {acs}\nuser = {user}\n\
             password_env = {password_env}\nconnections = {conns}\nreply_timeout = \"2s\"\n\n\
             [[door]]\ncamera = {camera}\nacs = \"sim\"\naccess_point = {ap}\ndirection = \"in\"\n\n\
             [identity]\nmode = \"same\"\n\n\
             [policy]\nmax_event_age = {age}\nclock_skew = \"2s\"\ncooldown = {cooldown}\n\n\
             [journal]\npath = {journal}\n\n\
             [admin]\nlisten = {admin}\n",
            ingest = quoted(&self.ingest.to_string()),
            token_env = quoted(TOKEN_ENV),
            acs = quoted(&self.acs.to_string()),
            user = quoted(&self.acs_user),
            password_env = quoted(PASSWORD_ENV),
            conns = self.acs_connections,
            camera = quoted(&self.camera),
            ap = ACCESS_POINT,
            age = quoted(&human(self.max_event_age)),
            cooldown = quoted(&human(self.cooldown)),
            journal = quoted(&self.journal.to_string_lossy()),
            admin = quoted(&self.admin.to_string()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_valid_toml_with_the_spec_keys() {
        let c = BridgeConfig {
            ingest: "127.0.0.1:8081".parse().expect("addr"),
            admin: "127.0.0.1:9091".parse().expect("addr"),
            acs: "127.0.0.1:3313".parse().expect("addr"),
            acs_user: "admin".to_owned(),
            acs_connections: 2,
            camera: "load \"gate\"".to_owned(),
            journal: PathBuf::from("/tmp/x y/facegate.db"),
            cooldown: Duration::from_millis(1500),
            max_event_age: Duration::from_secs(60),
            queue_capacity: Some(4096),
            watcher_url: Some("http://127.0.0.1:9".to_owned()),
        };
        let v: toml::Value = toml::from_str(&c.to_toml()).expect("valid TOML");
        assert_eq!(v["ingest"]["listen"].as_str(), Some("127.0.0.1:8081"));
        assert_eq!(v["ingest"]["token_env"].as_str(), Some(TOKEN_ENV));
        assert_eq!(v["ingest"]["queue_capacity"].as_integer(), Some(4096));
        assert_eq!(v["acs"][0]["address"].as_str(), Some("127.0.0.1:3313"));
        assert_eq!(v["acs"][0]["password_env"].as_str(), Some(PASSWORD_ENV));
        assert_eq!(v["door"][0]["camera"].as_str(), Some("load \"gate\""));
        assert_eq!(v["door"][0]["access_point"].as_integer(), Some(1));
        assert_eq!(v["identity"]["mode"].as_str(), Some("same"));
        assert_eq!(v["policy"]["cooldown"].as_str(), Some("1500ms"));
        assert_eq!(v["policy"]["max_event_age"].as_str(), Some("60s"));
        assert_eq!(v["journal"]["path"].as_str(), Some("/tmp/x y/facegate.db"));
        assert_eq!(v["admin"]["listen"].as_str(), Some("127.0.0.1:9091"));
        assert_eq!(v["watcher"]["url"].as_str(), Some("http://127.0.0.1:9"));
        assert_eq!(v["watcher"]["mode"].as_str(), Some("push"));
        assert_eq!(
            v["watcher"]["subscribe"][0]["event_type"].as_str(),
            Some("push_person_list")
        );
    }

    #[test]
    fn the_simulator_knows_every_object_of_the_range_and_one_access_point() {
        let c = acs_config(1, 1000);
        assert_eq!(c.objects.len(), 1000);
        assert_eq!(c.objects[999].id, ObjectId(1000));
        assert_eq!(c.access_points.len(), 1);
    }

    #[test]
    fn tokens_are_forty_hex_digits() {
        let t = random_token();
        assert_eq!(t.len(), 40);
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
