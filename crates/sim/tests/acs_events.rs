//! Subscriptions over real sockets: pass events per SUBSCRIBE flavour, pushed events, errors.

#[path = "acs_support/mod.rs"]
mod support;

use std::time::Duration;

use acs_proto::{parse_server_line, AccessPointId, ClassicKind, Direction, ObjectId, ServerLine};
use sim::acs::AcsSimConfig;
use support::{start, Client};

fn event(line: &str) -> acs_proto::Event {
    match parse_server_line(line.as_bytes()) {
        Ok(ServerLine::Event(e)) => e,
        other => panic!("not an event: {line:?} -> {other:?}"),
    }
}

#[tokio::test]
async fn each_subscriber_gets_the_pass_in_the_form_it_subscribed_to() {
    use acs_proto::{CeDirection, Event};
    let sim = start(AcsSimConfig::default()).await;
    let mut named = Client::logged_in(sim.addr()).await;
    let mut ce = Client::logged_in(sim.addr()).await;
    let mut classic = Client::logged_in(sim.addr()).await;
    assert_eq!(named.cmd("SUBSCRIBE CE_WITH_NAMES").await, "OK");
    assert_eq!(ce.cmd("SUBSCRIBE CE").await, "OK");
    assert_eq!(classic.cmd("SUBSCRIBE").await, "OK");
    let mut door = Client::logged_in(sim.addr()).await;
    assert_eq!(door.cmd("ALLOWPASS 1 6 IN").await, "OK");

    match event(&named.line().await) {
        Event::Ce(e) => {
            assert_eq!(
                (e.code, e.ap, e.object),
                (4, AccessPointId(1), Some(ObjectId(6)))
            );
            assert_eq!(e.direction, CeDirection::In);
            assert_eq!(e.name.as_deref(), Some("Employee 6"));
        }
        other => panic!("{other:?}"),
    }
    match event(&ce.line().await) {
        Event::Ce(e) => assert_eq!((e.code, e.name), (4, None)),
        other => panic!("{other:?}"),
    }
    match event(&classic.line().await) {
        Event::Classic(e) => assert!(matches!(
            e.kind,
            ClassicKind::ObjectPass {
                ap: AccessPointId(1),
                object: ObjectId(6),
                direction: Direction::In,
                ..
            }
        )),
        other => panic!("{other:?}"),
    }
    door.nothing_within(Duration::from_millis(100)).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_subscriber_sees_its_own_pass_after_the_ok_and_anonymous_as_object_0() {
    use acs_proto::Event;
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("SUBSCRIBE CE").await, "OK");
    assert_eq!(c.cmd("ALLOWPASS 2 ANONYMOUS OUT").await, "OK");
    match event(&c.line().await) {
        Event::Ce(e) => assert_eq!((e.ap, e.object), (AccessPointId(2), None)),
        other => panic!("{other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn subscribe_twice_is_error_15_and_unsubscribe_when_not_subscribed_error_14() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("UNSUBSCRIBE").await, "ERROR 14 NOT SUBSCRIBED");
    assert_eq!(c.cmd("SUBSCRIBE CE").await, "OK");
    assert_eq!(c.cmd("SUBSCRIBE").await, "ERROR 15 ALREADY SUBSCRIBED");
    assert_eq!(c.cmd("UNSUBSCRIBE").await, "OK");
    assert_eq!(c.cmd("UNSUBSCRIBE").await, "ERROR 14 NOT SUBSCRIBED");
    let mut door = Client::logged_in(sim.addr()).await;
    assert_eq!(door.cmd("ALLOWPASS 1 7 OUT").await, "OK");
    c.nothing_within(Duration::from_millis(100)).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn an_older_server_rejects_the_ce_subscriptions_so_clients_can_fall_back() {
    let sim = start(AcsSimConfig {
        legacy_subscribe: true,
        ..AcsSimConfig::default()
    })
    .await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(
        c.cmd("SUBSCRIBE CE_WITH_NAMES").await,
        "ERROR 2 UNKNOWN COMMAND"
    );
    assert_eq!(c.cmd("SUBSCRIBE CE").await, "ERROR 2 UNKNOWN COMMAND");
    assert_eq!(c.cmd("SUBSCRIBE").await, "OK");
    sim.set_legacy_subscribe(false);
    let mut d = Client::logged_in(sim.addr()).await;
    assert_eq!(d.cmd("SUBSCRIBE CE_WITH_NAMES").await, "OK");
    sim.shutdown().await;
}

#[tokio::test]
async fn pushed_events_reach_every_subscriber_as_they_are() {
    use acs_proto::{CeDirection, CeEvent, Event, KeyRef, Timestamp};
    let sim = start(AcsSimConfig::default()).await;
    let mut a = Client::logged_in(sim.addr()).await;
    let mut b = Client::logged_in(sim.addr()).await;
    let mut quiet = Client::logged_in(sim.addr()).await;
    assert_eq!(a.cmd("SUBSCRIBE CE").await, "OK");
    assert_eq!(b.cmd("SUBSCRIBE").await, "OK");
    let pushed = Event::Ce(CeEvent {
        time: Timestamp::new(2025, 1, 27, 11, 23, 8).expect("valid"),
        code: 67,
        ap: AccessPointId(1),
        object: None,
        direction: CeDirection::In,
        key: KeyRef::W26 {
            facility: 249,
            number: 29323,
        },
        name: Some("Иванов \"Ваня\"".into()),
    });
    assert_eq!(sim.push_event(pushed.clone()), 2);
    assert_eq!(event(&a.line().await), pushed);
    assert_eq!(event(&b.line().await), pushed);
    quiet.nothing_within(Duration::from_millis(100)).await;
    sim.shutdown().await;
}
