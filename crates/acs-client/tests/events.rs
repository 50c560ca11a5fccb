//! The subscription link against the ACS simulator.

mod common;

use std::time::Duration;

use acs_client::{EventStream, LinkState};
use acs_proto::{
    AccessPointId, ClassicEvent, ClassicKind, Command, Direction, Event, ObjectId, SubscribeKind,
    Timestamp,
};
use common::*;
use futures_util::StreamExt;
use sim::acs::{CommandKind, Faults};

fn free_pass(ap: u32) -> Event {
    Event::Classic(ClassicEvent {
        time: Timestamp::new(2025, 1, 27, 11, 23, 8).expect("timestamp"),
        kind: ClassicKind::FreePass {
            ap: AccessPointId(ap),
            direction: Direction::In,
        },
    })
}

async fn next(stream: &mut EventStream) -> Event {
    tokio::time::timeout(Duration::from_secs(2), stream.next())
        .await
        .expect("event in time")
        .expect("stream open")
}

async fn subscribed(stream: &EventStream) {
    let mut rx = stream.state();
    wait_state(&mut rx, LinkState::is_logged_in).await;
}

#[tokio::test]
async fn a_granted_pass_arrives_as_a_named_ce_event() {
    let sim = start_sim().await;
    let pool = ready_pool(config(sim.addr())).await;
    let mut stream = pool.events();
    subscribed(&stream).await;
    assert_eq!(
        *stream.subscribed_kind().borrow(),
        Some(SubscribeKind::CeWithNames)
    );
    assert!(pass(&pool, 1, 6, in_ms(1000)).await == acs_client::PassOutcome::Granted);

    match next(&mut stream).await {
        Event::Ce(ce) => {
            assert_eq!(ce.code, 4);
            assert_eq!(ce.ap, AccessPointId(1));
            assert_eq!(ce.object, Some(ObjectId(6)));
            assert!(ce.name.is_some());
        }
        other => panic!("expected EVENT_CE, got {other:?}"),
    }
    pool.shutdown().await;
    stream.shutdown().await;
}

#[tokio::test]
async fn an_older_server_gets_the_classic_subscription() {
    let sim = start_sim().await;
    sim.set_legacy_subscribe(true);
    let mut stream = EventStream::start(config(sim.addr()));
    subscribed(&stream).await;
    assert_eq!(
        *stream.subscribed_kind().borrow(),
        Some(SubscribeKind::Classic)
    );
    let tried: Vec<Command> = sim
        .commands()
        .into_iter()
        .filter(|c| matches!(c, Command::Subscribe(_)))
        .collect();
    assert_eq!(
        tried,
        vec![
            Command::Subscribe(SubscribeKind::CeWithNames),
            Command::Subscribe(SubscribeKind::Ce),
            Command::Subscribe(SubscribeKind::Classic),
        ]
    );
    assert_eq!(sim.push_event(free_pass(2)), 1);
    assert_eq!(next(&mut stream).await, free_pass(2));
    stream.shutdown().await;
}

#[tokio::test]
async fn the_stream_resubscribes_after_a_server_restart() {
    let sim = start_sim().await;
    let addr = sim.addr();
    let mut stream = EventStream::start(config(addr));
    subscribed(&stream).await;
    assert_eq!(sim.push_event(free_pass(1)), 1);
    assert_eq!(next(&mut stream).await, free_pass(1));

    let mut state = stream.state();
    sim.shutdown().await;
    wait_state(&mut state, |s| !s.is_logged_in()).await;

    let sim = start_sim_on(addr).await;
    wait_state(&mut state, LinkState::is_logged_in).await;
    assert!(sim
        .commands()
        .contains(&Command::Subscribe(SubscribeKind::CeWithNames)));
    assert_eq!(sim.push_event(free_pass(2)), 1);
    assert_eq!(next(&mut stream).await, free_pass(2));
    stream.shutdown().await;
}

#[tokio::test]
async fn events_interleaved_with_probe_replies_all_arrive_in_order() {
    let sim = start_sim().await;
    // Probe replies are held back 15 ms; the simulator keeps sending events meanwhile, so
    // event lines arrive between the probe and its reply.
    sim.set_faults(Faults::none().with_delay_on(CommandKind::GetApList, Duration::from_millis(15)));
    let mut cfg = config(sim.addr());
    cfg.idle_probe = Some(Duration::from_millis(3));
    let mut stream = EventStream::start(cfg);
    subscribed(&stream).await;

    for ap in 1..=200u32 {
        sim.push_event(free_pass(ap));
        if ap % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(8)).await;
        }
    }
    for ap in 1..=200u32 {
        assert_eq!(next(&mut stream).await, free_pass(ap));
    }
    let probes = sim
        .commands()
        .iter()
        .filter(|c| **c == Command::GetApList)
        .count();
    assert!(probes >= 3, "only {probes} probes");
    assert_eq!(logins(&sim), 1, "the link was never reset");
    stream.shutdown().await;
}

#[tokio::test]
async fn coalesced_events_and_replies_are_told_apart() {
    let sim = start_sim().await;
    sim.set_faults(Faults::none().with_coalesce().with_byte_by_byte());
    let mut cfg = config(sim.addr());
    cfg.idle_probe = Some(Duration::from_millis(2));
    let mut stream = EventStream::start(cfg);
    subscribed(&stream).await;
    for ap in 1..=50u32 {
        sim.push_event(free_pass(ap));
    }
    for ap in 1..=50u32 {
        assert_eq!(next(&mut stream).await, free_pass(ap));
    }
    assert_eq!(logins(&sim), 1);
    stream.shutdown().await;
}

#[tokio::test]
async fn dropping_the_stream_closes_its_connection() {
    let sim = start_sim().await;
    let stream = EventStream::start(config(sim.addr()));
    subscribed(&stream).await;
    assert_eq!(sim.connections(), 1);
    drop(stream);
    let closed = tokio::time::timeout(Duration::from_secs(2), async {
        while sim.connections() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(closed.is_ok());
}
