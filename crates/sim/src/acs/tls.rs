//! TLS for the simulator: a rustls server config (ring provider) from PEM files or bytes.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// rustls' server configuration, re-exported so callers need not depend on rustls by name.
pub use rustls::ServerConfig as TlsServerConfig;

/// A TLS certificate or key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The certificate PEM held no usable certificate.
    #[error("no certificate found in the certificate PEM")]
    NoCertificate,
    /// The key PEM held no usable private key.
    #[error("no private key found in the key PEM")]
    NoKey,
    /// The PEM text was malformed.
    #[error("malformed PEM: {0}")]
    Pem(std::io::Error),
    /// rustls refused the certificate/key pair.
    #[error("TLS configuration rejected: {0}")]
    Rustls(rustls::Error),
}

/// A server config from PEM text: a certificate chain (leaf first) and a private key.
pub fn server_config_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let certs = rustls_pemfile::certs(&mut BufReader::new(cert_pem))
        .collect::<Result<Vec<_>, _>>()
        .map_err(TlsError::Pem)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    let key = rustls_pemfile::private_key(&mut BufReader::new(key_pem))
        .map_err(TlsError::Pem)?
        .ok_or(TlsError::NoKey)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Rustls)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(TlsError::Rustls)?;
    Ok(Arc::new(config))
}

/// A server config from a certificate PEM file and a key PEM file.
pub fn server_config_from_files(
    cert: &Path,
    key: &Path,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|error| TlsError::Read {
            path: path.to_owned(),
            error,
        })
    };
    server_config_from_pem(&read(cert)?, &read(key)?)
}
