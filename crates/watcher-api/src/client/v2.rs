//! v2 (`/vsaas/api/v2`): push subscriptions and cameras.
//!
//! No public spec of the subscription endpoints exists (see `watcher-api.md`): requests are JSON
//! objects; answers are read leniently (a plain array or an object wrapping one, ids as numbers
//! or strings).

use std::fmt;

use reqwest::Method;
use serde_json::{json, Map, Value};

use super::{Api, Call, ClientError, WatcherClient};
use crate::payload::lenient::{self, Path};
use crate::payload::{ActivityEvent, PayloadError};

const SUBSCRIPTIONS: &str = "/vsaas/api/v2/my/subscriptions";
const CAMERAS: &str = "/vsaas/api/v2/cameras";
const EVENTS: &str = "/vsaas/api/v2/events";
/// Page size of `limit`/`offset` listings.
const PAGE: usize = 100;
/// Safety stop for listings whose server ignores `offset`.
const MAX_PAGES: usize = 1000;

/// A subscription to create. `Debug` shows only the origin of `notify_url`: its path holds
/// the bridge's webhook token.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSubscription {
    /// `push_person_list`, `push_person_single` or `push_person_category`.
    pub event_type: String,
    /// The list, person or category id (empty: not sent).
    pub notification_type: String,
    /// Where Watcher POSTs the notifications.
    pub notify_url: String,
}

impl NewSubscription {
    /// Any person of list `list_id` (`push_person_list`).
    pub fn person_list(list_id: u64, notify_url: impl Into<String>) -> Self {
        NewSubscription {
            event_type: "push_person_list".into(),
            notification_type: list_id.to_string(),
            notify_url: notify_url.into(),
        }
    }

    /// Whether `existing` already delivers what this would.
    pub fn matches(&self, existing: &Subscription) -> bool {
        self.event_type == existing.event_type
            && self.notify_url == existing.notify_url
            && same_id(
                &self.notification_type,
                existing.notification_type.as_deref().unwrap_or(""),
            )
    }
}

/// `"1"`, `" 1"` and `"01"` name the same list; other text must match exactly.
fn same_id(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A registered subscription. `Debug` shows only the origin of `notify_url` (see
/// [`NewSubscription`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Server-assigned id (for [`Subscriptions::delete`]).
    pub id: String,
    /// Event type.
    pub event_type: String,
    /// List, person or category id; `None` when the server has none.
    pub notification_type: Option<String>,
    /// Where Watcher POSTs.
    pub notify_url: String,
}

impl fmt::Debug for NewSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSubscription")
            .field("event_type", &self.event_type)
            .field("notification_type", &self.notification_type)
            .field("notify_url", &RedactedUrl(&self.notify_url))
            .finish()
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("event_type", &self.event_type)
            .field("notification_type", &self.notification_type)
            .field("notify_url", &RedactedUrl(&self.notify_url))
            .finish()
    }
}

/// A URL shown as its origin only (`http://host:port/<redacted>`): the path and query of a
/// notify URL carry the webhook token, which must never reach a log.
struct RedactedUrl<'a>(&'a str);

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match reqwest::Url::parse(self.0) {
            Ok(url) if url.has_host() => {
                write!(f, "\"{}/<redacted>\"", url.origin().ascii_serialization())
            }
            _ => f.write_str("\"<redacted>\""),
        }
    }
}

/// What [`Subscriptions::ensure`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnsureReport {
    /// Subscriptions created now.
    pub created: Vec<Subscription>,
    /// Desired subscriptions that already existed.
    pub existing: Vec<Subscription>,
}

/// A camera as `GET /vsaas/api/v2/cameras` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Camera {
    /// Camera id, if the server sends one.
    pub id: Option<String>,
    /// Camera (stream) name.
    pub name: Option<String>,
    /// Display title.
    pub title: Option<String>,
}

/// The v2 push subscriptions of the logged-in user; see [`WatcherClient::subscriptions`].
#[derive(Clone, Copy, Debug)]
pub struct Subscriptions<'a> {
    client: &'a WatcherClient,
}

