//! The simulator's world (the persons file of SPEC §4) and its knobs.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::WatcherSimError;

/// A person list (`person_lists[]` in the persons file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonList {
    /// List id; `push_person_list` and `push_person_category` subscriptions name it.
    pub id: u64,
    /// Display name, e.g. `Employees`.
    pub name: String,
}

/// A person (`persons[]` in the persons file; unknown faces are added at run time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Watcher person id (v2 `person.id`, v3 `person_id`).
    pub id: u64,
    /// Display name; `None` for faces the simulator created on its own.
    #[serde(default)]
    pub name: Option<String>,
    /// The list the person belongs to; `None` for unknown faces.
    #[serde(default)]
    pub person_list_id: Option<u64>,
    /// Identifier in the external system (where an installation keeps the ACS object id).
    #[serde(default)]
    pub external_id: Option<String>,
}

/// A camera (`cameras[]` in the persons file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Camera {
    /// Camera id as Watcher sends it in `camera_id` / `media` (e.g. `entrance`).
    pub id: String,
    /// Display name as Watcher sends it in `camera` (e.g. `Entrance`).
    pub name: String,
}

/// A user (`users[]`): `login` and either `password_env` (preferred) or an inline `password`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Login name for v2 `auth/login` and v3 Basic auth.
    pub login: String,
    /// Name of the environment variable holding the password (read at each login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// Inline password (fine for tests; a real file should use `password_env`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl User {
    /// A user with an inline password (convenient in tests).
    pub fn with_password(login: impl Into<String>, password: impl Into<String>) -> Self {
        User {
            login: login.into(),
            password_env: None,
            password: Some(password.into()),
        }
    }

    /// The password, read from the environment when `password_env` is set.
    /// `None` when neither is available (that user cannot log in).
    pub fn resolve_password(&self) -> Option<String> {
        if let Some(var) = &self.password_env {
            if let Ok(value) = std::env::var(var) {
                return Some(value);
            }
        }
        self.password.clone()
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("login", &self.login)
            .field("password_env", &self.password_env)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The persons file of SPEC §4: the simulator's whole world.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonsFile {
    /// Person lists.
    #[serde(default)]
    pub person_lists: Vec<PersonList>,
    /// Known persons.
    #[serde(default)]
    pub persons: Vec<Person>,
    /// Cameras.
    #[serde(default)]
    pub cameras: Vec<Camera>,
    /// Users who may log in.
    #[serde(default)]
    pub users: Vec<User>,
}

impl PersonsFile {
    /// Parses and validates a persons file from JSON text.
    pub fn from_json(text: &str) -> Result<Self, WatcherSimError> {
        let file: PersonsFile =
            serde_json::from_str(text).map_err(|e| WatcherSimError::PersonsFile {
                reason: e.to_string(),
            })?;
        file.validate()?;
        Ok(file)
    }

    /// Reads, parses and validates a persons file.
    pub fn load(path: &Path) -> Result<Self, WatcherSimError> {
        let text = std::fs::read_to_string(path).map_err(|e| WatcherSimError::PersonsFile {
            reason: format!("{}: {e}", path.display()),
        })?;
        Self::from_json(&text).map_err(|e| match e {
            WatcherSimError::PersonsFile { reason } => WatcherSimError::PersonsFile {
                reason: format!("{}: {reason}", path.display()),
            },
            other => other,
        })
    }

    /// Checks ids are unique and every person's list exists.
    pub fn validate(&self) -> Result<(), WatcherSimError> {
        let bad = |reason: String| Err(WatcherSimError::PersonsFile { reason });
        for (i, list) in self.person_lists.iter().enumerate() {
            if self.person_lists[..i].iter().any(|l| l.id == list.id) {
                return bad(format!("person_lists[{i}].id: duplicate id {}", list.id));
            }
        }
        for (i, person) in self.persons.iter().enumerate() {
            if self.persons[..i].iter().any(|p| p.id == person.id) {
                return bad(format!("persons[{i}].id: duplicate id {}", person.id));
            }
            if let Some(list) = person.person_list_id {
                if !self.person_lists.iter().any(|l| l.id == list) {
                    return bad(format!(
                        "persons[{i}].person_list_id: no person list {list}"
                    ));
                }
            }
        }
        for (i, camera) in self.cameras.iter().enumerate() {
            if self.cameras[..i].iter().any(|c| c.id == camera.id) {
                return bad(format!("cameras[{i}].id: duplicate id {:?}", camera.id));
            }
        }
        for (i, user) in self.users.iter().enumerate() {
            if user.password_env.is_none() && user.password.is_none() {
                return bad(format!("users[{i}]: needs password_env or password"));
            }
        }
        Ok(())
    }
}

