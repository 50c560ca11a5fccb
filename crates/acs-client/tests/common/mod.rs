//! Shared helpers for the client ↔ simulator tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use acs_client::{AcsConfig, AcsPool, Jitter, LinkState, ReconnectPolicy};
use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef, Secret};
use sim::acs::{AcsSim, AcsSimConfig, AcsSimHandle};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Instant;

/// A simulator with the default site (admin/secret, APs 1 and 2, objects 6, 7, 8).
pub async fn start_sim() -> AcsSimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    AcsSim::start(AcsSimConfig::default(), listener)
}

/// A simulator listening on exactly `addr` (to restart one on the same port).
pub async fn start_sim_on(addr: SocketAddr) -> AcsSimHandle {
    let mut tries = 0;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return AcsSim::start(AcsSimConfig::default(), listener),
            Err(e) if tries < 50 => {
                tries += 1;
                eprintln!("rebinding {addr}: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("cannot bind {addr}: {e}"),
        }
    }
}

/// A client configuration with test-sized timeouts: replies 200 ms, backoff 20 → 200 ms.
pub fn config(addr: SocketAddr) -> AcsConfig {
    AcsConfig {
        connect_timeout: Duration::from_millis(500),
        reply_timeout: Duration::from_millis(200),
        idle_probe: None,
        connections: 1,
        reconnect: ReconnectPolicy {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            multiplier: 2.0,
            jitter: Jitter::Equal,
            stable_after: Duration::from_secs(5),
        },
        ..AcsConfig::new(addr.to_string(), "admin", Secret::new("secret"))
    }
}

/// A deadline `ms` milliseconds from now.
pub fn in_ms(ms: u64) -> Instant {
    Instant::now() + Duration::from_millis(ms)
}

/// Starts a pool and waits (2 s at most) until every link is logged in.
pub async fn ready_pool(cfg: AcsConfig) -> AcsPool {
    let pool = AcsPool::start(cfg);
    assert!(pool.wait_ready(in_ms(2000)).await, "{:?}", pool.state());
    pool
}

/// `ALLOWPASS ap obj IN`, returning its outcome.
pub async fn pass(pool: &AcsPool, ap: u32, obj: u32, deadline: Instant) -> acs_client::PassOutcome {
    pool.allow_pass(
        AccessPointId(ap),
        ObjectRef::Id(ObjectId(obj)),
        Direction::In,
        deadline,
    )
    .await
}

/// Waits until `rx` shows a state for which `f` holds (2 s at most), returning it.
pub async fn wait_state(
    rx: &mut watch::Receiver<LinkState>,
    f: impl FnMut(&LinkState) -> bool,
) -> LinkState {
    tokio::time::timeout(Duration::from_secs(2), rx.wait_for(f))
        .await
        .expect("state in time")
        .expect("link alive")
        .clone()
}

/// How many `LOGIN` lines the simulator received.
pub fn logins(sim: &AcsSimHandle) -> usize {
    sim.received()
        .iter()
        .filter(|r| r.line.starts_with("LOGIN"))
        .count()
}

/// The distinct connections that sent something to the simulator.
pub fn connections_seen(sim: &AcsSimHandle) -> Vec<u64> {
    let mut ids: Vec<u64> = sim.received().iter().map(|r| r.conn.0).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
