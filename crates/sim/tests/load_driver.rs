//! The load driver against a tiny fake bridge: a hyper server that, for each POST, writes
//! `ALLOWPASS 1 <person> IN` to the ACS simulator over raw TCP (or misbehaves on purpose),
//! so the driver's counting is checked without the real bridge.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sim::acs::AcsSim;
use sim::load::{drive, site, ConnectionMode, SendPlan};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

/// What the fake does with person ids ending in 0 and 1.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Every event passes.
    AllPass,
    /// Ids ending in 0 get 503 and no pass; ids ending in 1 get 202 and no pass.
    SomeFail,
}

async fn acs_link(acs: SocketAddr) -> anyhow::Result<tokio::net::tcp::OwnedWriteHalf> {
    let tcp = TcpStream::connect(acs).await?;
    let (read, mut write) = tcp.into_split();
    write
        .write_all(b"LOGIN 1.8 \"admin\" \"secret\"\r\n")
        .await?;
    // Drain the replies so the simulator never blocks on a full socket.
    tokio::spawn(async move {
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(_)) = lines.next_line().await {}
    });
    Ok(write)
}

/// Starts the fake bridge; returns its ingest URL.
async fn fake_bridge(acs: SocketAddr, behaviour: Behaviour) -> anyhow::Result<String> {
    let link = Arc::new(Mutex::new(acs_link(acs).await?));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let link = Arc::clone(&link);
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let link = Arc::clone(&link);
                async move {
                    let body = req.into_body().collect().await.map(|b| b.to_bytes());
                    let person = body
                        .ok()
                        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                        .and_then(|v| v["notification"]["data"]["person"]["id"].as_u64());
                    let status = match (person, behaviour) {
                        (None, _) => 400,
                        (Some(p), Behaviour::SomeFail) if p % 10 == 0 => 503,
                        (Some(p), Behaviour::SomeFail) if p % 10 == 1 => 202,
                        (Some(p), _) => {
                            let line = format!("ALLOWPASS 1 {p} IN\r\n");
                            let mut w = link.lock().await;
                            if w.write_all(line.as_bytes()).await.is_err() {
                                500
                            } else {
                                202
                            }
                        }
                    };
                    let resp = hyper::Response::builder()
                        .status(status)
                        .body(Full::new(Bytes::from_static(b"{\"accepted\":1}")))
                        .unwrap_or_default();
                    Ok::<_, Infallible>(resp)
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    Ok(format!(
        "http://{addr}/watcher/events/{}",
        site::random_token()
    ))
}

fn plan(mode: ConnectionMode, rate: f64) -> SendPlan {
    SendPlan {
        rate,
        duration: Duration::from_secs(1),
        mode,
        first_person: 1,
        persons: 1_000,
        camera: "load".to_owned(),
        run_id: "test".to_owned(),
        request_timeout: Duration::from_secs(5),
        then: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_sent_over_keep_alive_is_matched_to_its_allowpass() -> anyhow::Result<()> {
    let acs = AcsSim::start(
        site::acs_config(1, 1_000),
        TcpListener::bind("127.0.0.1:0").await?,
    );
    let url = fake_bridge(acs.addr(), Behaviour::AllPass).await?;
    let report = drive(
        &acs,
        &url,
        plan(ConnectionMode::KeepAlive { connections: 4 }, 300.0),
        Duration::from_secs(2),
        Some(std::process::id()),
    )
    .await
    .context("drive")?;
    assert_eq!(report.scheduled, 300);
    assert_eq!(report.sent, 300);
    assert_eq!(report.accepted, 300);
    assert_eq!(report.completed, 300, "{report:?}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let q = &report.latency_from_send;
    assert_eq!(q.count, 300);
    assert!(q.p50_us > 0.0 && q.p50_us <= q.p99_us && q.p99_us <= q.max_us);
    assert!(report.latency_from_intended.p50_us >= q.p50_us);
    assert!(
        report.achieved_send_rate > 200.0,
        "{}",
        report.achieved_send_rate
    );
    assert!(report
        .bridge_rss
        .as_ref()
        .is_some_and(|r| r.max_sampled_kib > 0));
    assert_eq!(acs.allow_passes().len(), 300);
    let json = serde_json::to_value(&report)?;
    assert_eq!(json["completed"], 300);
    assert!(!json["target"].as_str().unwrap_or("").contains("events/"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_and_unanswered_events_are_counted_by_kind_with_new_connections(
) -> anyhow::Result<()> {
    let acs = AcsSim::start(
        site::acs_config(1, 1_000),
        TcpListener::bind("127.0.0.1:0").await?,
    );
    let url = fake_bridge(acs.addr(), Behaviour::SomeFail).await?;
    let report = drive(
        &acs,
        &url,
        plan(ConnectionMode::PerRequest { max_in_flight: 16 }, 200.0),
        Duration::from_millis(300),
        None,
    )
    .await
    .context("drive")?;
    // Persons 1..=200: 20 ids end in 0 (503), 20 end in 1 (202 without a pass).
    assert_eq!(report.sent, 200);
    assert_eq!(report.accepted, 180);
    assert_eq!(report.completed, 160);
    assert_eq!(report.errors.get("http_503"), Some(&20));
    assert_eq!(report.errors.get("missing_allowpass"), Some(&20));
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert!(report.bridge_rss.is_none());
    Ok(())
}

#[tokio::test]
async fn a_refused_connection_is_counted_as_a_connect_error() -> anyhow::Result<()> {
    let acs = AcsSim::start(
        site::acs_config(1, 10),
        TcpListener::bind("127.0.0.1:0").await?,
    );
    // A port nobody listens on: bind, note, close.
    let dead = TcpListener::bind("127.0.0.1:0").await?.local_addr()?;
    let mut p = plan(ConnectionMode::KeepAlive { connections: 2 }, 20.0);
    p.duration = Duration::from_millis(250);
    let url = format!("http://{dead}/watcher/events/x");
    let report = drive(&acs, &url, p, Duration::from_millis(50), None).await?;
    assert_eq!(report.scheduled, 5);
    assert_eq!(report.sent, 0);
    assert_eq!(report.errors.get("connect"), Some(&5));
    Ok(())
}

/// The harness's own ceiling: driver + simulator + this minimal fake bridge on one machine.
/// Not a pass/fail test; run with
/// `LOAD_RATE=10000 cargo test --release -p sim --test load_driver -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test: run explicitly with --ignored"]
async fn harness_ceiling_against_a_minimal_fake_bridge() -> anyhow::Result<()> {
    let rate: f64 = std::env::var("LOAD_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5_000.0);
    let acs = AcsSim::start(
        site::acs_config(1, 100_000),
        TcpListener::bind("127.0.0.1:0").await?,
    );
    let url = fake_bridge(acs.addr(), Behaviour::AllPass).await?;
    let mut p = plan(ConnectionMode::KeepAlive { connections: 32 }, rate);
    p.persons = 100_000;
    p.duration = Duration::from_secs(5);
    let report = drive(&acs, &url, p, Duration::from_secs(5), None).await?;
    print!("{}", sim::load::report::render_table(&report));
    assert_eq!(report.scheduled, (rate * 5.0).round() as u64);
    Ok(())
}

#[tokio::test]
async fn admin_reads_return_the_status_and_body_or_say_why_not() -> anyhow::Result<()> {
    let acs = AcsSim::start(
        site::acs_config(1, 10),
        TcpListener::bind("127.0.0.1:0").await?,
    );
    let url = fake_bridge(acs.addr(), Behaviour::AllPass).await?;
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .context("authority")?
        .parse()?;
    // The fake answers every request 400 (no person in an empty GET body).
    let (status, body) = sim::load::process::get_text(addr, "/metrics")
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!((status, body.as_str()), (400, "{\"accepted\":1}"));
    let dead = TcpListener::bind("127.0.0.1:0").await?.local_addr()?;
    assert!(sim::load::process::get_status(dead, "/readyz")
        .await
        .is_err());
    Ok(())
}
