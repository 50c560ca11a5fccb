//! Activity events: the JSON array Watcher POSTs to the "external URL for event notifications".

use serde_json::{Map, Value};

use super::lenient::{self, Path};
use super::{PayloadError, PersonId, UnixMs};

/// What kind of object an activity event is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectClass {
    /// A face; `object_id` is the Watcher person id.
    Face,
    /// A vehicle; `object_id` is e.g. a licence plate.
    Vehicle,
    /// Anything else, as sent.
    Other(String),
}

/// What the object did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectAction {
    /// The object appeared: for a face, a request to pass.
    Enter,
    /// The object left.
    Leave,
    /// Anything else, as sent.
    Other(String),
}

/// One element of an activity-event array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityEvent {
    /// Event id as sent (string or number, kept as text).
    pub id: String,
    /// Camera id, if given.
    pub camera_id: Option<String>,
    /// When the activity started (sent in seconds).
    pub start_at: UnixMs,
    /// When it ended (`None` while open or when empty).
    pub end_at: Option<UnixMs>,
    /// Kind of object.
    pub object_class: ObjectClass,
    /// Object id as sent (the person id for faces).
    pub object_id: Option<String>,
    /// What the object did.
    pub object_action: ObjectAction,
}

impl ActivityEvent {
    /// The Watcher person id: only for faces, and only when `object_id` is numeric.
    pub fn person_id(&self) -> Option<PersonId> {
        if self.object_class != ObjectClass::Face {
            return None;
        }
        let id = self.object_id.as_deref()?;
        if id.starts_with('+') {
            return None;
        }
        id.parse::<u64>().ok().map(PersonId)
    }

    /// `true` for a face entering: the only activity that asks for a door to open.
    pub fn is_pass_request(&self) -> bool {
        self.object_class == ObjectClass::Face && self.object_action == ObjectAction::Enter
    }
}

/// Reads every element of the root array.
pub(crate) fn from_items(items: &[Value]) -> Result<Vec<ActivityEvent>, PayloadError> {
    let root = Path::Root;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let path = root.index(index);
            match item {
                Value::Object(map) => read_event(map, path),
                other => Err(lenient::invalid(
                    path,
                    "an activity event object",
                    Some(other),
                )),
            }
        })
        .collect()
}

fn read_event(map: &Map<String, Value>, path: Path<'_>) -> Result<ActivityEvent, PayloadError> {
    let start_at = match lenient::opt_secs(map, "start_at", path)? {
        Some(t) => t,
        None => {
            return Err(lenient::invalid(
                path.key("start_at"),
                "a unix time in seconds (number or numeric string)",
                map.get("start_at"),
            ))
        }
    };
    let object_class = match lenient::req_text(map, "object_class", path)?.as_str() {
        "face" => ObjectClass::Face,
        "vehicle" => ObjectClass::Vehicle,
        other => ObjectClass::Other(other.to_owned()),
    };
    let object_action = match lenient::req_text(map, "object_action", path)?.as_str() {
        "enter" => ObjectAction::Enter,
        "leave" => ObjectAction::Leave,
        other => ObjectAction::Other(other.to_owned()),
    };
    Ok(ActivityEvent {
        id: lenient::req_text(map, "id", path)?,
        camera_id: lenient::opt_text(map, "camera_id", path)?,
        start_at,
        end_at: lenient::opt_secs(map, "end_at", path)?,
        object_class,
        object_id: lenient::opt_text(map, "object_id", path)?,
        object_action,
    })
}
