//! The push notification Watcher POSTs to a v2 subscription's `notify_url` (the article's form).

use serde_json::{Map, Value};

use super::lenient::{self, Path};
use super::{PayloadError, PersonId, PersonListId, UnixMs};

/// Where the `data` object was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataLocation {
    /// `notification.data`, as in the article's sample.
    InNotification,
    /// A top-level `data`, as in the mobile-push convention.
    TopLevel,
}

/// The `notification` envelope (all optional; Watcher may leave any of it empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotificationMeta {
    /// `notification.id`; `None` when absent or empty. Not a unique event key.
    pub id: Option<String>,
    /// Human-readable text, e.g. "Person detected".
    pub body: Option<String>,
    /// Grouping key of the mobile notification.
    pub group: Option<String>,
}

/// The recognised person (`data.person`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushPerson {
    /// Watcher person id.
    pub id: PersonId,
    /// Display name, if given.
    pub name: Option<String>,
    /// The person list the person belongs to.
    pub person_list_id: Option<PersonListId>,
    /// First time Watcher saw the person (free-form text as sent).
    pub first_seen_at: Option<String>,
    /// Last time Watcher saw the person (free-form text as sent).
    pub last_seen_at: Option<String>,
}

/// The `data` object of a push notification.
#[derive(Clone, Debug, PartialEq)]
pub struct PushData {
    /// UI hint, e.g. `camera_events`.
    pub target_screen: Option<String>,
    /// Event kind, e.g. `person`.
    pub event: Option<String>,
    /// Undocumented; kept verbatim, not acted on.
    pub person_look_took: Option<Value>,
    /// `event_start_at` (sent in seconds).
    pub event_start_at: Option<UnixMs>,
    /// `utc` (sent in seconds).
    pub utc: Option<UnixMs>,
    /// Camera name (`data.camera`).
    pub camera: Option<String>,
    /// Camera id (`data.camera_id`).
    pub camera_id: Option<String>,
    /// The recognised person.
    pub person: PushPerson,
}

/// A push notification (the body Watcher POSTs to a v2 subscription's `notify_url`).
#[derive(Clone, Debug, PartialEq)]
pub struct PushNotification {
    /// `priority` of the mobile push, e.g. `high`.
    pub priority: Option<String>,
    /// The `notification` envelope (empty when the body has none).
    pub notification: NotificationMeta,
    /// Where `data` was found.
    pub data_location: DataLocation,
    /// The recognition itself.
    pub data: PushData,
}

impl PushNotification {
    /// The recognised person's Watcher id.
    pub fn person_id(&self) -> PersonId {
        self.data.person.id
    }

    /// The recognised person's name, if given.
    pub fn person_name(&self) -> Option<&str> {
        self.data.person.name.as_deref()
    }

    /// The person list of the recognised person, if given.
    pub fn list_id(&self) -> Option<PersonListId> {
        self.data.person.person_list_id
    }

    /// Camera name, if given.
    pub fn camera_name(&self) -> Option<&str> {
        self.data.camera.as_deref()
    }

    /// Camera id, if given.
    pub fn camera_id(&self) -> Option<&str> {
        self.data.camera_id.as_deref()
    }

    /// When the recognition happened: `event_start_at`, falling back to `utc`.
    pub fn event_time(&self) -> Option<UnixMs> {
        self.data.event_start_at.or(self.data.utc)
    }

    /// `notification.id`, `None` when absent or empty.
    pub fn notification_id(&self) -> Option<&str> {
        self.notification.id.as_deref()
    }
}

/// Reads a push notification from the root object.
pub(super) fn from_map(root: &Map<String, Value>) -> Result<PushNotification, PayloadError> {
    let path = Path::Root;
    let envelope = lenient::opt_object(root, "notification", path)?;
    let notification_path = path.key("notification");
    let inner_data = match envelope {
        Some(env) => lenient::opt_object(env, "data", notification_path)?,
        None => None,
    };
    let (data, data_location) = match inner_data {
        Some(data) => (data, DataLocation::InNotification),
        None => match root.get("data") {
            Some(Value::Object(data)) => (data, DataLocation::TopLevel),
            None | Some(Value::Null) if envelope.is_some() => {
                return Err(lenient::invalid(
                    notification_path.key("data"),
                    "an object (or a top-level `data` object)",
                    None,
                ));
            }
            other => return Err(lenient::invalid(path.key("data"), "an object", other)),
        },
    };
    let notification = match envelope {
        Some(env) => NotificationMeta {
            id: lenient::opt_text(env, "id", notification_path)?,
            body: lenient::opt_text(env, "body", notification_path)?,
            group: lenient::opt_text(env, "group", notification_path)?,
        },
        None => NotificationMeta::default(),
    };
    let data_path = match data_location {
        DataLocation::InNotification => Path::Key(&notification_path, "data"),
        DataLocation::TopLevel => path.key("data"),
    };
    Ok(PushNotification {
        priority: lenient::opt_text(root, "priority", path)?,
        notification,
        data_location,
        data: read_data(data, data_path)?,
    })
}

fn read_data(data: &Map<String, Value>, path: Path<'_>) -> Result<PushData, PayloadError> {
    let person = lenient::object(data, "person", path)?;
    let person_path = path.key("person");
    Ok(PushData {
        target_screen: lenient::opt_text(data, "targetScreen", path)?,
        event: lenient::opt_text(data, "event", path)?,
        person_look_took: data.get("person_look_took").cloned(),
        event_start_at: lenient::opt_secs(data, "event_start_at", path)?,
        utc: lenient::opt_secs(data, "utc", path)?,
        camera: lenient::opt_text(data, "camera", path)?,
        camera_id: lenient::opt_text(data, "camera_id", path)?,
        person: PushPerson {
            id: PersonId(lenient::req_u64(person, "id", person_path)?),
            name: lenient::opt_text(person, "name", person_path)?,
            person_list_id: lenient::opt_u64(person, "person_list_id", person_path)?
                .map(PersonListId),
            first_seen_at: lenient::opt_text(person, "first_seen_at", person_path)?,
            last_seen_at: lenient::opt_text(person, "last_seen_at", person_path)?,
        },
    })
}
