//! The state file: a TOML or JSON description of the simulated site.
//!
//! Every section is optional; what is present replaces the matching part of
//! [`AcsSimConfig::default()`]. Unknown keys are errors.
//!
//! ```toml
//! legacy_subscribe = false
//!
//! [[access_points]]
//! id = 1
//! name = "Main entrance"
//! zone_a = 1
//! zone_b = 2
//! state = "ONLINE_NORMAL"   # OFFLINE | ONLINE_NORMAL | ONLINE_LOCKED | ONLINE_UNLOCKED
//! door = "CLOSED"           # UNKNOWN | OPENED | CLOSED
//!
//! [[objects]]
//! id = 6
//! kind = "EMP"              # EMP | GUEST | GUESTBADGE | CAR
//! name = "Ivanov Ivan"
//! position = "Lawyer"
//! tab_number = "006"
//! zone = 1
//!
//! [[zones]]
//! id = 1
//! name = "Street"
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use acs_proto::{AccessPointId, ApState, DoorState, ObjectId, ObjectKind, Secret, ZoneId};
use serde::Deserialize;

use super::config::{AccessPointConfig, AcsSimConfig, ObjectConfig, ZoneConfig};

/// A state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    /// The file could not be read.
    #[error("cannot read state file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The TOML did not match the expected layout.
    #[error("state file {path}: {error}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the key).
        error: toml::de::Error,
    },
    /// The JSON did not match the expected layout.
    #[error("state file {path}: {error}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message (names line and column).
        error: serde_json::Error,
    },
    /// The layout was fine but the content is inconsistent (e.g. a duplicate id).
    #[error("state file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    user: Option<String>,
    password: Option<String>,
    legacy_subscribe: Option<bool>,
    access_points: Option<Vec<ApEntry>>,
    objects: Option<Vec<ObjectEntry>>,
    zones: Option<Vec<ZoneEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApEntry {
    id: u32,
    name: Option<String>,
    zone_a: Option<u32>,
    zone_b: Option<u32>,
    state: Option<StateName>,
    door: Option<DoorName>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectEntry {
    id: u32,
    kind: Option<KindName>,
    name: Option<String>,
    position: Option<String>,
    tab_number: Option<String>,
    number: Option<String>,
    model: Option<String>,
    zone: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneEntry {
    id: u32,
    name: String,
}

#[derive(Deserialize, Clone, Copy)]
enum StateName {
    #[serde(rename = "OFFLINE", alias = "offline")]
    Offline,
    #[serde(rename = "ONLINE_NORMAL", alias = "online_normal")]
    OnlineNormal,
    #[serde(rename = "ONLINE_LOCKED", alias = "online_locked")]
    OnlineLocked,
    #[serde(rename = "ONLINE_UNLOCKED", alias = "online_unlocked")]
    OnlineUnlocked,
}

#[derive(Deserialize, Clone, Copy)]
enum DoorName {
    #[serde(rename = "UNKNOWN", alias = "unknown")]
    Unknown,
    #[serde(rename = "OPENED", alias = "opened")]
    Opened,
    #[serde(rename = "CLOSED", alias = "closed")]
    Closed,
}

#[derive(Deserialize, Clone, Copy)]
enum KindName {
    #[serde(rename = "EMP", alias = "emp")]
    Employee,
    #[serde(rename = "GUEST", alias = "guest")]
    Guest,
    #[serde(rename = "GUESTBADGE", alias = "guestbadge")]
    GuestBadge,
    #[serde(rename = "CAR", alias = "car")]
    Car,
}

impl AcsSimConfig {
    /// Loads a state file: JSON when the name ends in `.json`, TOML otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, StateFileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| StateFileError::Read {
            path: path.to_owned(),
            error,
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            Self::from_json_str(&text).map_err(|e| e.with_path(path))
        } else {
            Self::from_toml_str(&text).map_err(|e| e.with_path(path))
        }
    }

    /// Parses a TOML state file's text.
    pub fn from_toml_str(text: &str) -> Result<Self, StateFileError> {
        let file: StateFile = toml::from_str(text).map_err(|error| StateFileError::Toml {
            path: PathBuf::new(),
            error,
        })?;
        file.into_config()
    }

    /// Parses a JSON state file's text.
    pub fn from_json_str(text: &str) -> Result<Self, StateFileError> {
        let file: StateFile = serde_json::from_str(text).map_err(|error| StateFileError::Json {
            path: PathBuf::new(),
            error,
        })?;
        file.into_config()
    }
}

impl StateFileError {
    fn with_path(self, p: &Path) -> Self {
        let path = p.to_owned();
        match self {
            StateFileError::Read { error, .. } => StateFileError::Read { path, error },
            StateFileError::Toml { error, .. } => StateFileError::Toml { path, error },
            StateFileError::Json { error, .. } => StateFileError::Json { path, error },
            StateFileError::Invalid { message, .. } => StateFileError::Invalid { path, message },
        }
    }
}

