//! The simulated site's mutable state and the meaning of each command.
//!
//! [`World::handle`] is pure with respect to IO: it takes the command, the connection's
//! [`Session`], the active faults and the current time, and returns what to answer and which
//! pass happened. The connection task does the reading and writing.

use std::collections::{BTreeMap, HashMap, VecDeque};

use acs_proto::{
    AccessPointId, ApInfo, ApMode, ApState, ApTargets, CeDirection, CeEvent, ClassicEvent,
    ClassicKind, Command, Direction, ErrorCode, Event, KeyRef, Location, ObjectId, ObjectQuery,
    ObjectRef, Reply, Secret, SubscribeKind, Timestamp, Zone, ZoneId,
};

use super::config::{AccessPointConfig, AcsSimConfig, ObjectConfig, ZoneConfig};
use super::faults::Faults;

/// Most history events kept; older ones are dropped first.
pub const HISTORY_CAP: usize = 100_000;

/// Event code of `EVENT_CE` for "pass registered".
pub const CE_PASS: u32 = 4;

/// Per-connection protocol state.
#[derive(Clone, Debug, Default)]
pub struct Session {
    /// A `LOGIN` succeeded on this connection.
    pub logged_in: bool,
    /// The active subscription, if any.
    pub subscription: Option<SubscribeKind>,
}

/// A pass granted by `ALLOWPASS`, before it is rendered for a subscriber.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Pass {
    /// When it happened.
    pub time: Timestamp,
    /// Where.
    pub ap: AccessPointId,
    /// Who.
    pub object: ObjectRef,
    /// Which way.
    pub direction: Direction,
    /// The object's name (`None` for `ANONYMOUS`).
    pub name: Option<String>,
}

impl Pass {
    /// The event line a subscriber of `kind` receives: `EVENT_CE` code 4 (with the name for
    /// `CE_WITH_NAMES`), or a classic `OBJECTPASS` (object 0 for `ANONYMOUS`).
    pub fn event_for(&self, kind: SubscribeKind) -> Event {
        let object = match self.object {
            ObjectRef::Id(id) => Some(id),
            ObjectRef::Anonymous => None,
        };
        match kind {
            SubscribeKind::Classic => Event::Classic(self.classic()),
            SubscribeKind::Ce | SubscribeKind::CeWithNames => Event::Ce(CeEvent {
                time: self.time,
                code: CE_PASS,
                ap: self.ap,
                object,
                direction: match self.direction {
                    Direction::In => CeDirection::In,
                    Direction::Out => CeDirection::Out,
                    Direction::Unknown => CeDirection::Unknown,
                },
                key: KeyRef::Unknown,
                name: if kind == SubscribeKind::CeWithNames {
                    Some(self.name.clone().unwrap_or_default())
                } else {
                    None
                },
            }),
        }
    }

    /// The classic `OBJECTPASS` body (also the `HISTORY` item).
    pub fn classic(&self) -> ClassicEvent {
        ClassicEvent {
            time: self.time,
            kind: ClassicKind::ObjectPass {
                ap: self.ap,
                object: match self.object {
                    ObjectRef::Id(id) => id,
                    ObjectRef::Anonymous => ObjectId(0),
                },
                direction: self.direction,
                key: KeyRef::Unknown,
            },
        }
    }
}

/// What a command led to.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The reply to write (`None`: no reply, e.g. `EXIT`).
    pub reply: Option<Reply>,
    /// Close the connection after writing the reply.
    pub close: bool,
    /// A pass to announce to subscribers.
    pub pass: Option<Pass>,
}

impl Outcome {
    fn reply(reply: Reply) -> Self {
        Self {
            reply: Some(reply),
            ..Self::default()
        }
    }

    fn error(code: ErrorCode) -> Self {
        Self::reply(Reply::error(code))
    }
}

