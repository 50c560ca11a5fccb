//! The simulator's state, shared by the HTTP server and the handle, and kept across restarts.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::config::{Camera, DeliveryMode, Person, WatcherSimConfig};
use super::episodes::{EpisodePage, EpisodeQuery, EpisodeStore};
use super::error::WatcherSimError;

/// The kind of a push subscription (`event_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// `push_person_list`: any person of the list `notification_type`.
    PushPersonList,
    /// `push_person_single`: the one person `notification_type`.
    PushPersonSingle,
    /// `push_person_category`: any person of the category `notification_type` (the simulator
    /// has no categories apart from lists: category id = person list id).
    PushPersonCategory,
}

impl EventType {
    /// Parses the wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "push_person_list" => Some(EventType::PushPersonList),
            "push_person_single" => Some(EventType::PushPersonSingle),
            "push_person_category" => Some(EventType::PushPersonCategory),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::PushPersonList => "push_person_list",
            EventType::PushPersonSingle => "push_person_single",
            EventType::PushPersonCategory => "push_person_category",
        }
    }
}

/// A registered push subscription, as `GET /vsaas/api/v2/my/subscriptions` renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// Server-assigned id (used by `DELETE …/subscriptions/{id}`).
    pub id: u64,
    /// What it listens to.
    pub event_type: EventType,
    /// The list, person or category id, as given (a string, as in the article); `None` when
    /// omitted, which matches every person.
    pub notification_type: Option<String>,
    /// Where deliveries are POSTed.
    pub notify_url: String,
}

impl Subscription {
    /// Whether a recognition of `person` is delivered to this subscription.
    pub fn matches(&self, person: &Person) -> bool {
        let Some(wanted) = self.notification_type.as_deref() else {
            return true;
        };
        let Ok(wanted) = wanted.trim().parse::<u64>() else {
            return false;
        };
        match self.event_type {
            EventType::PushPersonSingle => person.id == wanted,
            EventType::PushPersonList | EventType::PushPersonCategory => {
                person.person_list_id == Some(wanted)
            }
        }
    }
}

/// Outcome of one delivery, as `/sim/recognize` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryStatus {
    /// The subscription delivered to; `None` in activity mode.
    pub subscription_id: Option<u64>,
    /// The target URL.
    pub url: String,
    /// HTTP status answered, when the exchange completed.
    pub status: Option<u16>,
    /// Why the exchange failed, when it did.
    pub error: Option<String>,
}

impl DeliveryStatus {
    /// The target answered 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// One entry of the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRecord {
    /// When the delivery finished, utc ms.
    pub at_ms: i64,
    /// Outcome.
    #[serde(flatten)]
    pub status: DeliveryStatus,
    /// The JSON body sent.
    pub body: Value,
}

/// Mutable world, behind one lock (never held across an await).
#[derive(Debug)]
pub(crate) struct World {
    pub persons: Vec<Person>,
    pub person_updated_at: HashMap<u64, i64>,
    pub first_seen: HashMap<u64, i64>,
    /// Persons created on the fly for unknown faces (`originator: identification_service`).
    pub auto_created: HashSet<u64>,
    /// The same ids, oldest first (to forget the oldest when `max_unknown_persons` is reached).
    pub auto_created_order: VecDeque<u64>,
    pub api_key: Option<String>,
    pub sessions: HashSet<String>,
    /// v3 access tokens and their expiry (utc ms).
    pub access_tokens: HashMap<String, i64>,
    pub refresh_tokens: HashSet<String>,
    pub subscriptions: Vec<Subscription>,
    pub next_subscription_id: u64,
    pub deliveries: VecDeque<DeliveryRecord>,
    /// Every recognition as an activity event (the v2 events feed), oldest first.
    pub activity: VecDeque<Value>,
    pub episodes: EpisodeStore,
    pub recognitions: u64,
    pub next_unknown_id: u64,
}

pub(crate) struct Shared {
    pub config: WatcherSimConfig,
    pub world: Mutex<World>,
    /// Bumped on every episode write; long-polls wait on it.
    pub episodes_tx: watch::Sender<u64>,
}

/// The simulator's state. Cheap to clone; outlives a server so a test can restart the
/// simulator on the same port with everything (subscriptions, sessions, episodes) intact.
#[derive(Clone)]
pub struct SimState {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// Current wall-clock time, utc ms.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl SimState {
    /// Fresh state from a configuration.
    pub fn new(config: WatcherSimConfig) -> Self {
        let now = now_ms();
        let world = World {
            persons: config.world.persons.clone(),
            person_updated_at: config.world.persons.iter().map(|p| (p.id, now)).collect(),
            first_seen: HashMap::new(),
            auto_created: HashSet::new(),
            auto_created_order: VecDeque::new(),
            api_key: config.api_key.clone(),
            sessions: HashSet::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashSet::new(),
            subscriptions: Vec::new(),
            next_subscription_id: 1,
            deliveries: VecDeque::new(),
            activity: VecDeque::new(),
            episodes: EpisodeStore::new(
                config.max_episodes,
                config.episode_merge_window.as_millis() as i64,
            ),
            recognitions: 0,
            next_unknown_id: 7_036_001_172_460_666_980,
        };
        let (episodes_tx, _) = watch::channel(0);
        SimState {
            shared: Arc::new(Shared {
                config,
                world: Mutex::new(world),
                episodes_tx,
            }),
        }
    }