fn invalid(message: String) -> StateFileError {
    StateFileError::Invalid {
        path: PathBuf::new(),
        message,
    }
}

fn check_unique(what: &str, ids: impl Iterator<Item = u32>) -> Result<(), StateFileError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(invalid(format!("duplicate {what} id {id}")));
        }
    }
    Ok(())
}

impl StateFile {
    fn into_config(self) -> Result<AcsSimConfig, StateFileError> {
        let mut config = AcsSimConfig::default();
        if let Some(user) = self.user {
            config.user = user;
        }
        if let Some(password) = self.password {
            config.password = Secret::new(password);
        }
        if let Some(legacy) = self.legacy_subscribe {
            config.legacy_subscribe = legacy;
        }
        if let Some(aps) = self.access_points {
            check_unique("access point", aps.iter().map(|a| a.id))?;
            config.access_points = aps.into_iter().map(ApEntry::into_config).collect();
        }
        if let Some(objects) = self.objects {
            check_unique("object", objects.iter().map(|o| o.id))?;
            if objects.iter().any(|o| o.id == 0) {
                return Err(invalid("object id 0 means \"no object\" in OIF".into()));
            }
            config.objects = objects.into_iter().map(ObjectEntry::into_config).collect();
        }
        if let Some(zones) = self.zones {
            check_unique("zone", zones.iter().map(|z| z.id))?;
            config.zones = zones
                .into_iter()
                .map(|z| ZoneConfig {
                    id: ZoneId(z.id),
                    name: z.name,
                })
                .collect();
        }
        Ok(config)
    }
}

impl ApEntry {
    fn into_config(self) -> AccessPointConfig {
        let base = AccessPointConfig::numbered(AccessPointId(self.id));
        AccessPointConfig {
            id: base.id,
            name: self.name.unwrap_or(base.name),
            zone_a: self.zone_a.map(ZoneId).unwrap_or(base.zone_a),
            zone_b: self.zone_b.map(ZoneId).unwrap_or(base.zone_b),
            state: match self.state {
                None => base.state,
                Some(StateName::Offline) => ApState::Offline,
                Some(StateName::OnlineNormal) => ApState::OnlineNormal,
                Some(StateName::OnlineLocked) => ApState::OnlineLocked,
                Some(StateName::OnlineUnlocked) => ApState::OnlineUnlocked,
            },
            door: match self.door {
                None => base.door,
                Some(DoorName::Unknown) => DoorState::Unknown,
                Some(DoorName::Opened) => DoorState::Opened,
                Some(DoorName::Closed) => DoorState::Closed,
            },
        }
    }
}

impl ObjectEntry {
    fn into_config(self) -> ObjectConfig {
        let kind = match self.kind {
            None | Some(KindName::Employee) => ObjectKind::Employee,
            Some(KindName::Guest) => ObjectKind::Guest,
            Some(KindName::GuestBadge) => ObjectKind::GuestBadge,
            Some(KindName::Car) => ObjectKind::Car,
        };
        ObjectConfig {
            id: ObjectId(self.id),
            kind,
            name: self.name.unwrap_or_else(|| format!("Object {}", self.id)),
            position: self.position,
            tab_number: self.tab_number,
            number: self.number,
            model: self.model,
            zone: self.zone.map(ZoneId),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_state_file_replaces_only_the_sections_it_has() {
        let c = AcsSimConfig::from_toml_str(
            r#"
            [[access_points]]
            id = 5
            name = "Gate"
            state = "ONLINE_LOCKED"
            [[objects]]
            id = 42
            kind = "CAR"
            name = "Truck"
            number = "A123BC"
            "#,
        )
        .expect("valid state file");
        assert_eq!(c.access_points.len(), 1);
        assert_eq!(c.access_points[0].state, ApState::OnlineLocked);
        assert_eq!(c.objects[0].kind, ObjectKind::Car);
        assert_eq!(c.objects[0].number.as_deref(), Some("A123BC"));
        assert_eq!(c.zones.len(), 2, "zones kept from the default");
        assert_eq!(c.user, "admin");
    }

    #[test]
    fn a_json_state_file_is_read_too() {
        let c = AcsSimConfig::from_json_str(
            r#"{"zones":[{"id":7,"name":"Lab"}],"legacy_subscribe":true}"#,
        )
        .expect("valid state file");
        assert_eq!(c.zones[0].id, ZoneId(7));
        assert!(c.legacy_subscribe);
    }

    #[test]
    fn unknown_keys_and_duplicate_ids_are_rejected() {
        assert!(matches!(
            AcsSimConfig::from_toml_str("colour = 1"),
            Err(StateFileError::Toml { .. })
        ));
        let dup = "[[zones]]\nid = 1\nname = \"a\"\n[[zones]]\nid = 1\nname = \"b\"\n";
        assert!(matches!(
            AcsSimConfig::from_toml_str(dup),
            Err(StateFileError::Invalid { .. })
        ));
    }
}