/// The site as it is now.
#[derive(Debug)]
pub struct World {
    user: String,
    password: Secret,
    legacy_subscribe: bool,
    access_points: BTreeMap<AccessPointId, AccessPointConfig>,
    objects: BTreeMap<ObjectId, ObjectConfig>,
    zones: Vec<ZoneConfig>,
    locations: HashMap<ObjectId, (ZoneId, Timestamp)>,
    history: VecDeque<ClassicEvent>,
}

impl World {
    /// The site of `config` at time `now`.
    pub fn new(config: &AcsSimConfig, now: Timestamp) -> Self {
        let default_zone = config.zones.first().map_or(ZoneId(1), |z| z.id);
        Self {
            user: config.user.clone(),
            password: config.password.clone(),
            legacy_subscribe: config.legacy_subscribe,
            access_points: config
                .access_points
                .iter()
                .map(|ap| (ap.id, ap.clone()))
                .collect(),
            objects: config.objects.iter().map(|o| (o.id, o.clone())).collect(),
            zones: config.zones.clone(),
            locations: config
                .objects
                .iter()
                .map(|o| (o.id, (o.zone.unwrap_or(default_zone), now)))
                .collect(),
            history: VecDeque::new(),
        }
    }

    /// Answers `SUBSCRIBE CE`/`CE_WITH_NAMES` with `ERROR 2` (older server) when `on`.
    pub fn set_legacy_subscribe(&mut self, on: bool) {
        self.legacy_subscribe = on;
    }

    /// The current state of an access point.
    pub fn ap_state(&self, ap: AccessPointId) -> Option<ApState> {
        self.access_points.get(&ap).map(|a| a.state)
    }

    /// The whole history, oldest first.
    pub fn history(&self) -> Vec<ClassicEvent> {
        self.history.iter().cloned().collect()
    }

    /// Appends an event to the history.
    pub fn record(&mut self, event: ClassicEvent) {
        if self.history.len() >= HISTORY_CAP {
            self.history.pop_front();
        }
        self.history.push_back(event);
    }

    /// Executes one command for a connection in `session`.
    pub fn handle(
        &mut self,
        session: &mut Session,
        command: &Command,
        faults: &Faults,
        now: Timestamp,
    ) -> Outcome {
        match command {
            Command::Quit | Command::Exit => {
                return Outcome {
                    close: true,
                    ..Outcome::default()
                }
            }
            Command::Login {
                version,
                user,
                password,
            } => {
                session.logged_in = false;
                if let Some(code) = faults.reject_login {
                    return Outcome::error(code);
                }
                if version.as_str() != "1.8" {
                    return Outcome::error(ErrorCode::UnsupportedInterfaceVersion);
                }
                // Evaluate both comparisons so timing does not tell which one failed.
                let user_ok = Secret::new(self.user.as_str()).ct_eq(user);
                let password_ok = self.password.ct_eq(password.expose());
                if !(user_ok & password_ok) {
                    return Outcome::error(ErrorCode::AuthenticationFailed);
                }
                session.logged_in = true;
                return Outcome::reply(Reply::Ok);
            }
            _ if !session.logged_in => return Outcome::error(ErrorCode::NotLoggedIn),
            _ => {}
        }
        match command {
            Command::AllowPass {
                ap,
                object,
                direction,
            } => self.allow_pass(*ap, *object, *direction, now),
            Command::GetApList => {
                Outcome::reply(Reply::ApList(self.access_points.keys().copied().collect()))
            }
            Command::GetApInfo { ap } => match self.access_points.get(ap) {
                Some(a) => Outcome::reply(Reply::ApInfo(ApInfo {
                    id: a.id,
                    name: a.name.clone(),
                    zone_a: a.zone_a,
                    zone_b: a.zone_b,
                    state: a.state,
                    door: a.door,
                })),
                None => Outcome::error(ErrorCode::UnknownAccessPoint),
            },
            Command::GetZoneInfo => Outcome::reply(Reply::ZoneInfo(
                self.zones
                    .iter()
                    .map(|z| Zone {
                        id: z.id,
                        name: z.name.clone(),
                    })
                    .collect(),
            )),
            Command::GetObjectInfo(ObjectQuery::All) => Outcome::reply(Reply::ObjectInfo(
                self.objects.values().map(ObjectConfig::info).collect(),
            )),
            Command::GetObjectInfo(ObjectQuery::Id(id)) => match self.objects.get(id) {
                Some(o) => Outcome::reply(Reply::ObjectInfo(vec![o.info()])),
                None => Outcome::error(ErrorCode::UnknownObject),
            },
            Command::GetLocation2 { object } => match self.locations.get(object) {
                Some(&(zone, act_time)) => Outcome::reply(Reply::Location(Location {
                    object: *object,
                    zone,
                    act_time,
                })),
                None => Outcome::error(ErrorCode::UnknownObject),
            },
            Command::GetHistory { from, till } => Outcome::reply(Reply::History(
                self.history
                    .iter()
                    .filter(|e| *from <= e.time && e.time <= *till)
                    .cloned()
                    .collect(),
            )),
            Command::SetApMode { mode, targets } => self.set_ap_mode(*mode, targets),
            Command::Subscribe(kind) => {
                if self.legacy_subscribe && *kind != SubscribeKind::Classic {
                    Outcome::error(ErrorCode::UnknownCommand)
                } else if session.subscription.is_some() {
                    Outcome::error(ErrorCode::AlreadySubscribed)
                } else {
                    session.subscription = Some(*kind);
                    Outcome::reply(Reply::Ok)
                }
            }
            Command::Unsubscribe => match session.subscription.take() {
                Some(_) => Outcome::reply(Reply::Ok),
                None => Outcome::error(ErrorCode::NotSubscribed),
            },
            // Handled above; kept exhaustive so a new command is a compile error here.
            Command::Login { .. } | Command::Quit | Command::Exit => Outcome::default(),
        }
    }

