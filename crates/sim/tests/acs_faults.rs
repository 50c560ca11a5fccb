//! The simulator's fault knobs and transport (TLS, connection limit, disconnect, restart),
//! over real sockets.

#[path = "acs_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use acs_proto::{
    AccessPointId, ClassicEvent, ClassicKind, Direction, Reply, ServerLine, Timestamp,
};
use sim::acs::{AcsSimConfig, CommandKind, Faults, GARBAGE};
use support::{start, Client};

#[tokio::test]
async fn delay_holds_each_reply_back() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    sim.set_faults(Faults::none().with_delay(Duration::from_millis(150)));
    let started = Instant::now();
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    assert!(started.elapsed() >= Duration::from_millis(150));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_delay_on_one_command_leaves_the_others_prompt() {
    let config = AcsSimConfig {
        faults: "delay=10s,ALLOWPASS".parse().expect("knob"),
        ..AcsSimConfig::default()
    };
    let sim = start(config).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    c.send(b"ALLOWPASS 1 6 IN\r\n").await;
    c.nothing_within(Duration::from_millis(200)).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn events_are_written_while_a_reply_is_delayed() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("SUBSCRIBE CE").await, "OK");
    sim.set_faults(
        Faults::none().with_delay_on(CommandKind::AllowPass, Duration::from_millis(300)),
    );
    c.send(b"ALLOWPASS 1 6 OUT\r\n").await;
    let event = c.line().await;
    assert!(
        event.starts_with("EVENT_CE "),
        "the pass event comes first: {event}"
    );
    assert_eq!(c.line().await, "OK");
    sim.shutdown().await;
}