impl WatcherClient {
    /// The v2 push subscriptions.
    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions { client: self }
    }

    /// Every camera (`GET /vsaas/api/v2/cameras`, paged with `limit`/`offset`).
    pub async fn cameras(&self) -> Result<Vec<Camera>, ClientError> {
        let items = self
            .list_paged("list cameras", CAMERAS, &[], "cameras")
            .await?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| read_camera(item, Path::Root.index(i)))
            .collect::<Result<_, _>>()
            .map_err(ClientError::decode("list cameras"))
    }

    /// The activity events Watcher keeps (`GET /vsaas/api/v2/events?type=activity`, paged):
    /// the polling counterpart of the activity-array webhook.
    pub async fn activity_events(&self) -> Result<Vec<ActivityEvent>, ClientError> {
        const WHAT: &str = "list activity events";
        let items = self
            .list_paged(WHAT, EVENTS, &[("type", "activity")], "events")
            .await?;
        crate::payload::activity::from_items(&items).map_err(ClientError::decode(WHAT))
    }

    /// Logs in to v2 now (with login credentials) so a wrong password shows at start-up.
    pub async fn check_v2(&self) -> Result<(), ClientError> {
        let call = Call {
            query: vec![("limit", "1".into())],
            ..Call::new("check v2 access", Method::GET, CAMERAS)
        };
        self.call(Api::V2, &call).await.map(drop)
    }

    /// Fetches a `limit`/`offset` listing to the end.
    async fn list_paged(
        &self,
        what: &'static str,
        path: &'static str,
        extra: &[(&'static str, &str)],
        wrapper: &str,
    ) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        for page in 0..MAX_PAGES {
            let mut query: Vec<(&'static str, String)> =
                extra.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
            query.push(("limit", PAGE.to_string()));
            query.push(("offset", (page * PAGE).to_string()));
            let call = Call {
                query,
                ..Call::new(what, Method::GET, path)
            };
            let body = self.call(Api::V2, &call).await?;
            let items = list_items(&body, wrapper).map_err(ClientError::decode(what))?;
            let len = items.len();
            // A repeated first item means the server ignores `offset`: stop rather than loop.
            if page > 0
                && items
                    .first()
                    .is_some_and(|first| all.first() == Some(first))
            {
                break;
            }
            all.extend(items);
            if len != PAGE {
                break;
            }
        }
        Ok(all)
    }
}

impl Subscriptions<'_> {
    /// Every subscription.
    pub async fn list(&self) -> Result<Vec<Subscription>, ClientError> {
        const WHAT: &str = "list subscriptions";
        let items = self
            .client
            .list_paged(WHAT, SUBSCRIPTIONS, &[], "subscriptions")
            .await?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| read_subscription(item, Path::Root.index(i)))
            .collect::<Result<_, _>>()
            .map_err(ClientError::decode(WHAT))
    }

    /// Creates one subscription (sent once: a POST is never retried blindly).
    pub async fn create(&self, new: &NewSubscription) -> Result<Subscription, ClientError> {
        const WHAT: &str = "create subscription";
        let mut body = Map::new();
        body.insert("event_type".into(), json!(new.event_type));
        if !new.notification_type.trim().is_empty() {
            body.insert(
                "notification_type".into(),
                json!(new.notification_type.trim()),
            );
        }
        body.insert("notify_url".into(), json!(new.notify_url));
        let call = Call {
            json: Some(Value::Object(body)),
            ..Call::new(WHAT, Method::POST, SUBSCRIPTIONS)
        };
        let answer = self.client.call(Api::V2, &call).await?;
        let created = lenient::parse_json(&answer).and_then(|value| {
            let item = match &value {
                Value::Object(map) => map.get("subscription").unwrap_or(&value),
                other => other,
            };
            read_subscription(item, Path::Root)
        });
        let created = created.map_err(ClientError::decode(WHAT))?;
        tracing::info!(id = %created.id, event_type = %created.event_type, "subscription created");
        Ok(created)
    }

    /// Deletes subscription `id`.
    pub async fn delete(&self, id: &str) -> Result<(), ClientError> {
        let call = Call {
            segment: Some(id.to_owned()),
            ..Call::new("delete subscription", Method::DELETE, SUBSCRIPTIONS)
        };
        self.client.call(Api::V2, &call).await?;
        tracing::info!(id, "subscription deleted");
        Ok(())
    }

    /// Creates those of `desired` that do not exist yet (same event type, notification type and
    /// notify URL) and reports what it did. Never creates duplicates, also when `desired`
    /// repeats an entry; never deletes anything.
    pub async fn ensure(&self, desired: &[NewSubscription]) -> Result<EnsureReport, ClientError> {
        let mut known = self.list().await?;
        let mut report = EnsureReport::default();
        for want in desired {
            if let Some(found) = known.iter().find(|s| want.matches(s)) {
                if !report.existing.contains(found) && !report.created.contains(found) {
                    report.existing.push(found.clone());
                }
                continue;
            }
            let created = self.create(want).await?;
            known.push(created.clone());
            report.created.push(created);
        }
        Ok(report)
    }
}