/// How a recognition is delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DeliveryMode {
    /// The article's form: `notification{…, data{…}}` POSTed to every matching subscription.
    #[default]
    Push,
    /// The mobile-push convention: `data` as a top-level sibling of `notification`.
    PushTopLevel,
    /// A JSON array of activity events POSTed to one configured URL (the v2 "external URL for
    /// event notifications"); subscriptions are kept but not delivered to in this mode.
    Activity {
        /// Where the arrays are POSTed (`http://` only).
        url: String,
    },
}

/// Everything the simulator needs to start.
#[derive(Clone)]
pub struct WatcherSimConfig {
    /// The world: person lists, persons, cameras, users.
    pub world: PersonsFile,
    /// Static v2 API key accepted in `X-Vsaas-Api-Key`; `None` = only sessions.
    pub api_key: Option<String>,
    /// Delivery form.
    pub delivery: DeliveryMode,
    /// Deadline of one delivery (connect + request + response head).
    pub delivery_timeout: Duration,
    /// A sighting of the same person on the same camera within this window updates the open
    /// episode instead of creating a new one.
    pub episode_merge_window: Duration,
    /// Episodes kept (oldest by `updated_at` dropped first).
    pub max_episodes: usize,
    /// Delivery log entries kept (ring).
    pub max_deliveries: usize,
    /// Activity events kept for `GET /vsaas/api/v2/events?type=activity` (ring).
    pub max_activity_events: usize,
    /// Subscriptions kept; creating more is refused with 400.
    pub max_subscriptions: usize,
    /// Persons created for unknown faces kept (the oldest is forgotten first).
    pub max_unknown_persons: usize,
    /// Upper bound on a client's `poll_timeout`.
    pub max_poll_timeout: Duration,
    /// Lifetime of a v3 access token.
    pub token_lifetime: Duration,
    /// Largest request body accepted (bytes).
    pub max_body: usize,
}

impl WatcherSimConfig {
    /// Defaults around a given world.
    pub fn new(world: PersonsFile) -> Self {
        WatcherSimConfig {
            world,
            ..Self::default()
        }
    }
}

impl Default for WatcherSimConfig {
    fn default() -> Self {
        WatcherSimConfig {
            world: PersonsFile::default(),
            api_key: None,
            delivery: DeliveryMode::Push,
            delivery_timeout: Duration::from_secs(2),
            episode_merge_window: Duration::from_secs(10),
            max_episodes: 10_000,
            max_deliveries: 1_000,
            max_activity_events: 10_000,
            max_subscriptions: 1_000,
            max_unknown_persons: 10_000,
            max_poll_timeout: Duration::from_secs(60),
            token_lifetime: Duration::from_secs(3600),
            max_body: 1 << 20,
        }
    }
}

impl fmt::Debug for WatcherSimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatcherSimConfig")
            .field("world", &self.world)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("delivery", &self.delivery)
            .field("delivery_timeout", &self.delivery_timeout)
            .field("episode_merge_window", &self.episode_merge_window)
            .field("max_episodes", &self.max_episodes)
            .field("max_deliveries", &self.max_deliveries)
            .field("max_activity_events", &self.max_activity_events)
            .field("max_subscriptions", &self.max_subscriptions)
            .field("max_unknown_persons", &self.max_unknown_persons)
            .field("max_poll_timeout", &self.max_poll_timeout)
            .field("token_lifetime", &self.token_lifetime)
            .field("max_body", &self.max_body)
            .finish()
    }
}