#[tokio::test]
async fn silent_never_answers_but_the_pass_still_happens() {
    let sim = start(AcsSimConfig {
        faults: "silent=ALLOWPASS".parse().expect("knob"),
        ..AcsSimConfig::default()
    })
    .await;
    let mut c = Client::logged_in(sim.addr()).await;
    c.send(b"ALLOWPASS 1 6 IN\r\n").await;
    c.nothing_within(Duration::from_millis(300)).await;
    assert_eq!(sim.allow_passes().len(), 1);
    assert_eq!(
        sim.history().len(),
        1,
        "the pass was granted, only the reply was lost"
    );
    sim.set_faults(Faults::none());
    assert_eq!(
        c.cmd("GETAPLIST").await,
        "APLIST 1 2",
        "other commands still answered"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn drop_after_closes_the_link_after_that_many_commands() {
    let sim = start(AcsSimConfig {
        faults: Faults::none().with_drop_after(2),
        ..AcsSimConfig::default()
    })
    .await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    c.closed().await;
    let mut again = Client::logged_in(sim.addr()).await;
    assert_eq!(
        again.cmd("GETAPLIST").await,
        "APLIST 1 2",
        "a new link works again"
    );
    again.closed().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn garbage_answers_an_unparseable_line() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    sim.set_faults(Faults::none().with_garbage_on(CommandKind::GetApList));
    c.send(b"GETAPLIST\r\n").await;
    let raw = c.raw_line().await;
    assert_eq!(raw, GARBAGE);
    assert!(acs_proto::parse_server_line(&raw[..raw.len() - 2]).is_err());
    assert_eq!(
        c.cmd("GETZONEINFO").await.split(' ').next(),
        Some("ZONEINFO")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn reject_login_answers_error_11_to_good_credentials() {
    let sim = start(AcsSimConfig::default()).await;
    sim.set_faults("reject-login".parse().expect("knob"));
    let mut c = Client::connect(sim.addr()).await;
    assert_eq!(
        c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await,
        "ERROR 11 AUTHENTICATION FAILED"
    );
    assert_eq!(c.cmd("GETAPLIST").await, "ERROR 4 NOT LOGGED IN");
    sim.set_faults("reject-login=21".parse().expect("knob"));
    assert_eq!(
        c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await,
        "ERROR 21 OIF ACCESS IS DISABLED FOR THIS USER"
    );
    sim.set_faults(Faults::none());
    assert_eq!(c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await, "OK");
    sim.shutdown().await;
}

#[tokio::test]
async fn byte_by_byte_and_coalesced_replies_arrive_intact() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    sim.set_faults(Faults::none().with_byte_by_byte());
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    sim.set_faults(Faults::none().with_coalesce());
    c.send(b"GETAPLIST\r\nGETAPINFO 9\r\nGETAPLIST\r\n").await;
    assert_eq!(c.line().await, "APLIST 1 2");
    assert_eq!(c.line().await, "ERROR 10 UNKNOWN ACCESS POINT");
    assert_eq!(c.line().await, "APLIST 1 2");
    sim.shutdown().await;
}

#[tokio::test]
async fn disconnect_all_closes_every_link_and_the_server_keeps_accepting() {
    let sim = start(AcsSimConfig::default()).await;
    let mut a = Client::logged_in(sim.addr()).await;
    let mut b = Client::logged_in(sim.addr()).await;
    assert_eq!(sim.connections(), 2);
    sim.disconnect_all();
    a.closed().await;
    b.closed().await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    sim.shutdown().await;
}

#[tokio::test]
async fn shutdown_releases_the_port_for_a_restart() {
    let sim = start(AcsSimConfig::default()).await;
    let addr = sim.addr();
    let mut c = Client::logged_in(addr).await;
    sim.shutdown().await;
    c.closed().await;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("rebind the same port");
    let sim = sim::acs::AcsSim::start(AcsSimConfig::default(), listener);
    let mut c = Client::logged_in(addr).await;
    let ts = Timestamp::new(2025, 1, 27, 11, 23, 8).expect("valid timestamp");
    sim.record_history(ClassicEvent {
        time: ts,
        kind: ClassicKind::BreakingPass {
            ap: AccessPointId(2),
            direction: Direction::Out,
        },
    });
    let line = c
        .cmd(r#"GETHISTORY FROM "2025-01-27 00:00:00" TILL "2025-01-28 00:00:00""#)
        .await;
    match acs_proto::parse_server_line(line.as_bytes()) {
        Ok(ServerLine::Reply(Reply::History(events))) => assert_eq!(events, sim.history()),
        other => panic!("{line:?} -> {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn tls_connections_speak_the_same_protocol() {
    use std::sync::Arc;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let server_tls = sim::acs::server_config_from_pem(
        cert.cert.pem().as_bytes(),
        cert.key_pair.serialize_pem().as_bytes(),
    )
    .expect("server TLS config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let sim = sim::acs::AcsSim::start_tls(AcsSimConfig::default(), listener, server_tls);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).expect("root");
    let client_tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_tls));
    let tcp = tokio::net::TcpStream::connect(sim.addr())
        .await
        .expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let tls = connector.connect(name, tcp).await.expect("TLS handshake");
    let mut c = Client::over(tls);
    assert_eq!(c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await, "OK");
    assert_eq!(c.cmd("ALLOWPASS 1 6 IN").await, "OK");

    let mut plain = Client::connect(sim.addr()).await;
    plain.send(b"LOGIN 1.8 admin secret\r\n").await;
    let answer = plain.rest().await;
    assert!(
        !answer.windows(2).any(|w| w == b"OK"),
        "a plain-text client gets at most a TLS alert: {answer:?}"
    );
    assert_eq!(sim.allow_passes().len(), 1);
    sim.shutdown().await;
}

#[test]
fn bad_pem_is_a_typed_error() {
    assert!(matches!(
        sim::acs::server_config_from_pem(b"not a pem", b"nor this"),
        Err(sim::acs::TlsError::NoCertificate)
    ));
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed_at_once() {
    let sim = start(AcsSimConfig {
        max_connections: 2,
        ..AcsSimConfig::default()
    })
    .await;
    let _a = Client::logged_in(sim.addr()).await;
    let _b = Client::logged_in(sim.addr()).await;
    let mut c = Client::connect(sim.addr()).await;
    c.closed().await;
    assert_eq!(sim.connections(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_command_written_one_byte_at_a_time_is_understood() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    for byte in b"GETAPINFO 2\r\n" {
        c.send(std::slice::from_ref(byte)).await;
        tokio::task::yield_now().await;
    }
    assert!(c.line().await.starts_with("APINFO ID 2 "));
    sim.shutdown().await;
}

#[tokio::test]
async fn hostile_lines_each_get_exactly_one_reply_and_never_kill_the_server() {
    let sim = start(AcsSimConfig {
        max_line: 512,
        ..AcsSimConfig::default()
    })
    .await;
    let mut c = Client::logged_in(sim.addr()).await;
    let keywords = [
        "LOGIN",
        "ALLOWPASS",
        "GETAPLIST",
        "GETAPINFO",
        "GETZONEINFO",
        "GETOBJECTINFO",
        "GETLOCATION2",
        "GETHISTORY",
        "SETAPMODE",
        "SUBSCRIBE",
        "UNSUBSCRIBE",
        "NOSUCH",
        "",
    ];
    let mut rng = fastrand::Rng::with_seed(0x0AC5);
    let mut batch = Vec::new();
    let lines = 300;
    for _ in 0..lines {
        batch.extend_from_slice(keywords[rng.usize(..keywords.len())].as_bytes());
        batch.push(b' ');
        let max = if rng.u8(..) < 10 { 2000 } else { 40 };
        let len = rng.usize(1..max);
        batch.extend((0..len).map(|_| match rng.u8(..) {
            b'\n' => b'#',
            b => b,
        }));
        // A non-blank byte, so the line is never skipped as empty.
        batch.extend_from_slice(b"~\r\n");
    }
    c.send(&batch).await;
    for i in 0..lines {
        let raw = c.raw_line().await;
        assert!(raw.ends_with(b"\r\n"), "reply {i} missing or cut: {raw:?}");
    }
    c.nothing_within(Duration::from_millis(100)).await;
    // A random LOGIN line may have logged the session out: log in again to check it lives.
    assert_eq!(c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await, "OK");
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    assert_eq!(sim.received().len(), 1 + lines + 2);
    sim.shutdown().await;
}