/// The items of a listing: a plain array, or an object wrapping one under `wrapper`, `items`
/// or `data`.
fn list_items(body: &[u8], wrapper: &str) -> Result<Vec<Value>, PayloadError> {
    match lenient::parse_json(body)? {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => {
            for key in [wrapper, "items", "data"] {
                if let Some(Value::Array(items)) = map.remove(key) {
                    return Ok(items);
                }
            }
            Err(lenient::invalid(Path::Root.key(wrapper), "an array", None))
        }
        other => Err(lenient::invalid(
            Path::Root,
            "an array or an object",
            Some(&other),
        )),
    }
}

fn as_object<'v>(value: &'v Value, path: Path<'_>) -> Result<&'v Map<String, Value>, PayloadError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(lenient::invalid(path, "an object", Some(other))),
    }
}

fn read_subscription(value: &Value, path: Path<'_>) -> Result<Subscription, PayloadError> {
    let map = as_object(value, path)?;
    Ok(Subscription {
        id: lenient::req_text(map, "id", path)?,
        event_type: lenient::req_text(map, "event_type", path)?,
        notification_type: lenient::opt_text(map, "notification_type", path)?,
        notify_url: lenient::opt_text(map, "notify_url", path)?.unwrap_or_default(),
    })
}

fn read_camera(value: &Value, path: Path<'_>) -> Result<Camera, PayloadError> {
    let map = as_object(value, path)?;
    Ok(Camera {
        id: lenient::opt_text(map, "id", path)?,
        name: lenient::opt_text(map, "name", path)?,
        title: lenient::opt_text(map, "title", path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "Zq8xWv3Lk9Pt2Rm7Hs4Jd6Fg1Bn5Cy0A";

    #[test]
    fn debug_output_never_shows_the_webhook_token_in_a_notify_url() {
        let url = format!("http://bridge.lan:8080/watcher/events/{TOKEN}?t={TOKEN}");
        let new = NewSubscription::person_list(1, url.clone());
        let existing = Subscription {
            id: "7".into(),
            event_type: "push_person_list".into(),
            notification_type: Some("1".into()),
            notify_url: url,
        };
        let report = EnsureReport {
            created: vec![existing.clone()],
            existing: vec![existing],
        };
        for shown in [
            format!("{new:?}"),
            format!("{report:?}"),
            format!("{new:#?}"),
        ] {
            assert!(!shown.contains(TOKEN), "{shown}");
            assert!(shown.contains("bridge.lan:8080"), "{shown}");
            assert!(shown.contains("push_person_list"), "{shown}");
        }
    }

    #[test]
    fn an_unparsable_notify_url_is_redacted_whole() {
        let new = NewSubscription::person_list(1, format!("not a url {TOKEN}"));
        assert!(!format!("{new:?}").contains(TOKEN));
    }
}
