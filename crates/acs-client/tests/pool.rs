//! Pool dispatch across several links against the ACS simulator.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use acs_client::{AcsPool, Health, PassOutcome};
use common::*;
use sim::acs::{AcsSim, AcsSimConfig, CommandKind, Faults};

#[tokio::test]
async fn concurrent_passes_are_spread_over_every_link() {
    let sim = start_sim().await;
    sim.set_faults(Faults::none().with_delay_on(CommandKind::AllowPass, Duration::from_millis(20)));
    let mut cfg = config(sim.addr());
    cfg.connections = 3;
    cfg.reply_timeout = std::time::Duration::from_secs(2);
    let pool = ready_pool(cfg).await;
    assert!(pool.is_ready());
    assert_eq!(pool.state().health, Health::Ready);

    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move { pass(&pool, 1 + i % 2, 6 + i % 3, in_ms(5000)).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), PassOutcome::Granted);
    }

    let mut per_conn: HashMap<u64, usize> = HashMap::new();
    for r in sim.received() {
        if r.line.starts_with("ALLOWPASS") {
            *per_conn.entry(r.conn.0).or_default() += 1;
        }
    }
    assert_eq!(per_conn.values().sum::<usize>(), 30);
    assert_eq!(per_conn.len(), 3, "{per_conn:?}");
    assert!(per_conn.values().all(|&n| n >= 5), "{per_conn:?}");
    pool.shutdown().await;
}

#[tokio::test]
async fn links_that_are_not_logged_in_are_skipped() {
    // The server takes one connection only: the second link never logs in.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let sim = AcsSim::start(
        AcsSimConfig {
            max_connections: 1,
            ..AcsSimConfig::default()
        },
        listener,
    );
    let mut cfg = config(sim.addr());
    cfg.connections = 2;
    let pool = AcsPool::start(cfg);
    let ok = tokio::time::timeout(Duration::from_secs(2), async {
        while pool.state().health != Health::Degraded {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(ok.is_ok(), "{:?}", pool.state());
    assert!(!pool.is_ready());

    for _ in 0..10 {
        assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    }
    assert_eq!(sim.allow_passes().len(), 10);
    pool.shutdown().await;
}

#[tokio::test]
async fn clones_share_the_links_and_the_last_drop_closes_them() {
    let sim = start_sim().await;
    let mut cfg = config(sim.addr());
    cfg.connections = 2;
    let pool = ready_pool(cfg).await;
    let clone = pool.clone();
    assert_eq!(pass(&clone, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    assert_eq!(sim.connections(), 2);
    drop(pool);
    drop(clone);
    let closed = tokio::time::timeout(Duration::from_secs(2), async {
        while sim.connections() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(closed.is_ok());
}
