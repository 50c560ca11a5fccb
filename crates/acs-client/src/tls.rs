//! TLS client setup: rustls with the ring provider, trusting a CA file or the system roots.

use std::io::BufReader;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use crate::config::{AcsConfig, TlsConfig};
use crate::error::AcsError;

/// A ready TLS connector plus the name the server must prove.
#[derive(Clone)]
pub(crate) struct TlsSetup {
    pub(crate) connector: TlsConnector,
    pub(crate) server_name: ServerName<'static>,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// Builds the TLS connector for `cfg` (reads the CA file or the system store: do it once per
/// link, not per connection attempt).
pub(crate) fn setup(cfg: &AcsConfig, tls: &TlsConfig) -> Result<TlsSetup, AcsError> {
    let roots = match &tls.ca_file {
        Some(path) => roots_from_file(path)?,
        None => system_roots()?,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| AcsError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = tls
        .server_name
        .clone()
        .unwrap_or_else(|| cfg.host().to_owned());
    let server_name = ServerName::try_from(name.clone())
        .map_err(|_| AcsError::Tls(format!("invalid TLS server name {name:?}")))?;
    Ok(TlsSetup {
        connector: TlsConnector::from(Arc::new(config)),
        server_name,
    })
}

fn roots_from_file(path: &std::path::Path) -> Result<RootCertStore, AcsError> {
    let file = std::fs::File::open(path)
        .map_err(|e| AcsError::Tls(format!("cannot open CA file {}: {e}", path.display())))?;
    let certs = rustls_pemfile::certs(&mut BufReader::new(file))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AcsError::Tls(format!("cannot read CA file {}: {e}", path.display())))?;
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(AcsError::Tls(format!(
            "no usable CA certificate in {}",
            path.display()
        )));
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, AcsError> {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "could not load some system CA certificates");
    }
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(AcsError::Tls(
            "no system CA certificates found; set a CA file".to_owned(),
        ));
    }
    Ok(roots)
}