    /// The configuration the state was made from.
    pub fn config(&self) -> &WatcherSimConfig {
        &self.shared.config
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock leaves consistent-enough data for a simulator.
        self.shared.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The delivery mode.
    pub fn delivery_mode(&self) -> &DeliveryMode {
        &self.shared.config.delivery
    }

    /// Cameras of the world.
    pub fn cameras(&self) -> &[Camera] {
        &self.shared.config.world.cameras
    }

    /// Resolves a camera by id, then by name.
    pub fn camera(&self, key: &str) -> Option<&Camera> {
        let cams = self.cameras();
        cams.iter()
            .find(|c| c.id == key)
            .or_else(|| cams.iter().find(|c| c.name == key))
    }

    /// Persons, including unknown faces created at run time.
    pub fn persons(&self) -> Vec<Person> {
        self.world().persons.clone()
    }

    /// One person by id.
    pub fn person(&self, id: u64) -> Option<Person> {
        self.world().persons.iter().find(|p| p.id == id).cloned()
    }

    /// Adds a person (its list, if any, must exist).
    pub fn add_person(&self, person: Person) -> Result<(), WatcherSimError> {
        if let Some(list) = person.person_list_id {
            if !self
                .shared
                .config
                .world
                .person_lists
                .iter()
                .any(|l| l.id == list)
            {
                return Err(WatcherSimError::PersonsFile {
                    reason: format!("person {}: no person list {list}", person.id),
                });
            }
        }
        let mut w = self.world();
        if w.persons.iter().any(|p| p.id == person.id) {
            return Err(WatcherSimError::DuplicatePerson(person.id));
        }
        w.person_updated_at.insert(person.id, now_ms());
        w.persons.push(person);
        Ok(())
    }

    /// Registers a subscription and returns it with its id.
    pub fn add_subscription(
        &self,
        event_type: EventType,
        notification_type: Option<String>,
        notify_url: String,
    ) -> Result<Subscription, WatcherSimError> {
        let max = self.shared.config.max_subscriptions;
        let mut w = self.world();
        if w.subscriptions.len() >= max {
            return Err(WatcherSimError::TooManySubscriptions(max));
        }
        let id = w.next_subscription_id;
        w.next_subscription_id += 1;
        let sub = Subscription {
            id,
            event_type,
            notification_type,
            notify_url,
        };
        w.subscriptions.push(sub.clone());
        Ok(sub)
    }

    /// Removes a subscription; `false` when there was none with that id.
    pub fn delete_subscription(&self, id: u64) -> bool {
        let mut w = self.world();
        let before = w.subscriptions.len();
        w.subscriptions.retain(|s| s.id != id);
        w.subscriptions.len() != before
    }

    /// Registered subscriptions, oldest first.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.world().subscriptions.clone()
    }

    /// The delivery log, oldest first (bounded by `max_deliveries`).
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.world().deliveries.iter().cloned().collect()
    }

    pub(crate) fn log_delivery(&self, record: DeliveryRecord) {
        let cap = self.shared.config.max_deliveries.max(1);
        let mut w = self.world();
        while w.deliveries.len() >= cap {
            w.deliveries.pop_front();
        }
        w.deliveries.push_back(record);
    }

    /// The activity events feed (every recognition), oldest first.
    pub fn activity_events(&self) -> Vec<Value> {
        self.world().activity.iter().cloned().collect()
    }

    /// One page of episodes.
    pub(crate) fn query_episodes(&self, q: &EpisodeQuery) -> EpisodePage {
        self.world().episodes.query(q)
    }

    /// A receiver that changes on every episode write.
    pub(crate) fn episode_changes(&self) -> watch::Receiver<u64> {
        self.shared.episodes_tx.subscribe()
    }

    pub(crate) fn notify_episodes(&self) {
        self.shared
            .episodes_tx
            .send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Creates a person for an unknown face, forgetting the oldest such person when the bound
    /// is reached.
    pub(crate) fn create_unknown(&self, w: &mut World, now: i64) -> Person {
        while w.auto_created_order.len() >= self.shared.config.max_unknown_persons.max(1) {
            let Some(old) = w.auto_created_order.pop_front() else {
                break;
            };
            w.auto_created.remove(&old);
            w.persons.retain(|p| p.id != old);
            w.person_updated_at.remove(&old);
            w.first_seen.remove(&old);
        }
        let id = w.next_unknown_id;
        w.next_unknown_id += 1;
        let person = Person {
            id,
            name: None,
            person_list_id: None,
            external_id: None,
        };
        w.persons.push(person.clone());
        w.auto_created.insert(id);
        w.auto_created_order.push_back(id);
        w.person_updated_at.insert(id, now);
        person
    }

    /// The v3 `person` object of a person.
    pub(crate) fn person_v3(&self, w: &World, p: &Person) -> Value {
        let originator = if w.auto_created.contains(&p.id) {
            "identification_service"
        } else {
            "api"
        };
        let mut v = json!({
            "person_id": p.id,
            "external_id": p.external_id,
            "originator": originator,
            "updated_at": w.person_updated_at.get(&p.id).copied().unwrap_or(0),
        });
        if let Some(name) = &p.name {
            v["name"] = json!(name);
        }
        if let Some(list_id) = p.person_list_id {
            let name = self
                .shared
                .config
                .world
                .person_lists
                .iter()
                .find(|l| l.id == list_id)
                .map(|l| l.name.clone());
            v["person_list"] = json!({"id": list_id, "name": name});
        }
        v
    }
}
