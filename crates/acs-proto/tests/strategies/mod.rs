//! proptest strategies for every OIF message type (shared by the property tests).

#![allow(dead_code)]

use acs_proto::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// Text biased towards the hard cases: Cyrillic, quotes, `#`, commas, blanks, control bytes.
pub fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        3 => any::<char>(),
        2 => prop::sample::select(vec![
            '"', '#', ',', ' ', '\t', '\r', '\n', '\0', '\x7f', '\x01', '\x1f', 'ю', 'р', 'Ж',
            '0', 'A', 'f',
        ]),
        1 => prop::char::range('a', 'z'),
    ];
    vec(ch, 0..24).prop_map(|cs| cs.into_iter().collect())
}

pub fn timestamp() -> impl Strategy<Value = Timestamp> {
    (1u16..=9999, 1u8..=12, 1u8..=31, 0u8..24, 0u8..60, 0u8..=60)
        .prop_map(|(y, mo, d, h, mi, s)| Timestamp::new(y, mo, d, h, mi, s).expect("in range"))
}

pub fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::In),
        Just(Direction::Out),
        Just(Direction::Unknown)
    ]
}

pub fn ap() -> impl Strategy<Value = AccessPointId> {
    any::<u32>().prop_map(AccessPointId)
}

pub fn object() -> impl Strategy<Value = ObjectId> {
    any::<u32>().prop_map(ObjectId)
}

pub fn zone() -> impl Strategy<Value = ZoneId> {
    any::<u32>().prop_map(ZoneId)
}

pub fn version() -> impl Strategy<Value = ProtocolVersion> {
    "[0-9.]{1,16}".prop_map(|s| ProtocolVersion::new(&s).expect("digits and dots"))
}

pub fn command() -> impl Strategy<Value = Command> {
    let mode = prop_oneof![
        Just(ApMode::Normal),
        Just(ApMode::Locked),
        Just(ApMode::Unlocked)
    ];
    let targets = prop_oneof![
        Just(ApTargets::All),
        vec(ap(), 1..6).prop_map(ApTargets::List)
    ];
    prop_oneof![
        (version(), text(), text()).prop_map(|(version, user, pw)| Command::Login {
            version,
            user,
            password: Secret::new(pw)
        }),
        (
            ap(),
            prop_oneof![object().prop_map(ObjectRef::Id), Just(ObjectRef::Anonymous)],
            direction()
        )
            .prop_map(|(ap, object, direction)| Command::AllowPass {
                ap,
                object,
                direction
            }),
        Just(Command::GetApList),
        ap().prop_map(|ap| Command::GetApInfo { ap }),
        Just(Command::GetZoneInfo),
        object().prop_map(|o| Command::GetObjectInfo(ObjectQuery::Id(o))),
        Just(Command::GetObjectInfo(ObjectQuery::All)),
        object().prop_map(|object| Command::GetLocation2 { object }),
        (timestamp(), timestamp()).prop_map(|(from, till)| Command::GetHistory { from, till }),
        (mode, targets).prop_map(|(mode, targets)| Command::SetApMode { mode, targets }),
        prop_oneof![
            Just(SubscribeKind::Classic),
            Just(SubscribeKind::Ce),
            Just(SubscribeKind::CeWithNames)
        ]
        .prop_map(Command::Subscribe),
        Just(Command::Unsubscribe),
        Just(Command::Quit),
        Just(Command::Exit),
    ]
}

pub fn key() -> impl Strategy<Value = KeyRef> {
    prop_oneof![
        (any::<u32>(), any::<u32>())
            .prop_map(|(facility, number)| KeyRef::W26 { facility, number }),
        any::<u32>().prop_map(KeyRef::W34),
        Just(KeyRef::Unknown),
    ]
}

