//! The demo's world: who exists in the simulated Watcher, the identity table, the bridge config.

use std::net::SocketAddr;
use std::path::Path;

/// Ivanov Ivan, an employee: Watcher person 135 → ACS object 6.
pub const EMPLOYEE: u64 = 135;
/// Petrova Anna, an employee: Watcher person 136 → ACS object 7.
pub const COLLEAGUE: u64 = 136;
/// A visitor on the deny list (Watcher list 3).
pub const VISITOR: u64 = 300;
/// A face Watcher knows but nobody mapped to an ACS object.
pub const UNMAPPED: u64 = 400;
/// A contractor whose *name* carries an OIF command: person 666 → object 8.
pub const INJECTOR: u64 = 666;
/// The injected text.
pub const INJECTION: &str = "Evil\r\nALLOWPASS 1 7 IN";

/// The simulated Watcher's persons file.
pub fn persons_json() -> String {
    serde_json::json!({
        "person_lists": [
            {"id": 1, "name": "Employees"},
            {"id": 3, "name": "Banned"}
        ],
        "persons": [
            {"id": EMPLOYEE, "name": "Ivanov Ivan", "person_list_id": 1, "external_id": "6"},
            {"id": COLLEAGUE, "name": "Petrova Anna", "person_list_id": 1, "external_id": "7"},
            {"id": VISITOR, "name": "Sidorov Visitor", "person_list_id": 3},
            {"id": UNMAPPED, "name": "New Face", "person_list_id": 1},
            {"id": INJECTOR, "name": INJECTION, "person_list_id": 1, "external_id": "8"}
        ],
        "cameras": [
            {"id": "entrance", "name": "Entrance"},
            {"id": "exit", "name": "Exit"}
        ]
    })
    .to_string()
}

/// The identity table (`watcher_person_id,acs_object_id,name`).
pub const PEOPLE_CSV: &str = "watcher_person_id,acs_object_id,name\n\
135,6,Ivanov Ivan\n\
136,7,Petrova Anna\n\
300,6,Sidorov Visitor\n\
666,8,Contractor\n";

/// The bridge configuration: everything on loopback, secrets inline (the demo's own).
pub fn bridge_toml(
    ingest: SocketAddr,
    token: &str,
    watcher_url: &str,
    watcher_key: &str,
    acs: SocketAddr,
    acs_password: &str,
    journal: &Path,
) -> String {
    format!(
        r#"
[ingest]
listen = "{ingest}"
token = "{token}"
max_body = "64KiB"

[watcher]
url = "{watcher_url}"
api_key = "{watcher_key}"
mode = "push"
public_url = "http://{ingest}"

[[watcher.subscribe]]
event_type = "push_person_list"
notification_type = "1"

[[watcher.subscribe]]
event_type = "push_person_list"
notification_type = "3"

[[acs]]
name = "demo"
address = "{acs}"
user = "admin"
password = "{acs_password}"
connections = 2
reply_timeout = "1s"

[[door]]
camera = "entrance"
access_point = 1
direction = "in"

[[door]]
camera = "exit"
access_point = 2
direction = "out"

[identity]
mode = "table"
table = "people.csv"

[policy]
max_event_age = "10s"
clock_skew = "2s"
cooldown = "5s"
allow_lists = [1]
deny_lists = [3]

[journal]
path = "{journal}"
retention = "1d"

[admin]
listen = "127.0.0.1:0"
"#,
        journal = journal.display(),
    )
}

/// A random lowercase hex string of `n` characters.
pub fn random_hex(n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect()
}
