//! Outgoing deliveries: one HTTP/1.1 POST per target over hyper's connection-level client.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::error::DeliveryError;

/// A parsed `http://` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    host: String,
    port: u16,
    /// Path and query, starting with `/`.
    path: String,
}

/// Parses `http://host[:port][/path[?query]]` (IPv6 hosts in brackets).
pub(crate) fn parse_url(url: &str) -> Result<Target, DeliveryError> {
    let invalid = || DeliveryError::InvalidUrl(url.to_string());
    let rest = if let Some(rest) = url.strip_prefix("http://") {
        rest
    } else if url.starts_with("https://") {
        return Err(DeliveryError::UnsupportedScheme);
    } else {
        return Err(invalid());
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    if authority.contains('@') || authority.is_empty() {
        return Err(invalid());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']').ok_or_else(invalid)?;
        let host = &v6[..end];
        let port = match &v6[end + 1..] {
            "" => 80,
            p => p
                .strip_prefix(':')
                .and_then(|p| p.parse().ok())
                .ok_or_else(invalid)?,
        };
        (host.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| invalid())?),
            None => (authority.to_string(), 80),
        }
    };
    if host.is_empty() || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    Ok(Target { host, port, path })
}

/// POSTs `body` as JSON to `url`; returns the response status. The whole exchange (connect,
/// request, response head, and a bounded drain of the response body) is limited by `timeout`.
pub(crate) async fn post_json(
    url: &str,
    body: Bytes,
    timeout: Duration,
) -> Result<u16, DeliveryError> {
    let target = parse_url(url)?;
    match tokio::time::timeout(timeout, exchange(&target, body)).await {
        Ok(result) => result,
        Err(_) => Err(DeliveryError::Timeout),
    }
}

async fn exchange(target: &Target, body: Bytes) -> Result<u16, DeliveryError> {
    let stream = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| DeliveryError::Connect(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| DeliveryError::Http(e.to_string()))?;
    let driver = tokio::spawn(async move {
        // Errors surface through the request future; nothing more to do here.
        let _ = conn.await;
    });
    let host_header = if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let request = http::Request::post(target.path.as_str())
        .header(http::header::HOST, host_header)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, "facegate-sim-watcher")
        .header(http::header::CONNECTION, "close")
        .body(Full::new(body))
        .map_err(|e| DeliveryError::Http(e.to_string()))?;
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| DeliveryError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        // Drain at most 64 KiB so the peer sees a complete exchange; the body is not kept.
        let limited = http_body_util::Limited::new(response.into_body(), 64 * 1024);
        let _ = limited.collect().await;
        Ok(status)
    }
    .await;
    driver.abort();
    result
}

/// The URL for logs: a long path segment (likely a secret token, SPEC §5) is shortened to
/// its first 4 characters; query strings are dropped.
pub(crate) fn redact_url(url: &str) -> String {
    let url = url.split('?').next().unwrap_or_default();
    let (head, path) = match url.find("://").map(|i| i + 3) {
        Some(start) => match url[start..].find('/') {
            Some(j) => url.split_at(start + j),
            None => (url, ""),
        },
        None => ("", url),
    };
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.chars().count() >= 16 {
                format!("{}…", seg.chars().take(4).collect::<String>())
            } else {
                seg.to_string()
            }
        })
        .collect();
    format!("{head}{}", path.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_shortens_token_segments_and_drops_queries() {
        assert_eq!(
            redact_url("http://h:1/watcher/events/0123456789abcdef0123?k=v"),
            "http://h:1/watcher/events/0123…"
        );
        assert_eq!(redact_url("http://h:1"), "http://h:1");
    }

    #[test]
    fn parse_url_accepts_host_port_and_path() {
        let t = parse_url("http://127.0.0.1:8080/watcher/events/abc?x=1").unwrap();
        assert_eq!(t.host, "127.0.0.1");
        assert_eq!(t.port, 8080);
        assert_eq!(t.path, "/watcher/events/abc?x=1");
    }

    #[test]
    fn parse_url_defaults_port_and_path() {
        let t = parse_url("http://bridge.lan").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("bridge.lan", 80, "/")
        );
        let t = parse_url("http://[::1]:9000?q").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 9000, "/?q")
        );
    }

    #[test]
    fn parse_url_rejects_other_schemes_and_garbage() {
        assert_eq!(
            parse_url("https://x/"),
            Err(DeliveryError::UnsupportedScheme)
        );
        assert!(matches!(
            parse_url("ftp://x/"),
            Err(DeliveryError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_url("http://:80/"),
            Err(DeliveryError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_url("http://h:notaport/"),
            Err(DeliveryError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_url("http://u@h/"),
            Err(DeliveryError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_url("http://h/a b"),
            Err(DeliveryError::InvalidUrl(_))
        ));
    }
}