    fn allow_pass(
        &mut self,
        ap: AccessPointId,
        object: ObjectRef,
        direction: Direction,
        now: Timestamp,
    ) -> Outcome {
        let Some(access_point) = self.access_points.get(&ap) else {
            return Outcome::error(ErrorCode::UnknownAccessPoint);
        };
        let (zone_a, zone_b) = (access_point.zone_a, access_point.zone_b);
        let name = match object {
            ObjectRef::Anonymous => None,
            ObjectRef::Id(id) => match self.objects.get(&id) {
                Some(o) => Some(o.name.clone()),
                None => return Outcome::error(ErrorCode::UnknownObject),
            },
        };
        if let ObjectRef::Id(id) = object {
            let zone = match direction {
                Direction::In => Some(zone_b),
                Direction::Out => Some(zone_a),
                Direction::Unknown => None,
            };
            if let (Some(zone), Some(loc)) = (zone, self.locations.get_mut(&id)) {
                *loc = (zone, now);
            }
        }
        let pass = Pass {
            time: now,
            ap,
            object,
            direction,
            name,
        };
        self.record(pass.classic());
        Outcome {
            reply: Some(Reply::Ok),
            close: false,
            pass: Some(pass),
        }
    }

    fn set_ap_mode(&mut self, mode: ApMode, targets: &ApTargets) -> Outcome {
        let ids: Vec<AccessPointId> = match targets {
            ApTargets::All => self.access_points.keys().copied().collect(),
            ApTargets::List(ids) => ids.clone(),
        };
        if ids.is_empty() && matches!(targets, ApTargets::List(_)) {
            return Outcome::error(ErrorCode::SyntaxError);
        }
        if ids.iter().any(|id| !self.access_points.contains_key(id)) {
            return Outcome::error(ErrorCode::UnknownAccessPoint);
        }
        let state = match mode {
            ApMode::Normal => ApState::OnlineNormal,
            ApMode::Locked => ApState::OnlineLocked,
            ApMode::Unlocked => ApState::OnlineUnlocked,
        };
        for id in ids {
            if let Some(ap) = self.access_points.get_mut(&id) {
                ap.state = state;
            }
        }
        Outcome::reply(Reply::Ok)
    }
}
