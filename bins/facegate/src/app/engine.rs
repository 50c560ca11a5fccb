//! From the config file to the engine: doors, identity, policy, and the journal replay that
//! rebuilds de-duplication and cooldown state after a restart.

use identity_core::{AccessPointId, ObjectId, PersonId};
use identity_core::{Door, Engine, EngineConfig, IdentityMode, MappingTable, Policy, UnixMillis};

use crate::config::{self, Config};
use crate::journal::JournalRecord;

/// The engine configuration the config file describes.
pub fn engine_config(config: &Config) -> anyhow::Result<EngineConfig> {
    let doors = config
        .doors
        .iter()
        .map(|d| Door {
            camera: d.camera.clone(),
            acs: d.acs.clone(),
            access_point: AccessPointId(d.access_point),
            direction: d.direction,
        })
        .collect();
    let identity = match config.identity.mode {
        config::IdentityMode::Same => IdentityMode::Same,
        config::IdentityMode::ExternalId => IdentityMode::ExternalId,
        config::IdentityMode::Table => {
            let mut table = MappingTable::new();
            for row in &config.identity.rows {
                table
                    .insert(
                        PersonId(row.watcher_person_id),
                        ObjectId(row.acs_object_id),
                        row.name.clone(),
                    )
                    .map_err(|e| anyhow::anyhow!("identity table: person {} mapped twice", e.0))?;
            }
            IdentityMode::Table(table)
        }
    };
    let p = &config.policy;
    let policy = Policy {
        max_event_age: p.max_event_age,
        clock_skew: p.clock_skew,
        cooldown: p.cooldown,
        allow_lists: p.allow_lists.clone(),
        deny_lists: p.deny_lists.clone(),
        min_score: p.min_score,
        ..Policy::default()
    };
    Ok(EngineConfig {
        doors,
        identity,
        policy,
    })
}

/// Replays recent journal rows into the engine so a restart neither re-opens a door within
/// the cooldown nor accepts a re-delivered event. Returns (events, passes) remembered.
pub(super) fn rebuild_state(engine: &mut Engine, rows: &[JournalRecord]) -> (usize, usize) {
    let (mut events, mut passes) = (0, 0);
    for r in rows {
        if engine.remember_event(&r.event_key, UnixMillis(r.event_time)) {
            events += 1;
        }
        // The outcomes after which the ACS may have opened (or, dry run, would have).
        let holds_cooldown = matches!(
            r.outcome.as_str(),
            "granted" | "denied_by_acs" | "acs_timeout" | "dry_run"
        );
        let (Some(person), Some(acs), Some(ap), Some(dir)) =
            (r.person_id, &r.acs, r.access_point, r.direction.as_deref())
        else {
            continue;
        };
        let direction = match dir {
            "in" => identity_core::Direction::In,
            "out" => identity_core::Direction::Out,
            _ => identity_core::Direction::Unknown,
        };
        if holds_cooldown
            && engine.remember_pass(
                PersonId(person),
                acs,
                AccessPointId(ap),
                direction,
                UnixMillis(r.received_at),
            )
        {
            passes += 1;
        }
    }
    (events, passes)
}