pub fn classic() -> impl Strategy<Value = ClassicEvent> {
    let reason = prop::sample::select(vec![
        DenyReason::Unknown,
        DenyReason::System,
        DenyReason::UnknownKey,
        DenyReason::RuleDeny,
        DenyReason::RuleDenyAp,
        DenyReason::RuleDenyTime,
    ]);
    let kind = prop_oneof![
        (ap(), object(), direction(), key()).prop_map(|(ap, object, direction, key)| {
            ClassicKind::ObjectPass {
                ap,
                object,
                direction,
                key,
            }
        }),
        (
            ap(),
            object(),
            direction(),
            reason,
            proptest::option::of(key())
        )
            .prop_map(|(ap, object, direction, reason, key)| ClassicKind::Deny {
                ap,
                object,
                direction,
                reason,
                key
            }),
        (ap(), direction()).prop_map(|(ap, direction)| ClassicKind::BreakingPass { ap, direction }),
        (ap(), direction()).prop_map(|(ap, direction)| ClassicKind::FreePass { ap, direction }),
        (ap(), direction()).prop_map(|(ap, direction)| ClassicKind::ManualPass { ap, direction }),
        (ap(), object(), direction(), key()).prop_map(|(ap, object, direction, key)| {
            ClassicKind::OpenDoor {
                ap,
                object,
                direction,
                key,
            }
        }),
    ];
    (timestamp(), kind).prop_map(|(time, kind)| ClassicEvent { time, kind })
}

pub fn event() -> impl Strategy<Value = Event> {
    let ce_dir = prop_oneof![
        Just(CeDirection::None),
        Just(CeDirection::Out),
        Just(CeDirection::In),
        Just(CeDirection::Unknown),
        (4u32..).prop_map(CeDirection::Other),
    ];
    let ce = (
        timestamp(),
        any::<u32>(),
        ap(),
        proptest::option::of((1u32..).prop_map(ObjectId)),
        ce_dir,
        key(),
        proptest::option::of(text()),
    )
        .prop_map(|(time, code, ap, object, direction, key, name)| CeEvent {
            time,
            code,
            ap,
            object,
            direction,
            key,
            name,
        });
    prop_oneof![ce.prop_map(Event::Ce), classic().prop_map(Event::Classic)]
}

pub fn object_info() -> impl Strategy<Value = ObjectInfo> {
    let kind = prop::sample::select(vec![
        ObjectKind::Employee,
        ObjectKind::Guest,
        ObjectKind::GuestBadge,
        ObjectKind::Car,
    ]);
    let opt = || proptest::option::of(text());
    (kind, object(), text(), opt(), opt(), opt(), opt()).prop_map(
        |(kind, id, name, position, tab_number, number, model)| ObjectInfo {
            kind,
            id,
            name,
            position,
            tab_number,
            number,
            model,
        },
    )
}

pub fn reply() -> impl Strategy<Value = Reply> {
    let ap_state = prop::sample::select(vec![
        ApState::Offline,
        ApState::OnlineNormal,
        ApState::OnlineLocked,
        ApState::OnlineUnlocked,
    ]);
    let door = prop::sample::select(vec![
        DoorState::Unknown,
        DoorState::Opened,
        DoorState::Closed,
    ]);
    prop_oneof![
        Just(Reply::Ok),
        (any::<u32>(), text()).prop_map(|(c, text)| Reply::Error {
            code: ErrorCode::from_code(c),
            text
        }),
        (1u32..=29).prop_map(|c| Reply::error(ErrorCode::from_code(c))),
        vec(ap(), 0..6).prop_map(Reply::ApList),
        (ap(), text(), zone(), zone(), ap_state, door).prop_map(
            |(id, name, zone_a, zone_b, state, door)| Reply::ApInfo(ApInfo {
                id,
                name,
                zone_a,
                zone_b,
                state,
                door
            })
        ),
        vec(
            (zone(), text()).prop_map(|(id, name)| Zone { id, name }),
            0..4
        )
        .prop_map(Reply::ZoneInfo),
        vec(object_info(), 0..4).prop_map(Reply::ObjectInfo),
        (object(), zone(), timestamp()).prop_map(|(object, zone, act_time)| {
            Reply::Location(Location {
                object,
                zone,
                act_time,
            })
        }),
        vec(classic(), 0..4).prop_map(Reply::History),
    ]
}

pub fn server_line() -> impl Strategy<Value = acs_proto::ServerLine> {
    prop_oneof![
        reply().prop_map(acs_proto::ServerLine::Reply),
        event().prop_map(acs_proto::ServerLine::Event),
    ]
}
