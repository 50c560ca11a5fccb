//! TLS links against the ACS simulator, with a self-signed certificate as the CA file.

mod common;

use std::io::Write;

use acs_client::{AcsError, LinkState, PassOutcome, TlsConfig};
use common::*;
use sim::acs::{AcsSim, AcsSimConfig, AcsSimHandle};

struct Site {
    sim: AcsSimHandle,
    ca: tempfile::NamedTempFile,
}

fn self_signed() -> rcgen::CertifiedKey {
    rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate")
}

fn pem_file(pem: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(pem.as_bytes()).expect("write");
    file
}

async fn tls_site() -> Site {
    let key = self_signed();
    let server = sim::acs::server_config_from_pem(
        key.cert.pem().as_bytes(),
        key.key_pair.serialize_pem().as_bytes(),
    )
    .expect("server config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let sim = AcsSim::start_tls(AcsSimConfig::default(), listener, server);
    Site {
        sim,
        ca: pem_file(&key.cert.pem()),
    }
}

#[tokio::test]
async fn a_pass_over_tls_trusting_a_ca_file_is_granted() {
    let site = tls_site().await;
    let mut cfg = config(site.sim.addr());
    cfg.tls = Some(TlsConfig {
        ca_file: Some(site.ca.path().to_owned()),
        server_name: Some("localhost".to_owned()),
    });
    let pool = ready_pool(cfg).await;
    assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    assert_eq!(site.sim.allow_passes().len(), 1);
    pool.shutdown().await;
}

#[tokio::test]
async fn a_server_certificate_from_another_ca_is_refused() {
    let site = tls_site().await;
    let other = pem_file(&self_signed().cert.pem());
    let mut cfg = config(site.sim.addr());
    cfg.tls = Some(TlsConfig {
        ca_file: Some(other.path().to_owned()),
        server_name: Some("localhost".to_owned()),
    });
    let pool = acs_client::AcsPool::start(cfg);
    let mut rx = pool.watch_links().remove(0);
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    let LinkState::Backoff { reason, .. } = state else {
        unreachable!()
    };
    assert!(matches!(reason, AcsError::Tls(_)), "{reason:?}");
    assert_eq!(
        pass(&pool, 1, 6, in_ms(100)).await,
        PassOutcome::Unavailable
    );
    assert!(site.sim.received().is_empty());
    pool.shutdown().await;
}

#[tokio::test]
async fn a_wrong_server_name_is_refused() {
    let site = tls_site().await;
    let mut cfg = config(site.sim.addr());
    cfg.tls = Some(TlsConfig {
        ca_file: Some(site.ca.path().to_owned()),
        server_name: Some("acs.example".to_owned()),
    });
    let pool = acs_client::AcsPool::start(cfg);
    let mut rx = pool.watch_links().remove(0);
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    assert!(matches!(
        state,
        LinkState::Backoff {
            reason: AcsError::Tls(_),
            ..
        }
    ));
    pool.shutdown().await;
}

#[tokio::test]
async fn a_missing_ca_file_is_a_tls_error_naming_the_file() {
    let mut cfg = config("127.0.0.1:9".parse().expect("addr"));
    cfg.tls = Some(TlsConfig {
        ca_file: Some("/nonexistent/facegate-ca.pem".into()),
        server_name: None,
    });
    let pool = acs_client::AcsPool::start(cfg);
    let mut rx = pool.watch_links().remove(0);
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    let LinkState::Backoff { reason, .. } = state else {
        unreachable!()
    };
    assert!(
        reason.to_string().contains("/nonexistent/facegate-ca.pem"),
        "{reason}"
    );
    pool.shutdown().await;
}
