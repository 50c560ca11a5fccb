//! Watcher payload types: push notifications, activity events, v3 episodes and persons.
//!
//! Everything here is plain data plus parsers over bytes: no HTTP client, no clock. The entry
//! point for a webhook body is [`parse_webhook`]; the v3 API bodies have [`parse_episodes_page`],
//! [`parse_person`] and [`parse_persons_page`].

pub(crate) mod activity;
mod episode;
mod ids;
pub(crate) mod lenient;
mod push;

pub use activity::{ActivityEvent, ObjectAction, ObjectClass};
pub use episode::{
    parse_episodes_page, parse_person, parse_persons_page, Episode, EpisodesPage, Person,
    PersonListRef, PersonMatch, PersonsPage,
};
pub use ids::{EpisodeId, PersonId, PersonListId, UnixMs};
pub use push::{DataLocation, NotificationMeta, PushData, PushNotification, PushPerson};

use serde_json::Value;

/// Why a body is not a payload we understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The body is not JSON (or nests deeper than serde_json's limit of 128 levels).
    #[error("not valid JSON: {message}")]
    Json {
        /// serde_json's description, with line and column.
        message: String,
    },
    /// The JSON is valid but a value is missing or has the wrong type.
    #[error("{path}: expected {expected}, found {found}")]
    Invalid {
        /// JSON path of the value, e.g. `notification.data.person.id` (`$` is the root).
        path: String,
        /// What the value should have been.
        expected: &'static str,
        /// What was there instead (never the value itself: it may be large or sensitive).
        found: &'static str,
    },
}

impl PayloadError {
    /// The JSON path of the offending value (`None` for a JSON syntax error).
    pub fn path(&self) -> Option<&str> {
        match self {
            PayloadError::Json { .. } => None,
            PayloadError::Invalid { path, .. } => Some(path),
        }
    }
}

/// A webhook body, classified by shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Webhook {
    /// A push-subscription notification (a JSON object; boxed, it is the large variant).
    Push(Box<PushNotification>),
    /// An array of activity events from the external event-notification URL (may be empty).
    Activity(Vec<ActivityEvent>),
}

/// Parses the raw body of a webhook request and says which form it is, or why it is none.
///
/// An object is a push notification (`data` inside `notification` or at the top level); an array
/// is a list of activity events. Bodies must be size-limited by the caller; nesting depth is
/// limited here (serde_json stops at 128 levels).
///
/// ```
/// use watcher_api::payload::{parse_webhook, Webhook};
///
/// let body = br#"{"notification": {"id": "", "data": {"person": {"id": "135"}, "utc": 1593706530}}}"#;
/// let Ok(Webhook::Push(push)) = parse_webhook(body) else { panic!("not a push") };
/// assert_eq!(push.person_id().get(), 135);
/// assert_eq!(push.notification_id(), None);
///
/// let err = parse_webhook(br#"{"data": {"person": {"id": true}}}"#).unwrap_err();
/// assert_eq!(err.path(), Some("data.person.id"));
/// ```
pub fn parse_webhook(body: &[u8]) -> Result<Webhook, PayloadError> {
    let value = lenient::parse_json(body)?;
    match &value {
        Value::Object(map) => push::from_map(map).map(|p| Webhook::Push(Box::new(p))),
        Value::Array(items) => activity::from_items(items).map(Webhook::Activity),
        other => Err(lenient::invalid(
            lenient::Path::Root,
            "an object (push notification) or an array (activity events)",
            Some(other),
        )),
    }
}
