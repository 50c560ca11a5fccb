//! Simulators and config files for the tests.

use std::path::{Path, PathBuf};

use sim::acs::{AcsSim, AcsSimConfig, AcsSimHandle};
use sim::watcher::{PersonsFile, WatcherSim, WatcherSimConfig, WatcherSimHandle};

/// The ingest token of every test config (≥ 32 characters).
pub const TOKEN: &str = "tok-0123456789abcdef0123456789abcdef";
/// `watcher.public_url` of every test config.
pub const PUBLIC: &str = "http://bridge.test:8080";

/// Our notify URL.
pub fn ours() -> String {
    format!("{PUBLIC}/watcher/events/{TOKEN}")
}

/// A Watcher simulator with user admin/secret, cameras `entrance` (Entrance) and `exit`.
pub async fn watcher() -> WatcherSimHandle {
    let world = PersonsFile::from_json(
        r#"{"person_lists": [{"id": 1, "name": "Employees"}],
            "persons": [{"id": 135, "name": "Ivanov Ivan", "person_list_id": 1}],
            "cameras": [{"id": "entrance", "name": "Entrance"}, {"id": "cam-7", "name": "Exit"}],
            "users": [{"login": "admin", "password": "secret"}]}"#,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    WatcherSim::start(WatcherSimConfig::new(world), listener).unwrap()
}

/// An ACS simulator (user admin/secret) with access points 1 and 2 and objects 6, 7 and 8.
pub async fn acs() -> AcsSimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    AcsSim::start(AcsSimConfig::default(), listener)
}

/// Writes `facegate.toml`, the token file and `people.csv` into `dir`; `body` is everything
/// after `[ingest]` (watcher, acs, doors, identity).
pub fn site(dir: &Path, body: &str, table: &str) -> PathBuf {
    std::fs::write(dir.join("token"), TOKEN).unwrap();
    std::fs::write(dir.join("people.csv"), table).unwrap();
    let path = dir.join("facegate.toml");
    std::fs::write(
        &path,
        format!("[ingest]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"token\"\n{body}"),
    )
    .unwrap();
    path
}

/// `[watcher]` for the simulator at `url` (push mode), subscribing to `lists`.
pub fn watcher_section(url: &str, lists: &[u64]) -> String {
    let mut s = format!(
        "[watcher]\nurl = \"{url}\"\nlogin = \"admin\"\npassword = \"secret\"\npublic_url = \"{PUBLIC}\"\n"
    );
    for l in lists {
        s.push_str(&format!(
            "[[watcher.subscribe]]\nevent_type = \"push_person_list\"\nnotification_type = \"{l}\"\n"
        ));
    }
    s
}

/// `[[acs]]` for the simulator at `addr`.
pub fn acs_section(addr: std::net::SocketAddr) -> String {
    format!("[[acs]]\naddress = \"{addr}\"\nuser = \"admin\"\npassword = \"secret\"\n")
}

/// A `[[door]]`.
pub fn door(camera: &str, ap: u32) -> String {
    format!("[[door]]\ncamera = \"{camera}\"\naccess_point = {ap}\n")
}

/// `[identity]` with the table.
pub const TABLE_IDENTITY: &str = "[identity]\nmode = \"table\"\ntable = \"people.csv\"\n";
