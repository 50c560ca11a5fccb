//! The simulated site: credentials, access points, objects, zones and server options.

use std::time::Duration;

use acs_proto::{
    AccessPointId, ApState, DoorState, ObjectId, ObjectInfo, ObjectKind, Secret, ZoneId,
};

use super::faults::Faults;

/// Default bound on one command line, in bytes (the server codec's default, 64 KiB).
pub const DEFAULT_MAX_LINE: usize = acs_proto::codec::SERVER_DEFAULT_MAX_LINE;

/// Everything the simulator knows at start. `Default` is a small site: user `admin` with
/// password `secret`, access points 1 and 2, objects 6, 7 and 8, zones 1 and 2.
#[derive(Clone, Debug)]
pub struct AcsSimConfig {
    /// The one OIF user that may log in.
    pub user: String,
    /// Its password (redacted in `Debug`).
    pub password: Secret,
    /// The access points (doors, turnstiles).
    pub access_points: Vec<AccessPointConfig>,
    /// The objects (people, guests, badges, cars).
    pub objects: Vec<ObjectConfig>,
    /// The zones.
    pub zones: Vec<ZoneConfig>,
    /// Behave like an older server that knows only bare `SUBSCRIBE`: `SUBSCRIBE CE` and
    /// `SUBSCRIBE CE_WITH_NAMES` are answered `ERROR 2 UNKNOWN COMMAND`.
    pub legacy_subscribe: bool,
    /// Longest accepted command line in bytes; a longer one is answered `ERROR 6`.
    pub max_line: usize,
    /// Most connections served at once; further ones are closed at accept.
    pub max_connections: usize,
    /// How long a TLS handshake may take before the connection is dropped.
    pub tls_handshake_timeout: Duration,
    /// Faults active from the start (changeable later through the handle).
    pub faults: Faults,
}

impl Default for AcsSimConfig {
    fn default() -> Self {
        Self {
            user: "admin".to_owned(),
            password: Secret::new("secret"),
            access_points: [1, 2]
                .into_iter()
                .map(|id| AccessPointConfig::numbered(AccessPointId(id)))
                .collect(),
            objects: [6, 7, 8]
                .into_iter()
                .map(|id| ObjectConfig::numbered(ObjectId(id)))
                .collect(),
            zones: vec![
                ZoneConfig {
                    id: ZoneId(1),
                    name: "Outside".to_owned(),
                },
                ZoneConfig {
                    id: ZoneId(2),
                    name: "Office".to_owned(),
                },
            ],
            legacy_subscribe: false,
            max_line: DEFAULT_MAX_LINE,
            max_connections: 1024,
            tls_handshake_timeout: Duration::from_secs(10),
            faults: Faults::default(),
        }
    }
}

impl AcsSimConfig {
    /// Makes sure access points with these ids exist, adding numbered ones for missing ids.
    pub fn ensure_access_points(&mut self, ids: impl IntoIterator<Item = AccessPointId>) {
        for id in ids {
            if !self.access_points.iter().any(|ap| ap.id == id) {
                self.access_points.push(AccessPointConfig::numbered(id));
            }
        }
    }

    /// Makes sure objects with these ids exist, adding numbered employees for missing ids.
    pub fn ensure_objects(&mut self, ids: impl IntoIterator<Item = ObjectId>) {
        for id in ids {
            if !self.objects.iter().any(|o| o.id == id) {
                self.objects.push(ObjectConfig::numbered(id));
            }
        }
    }

    /// Keeps only the access points whose ids are listed (in the listed order), adding
    /// numbered ones for ids not yet known.
    pub fn restrict_access_points(&mut self, ids: &[AccessPointId]) {
        self.ensure_access_points(ids.iter().copied());
        self.access_points.retain(|ap| ids.contains(&ap.id));
    }

    /// Keeps only the objects whose ids are listed, adding numbered ones for ids not yet known.
    pub fn restrict_objects(&mut self, ids: &[ObjectId]) {
        self.ensure_objects(ids.iter().copied());
        self.objects.retain(|o| ids.contains(&o.id));
    }
}

/// One access point.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccessPointConfig {
    /// Id used in commands.
    pub id: AccessPointId,
    /// Display name (any text; escaped on the wire).
    pub name: String,
    /// Zone on side A (where `OUT` leads).
    pub zone_a: ZoneId,
    /// Zone on side B (where `IN` leads).
    pub zone_b: ZoneId,
    /// Controller state at start; `SETAPMODE` changes it.
    pub state: ApState,
    /// Door sensor state.
    pub door: DoorState,
}

impl AccessPointConfig {
    /// An online, normal, closed access point named "Access point N" between zones 1 and 2.
    pub fn numbered(id: AccessPointId) -> Self {
        Self {
            id,
            name: format!("Access point {id}"),
            zone_a: ZoneId(1),
            zone_b: ZoneId(2),
            state: ApState::OnlineNormal,
            door: DoorState::Closed,
        }
    }
}

/// One object.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ObjectConfig {
    /// Id used in commands.
    pub id: ObjectId,
    /// Employee, guest, guest badge or car.
    pub kind: ObjectKind,
    /// Display name.
    pub name: String,
    /// Job title (people).
    pub position: Option<String>,
    /// Personnel number (people).
    pub tab_number: Option<String>,
    /// Licence plate (cars).
    pub number: Option<String>,
    /// Car model (cars).
    pub model: Option<String>,
    /// Zone the object is in at start (`GETLOCATION2`); zone 1 when not given.
    pub zone: Option<ZoneId>,
}

impl ObjectConfig {
    /// An employee named "Employee N" with tab number N (zero-padded to three digits).
    pub fn numbered(id: ObjectId) -> Self {
        Self {
            id,
            kind: ObjectKind::Employee,
            name: format!("Employee {id}"),
            position: Some("Staff".to_owned()),
            tab_number: Some(format!("{:03}", id.0)),
            number: None,
            model: None,
            zone: None,
        }
    }

    /// The `OBJECTINFO` item for this object.
    pub fn info(&self) -> ObjectInfo {
        ObjectInfo {
            kind: self.kind,
            id: self.id,
            name: self.name.clone(),
            position: self.position.clone(),
            tab_number: self.tab_number.clone(),
            number: self.number.clone(),
            model: self.model.clone(),
        }
    }
}

/// One zone.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ZoneConfig {
    /// Id.
    pub id: ZoneId,
    /// Display name.
    pub name: String,
}
