//! Shared builders for the integration tests.
#![allow(dead_code)]

use std::time::Duration;

use identity_core::*;

pub const T0: i64 = 1_733_300_000_000;

pub fn door(camera: &str, acs: &str, ap: u32, direction: Direction) -> Door {
    Door {
        camera: camera.into(),
        acs: acs.into(),
        access_point: AccessPointId(ap),
        direction,
    }
}

/// Doors: "entrance" (hq/1/in), "exit" (hq/1/out), "lobby" serves hq/2/in and hq/3/out.
/// Table: persons 135→6, 136→7, 140→10. Allow lists [1, 2], deny [3], min score 0.8.
pub fn config() -> EngineConfig {
    let table = MappingTable::parse_csv("135,6,Ivanov\n136,7\n140,10\n").expect("table");
    EngineConfig {
        doors: vec![
            door("entrance", "hq", 1, Direction::In),
            door("exit", "hq", 1, Direction::Out),
            door("lobby", "hq", 2, Direction::In),
            door("lobby", "hq", 3, Direction::Out),
        ],
        identity: IdentityMode::Table(table),
        policy: Policy {
            allow_lists: vec![1, 2],
            deny_lists: vec![3],
            min_score: Some(0.8),
            ..Policy::default()
        },
    }
}

pub fn engine() -> Engine {
    Engine::new(config()).expect("valid config")
}

pub fn sighting(person: u64, camera: &str, key: &str, event_time: i64) -> Sighting {
    Sighting {
        source: Source::Push,
        event_key: if key.is_empty() {
            None
        } else {
            Some(key.to_owned())
        },
        person: PersonRef {
            id: PersonId(person),
            external_id: None,
            list_id: Some(1),
            name: Some(format!("person {person}")),
        },
        camera: CameraRef {
            id: None,
            name: Some(camera.to_owned()),
        },
        event_time: UnixMillis(event_time),
        score: None,
        action: Action::Enter,
    }
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn outcome(d: &Decision) -> Option<Outcome> {
    d.rejected()
}
