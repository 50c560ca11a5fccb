//! End-to-end: the webhook listener over HTTPS (rustls, ring), with a self-signed test
//! certificate for 127.0.0.1 (`tests/fixtures/ingest-*.pem`, test use only).

mod common;

use common::{acs_sim, allowpasses, push_now, Harness, Setup, TOKEN};

#[tokio::test]
async fn the_webhook_is_served_over_https_when_a_certificate_is_configured() {
    let acs = acs_sim().await;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut setup = Setup::new(acs.addr().to_string());
    setup.ingest_extra = format!(
        "tls_cert = \"{}\"\ntls_key = \"{}\"\n",
        fixtures.join("ingest-cert.pem").display(),
        fixtures.join("ingest-key.pem").display()
    );
    let mut h = Harness::start(setup).await;
    h.wait_ready(200).await;
    let pem = std::fs::read(fixtures.join("ingest-cert.pem")).expect("cert");
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
        .build()
        .expect("client");
    let port = h.handle().ingest_addr.expect("ingest").port();
    let url = format!("https://127.0.0.1:{port}/watcher/events/{TOKEN}");
    let r = https
        .post(&url)
        .body(push_now(135, "entrance"))
        .send()
        .await
        .expect("HTTPS request");
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(h.next().await.outcome, "granted");
    // Plain HTTP on the TLS port gets nowhere.
    let plain = format!("http://127.0.0.1:{port}/watcher/events/{TOKEN}");
    let r = h.http.post(&plain).body(push_now(136, "gate")).send().await;
    assert!(r.map_or(true, |r| !r.status().is_success()));
    assert_eq!(allowpasses(&acs), 1);
    h.stop().await;
}
