//! The ingest URL the driver posts to.

use std::net::SocketAddr;

use super::error::LoadError;

/// A resolved `http://host:port/path` target. `Debug` hides the path (it holds the token).
#[derive(Clone)]
pub struct Target {
    /// Where to connect.
    pub addr: SocketAddr,
    /// The `Host` header (`host:port` as written).
    pub authority: String,
    /// The request path, e.g. `/watcher/events/<token>`.
    pub path: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("addr", &self.addr)
            .field("authority", &self.authority)
            .field("path", &"/…")
            .finish()
    }
}

impl Target {
    /// Parses and resolves `url` (plain `http` only; the driver measures the bridge, not TLS).
    pub async fn resolve(url: &str) -> Result<Self, LoadError> {
        let bad = |reason| LoadError::BadTarget {
            url: redact_path(url),
            reason,
        };
        let uri: http::Uri = url.parse().map_err(|_| bad("not a URL"))?;
        if uri.scheme_str() != Some("http") {
            return Err(bad("only http:// is supported"));
        }
        let authority = uri.authority().ok_or(bad("no host"))?;
        let port = authority.port_u16().unwrap_or(80);
        let addr = tokio::net::lookup_host((authority.host(), port))
            .await
            .map_err(|_| bad("host does not resolve"))?
            .next()
            .ok_or(bad("host does not resolve"))?;
        let path = uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Ok(Self {
            addr,
            authority: authority.as_str().to_owned(),
            path,
        })
    }

    /// The URL for `addr` and `token` on the bridge's ingest path.
    pub fn ingest_url(addr: SocketAddr, token: &str) -> String {
        format!("http://{addr}/watcher/events/{token}")
    }
}

/// The URL with its path replaced by `/…`: the path carries the ingest token.
pub fn redact_path(url: &str) -> String {
    match url.parse::<http::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(s), Some(a)) => format!("{s}://{a}/…"),
            _ => "<url>".to_owned(),
        },
        Err(_) => "<url>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_http_url_resolves_to_its_address_host_and_path() {
        let t = Target::resolve("http://127.0.0.1:8099/watcher/events/abc")
            .await
            .expect("valid");
        assert_eq!(t.addr, "127.0.0.1:8099".parse().expect("addr"));
        assert_eq!(t.authority, "127.0.0.1:8099");
        assert_eq!(t.path, "/watcher/events/abc");
        assert!(!format!("{t:?}").contains("abc"));
    }

    #[tokio::test]
    async fn https_and_garbage_are_refused_without_echoing_the_token() {
        let err = Target::resolve("https://127.0.0.1/watcher/events/sekrit")
            .await
            .expect_err("https");
        assert!(!err.to_string().contains("sekrit"), "{err}");
        assert!(Target::resolve("not a url").await.is_err());
    }
}
