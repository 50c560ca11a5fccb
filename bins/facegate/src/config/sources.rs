//! Resolving `[ingest]` and `[watcher]`, the two event sources.

use super::cidr::Cidr;
use super::ctx::Ctx;
use super::raw::{de_table, RawIngest, RawSubscribe, RawWatcher};
use super::types::{
    IngestConfig, SubscribeConfig, TlsFiles, WatcherConfig, WatcherCredentials, WatcherMode,
};
use crate::size::parse_size;

/// Shortest accepted ingest token (SPEC §3).
pub const MIN_TOKEN_CHARS: usize = 32;
/// Default `ingest.max_body`.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024;
const MAX_MAX_BODY: u64 = 64 * 1024 * 1024;

pub(crate) fn ingest(cx: &mut Ctx<'_>, r: RawIngest) -> Option<IngestConfig> {
    let listen = cx.socket_addr("ingest.listen", r.listen, "0.0.0.0:8080");
    let token = cx.secret("ingest.token", r.token, r.token_env, r.token_file, true);
    if let Some(t) = &token {
        let value = t.expose();
        let len = value.chars().count();
        if len < MIN_TOKEN_CHARS {
            cx.problems.error(
                "ingest.token",
                format!("the token has {len} characters; at least {MIN_TOKEN_CHARS} are required (e.g. `openssl rand -hex 32`)"),
            );
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        {
            cx.problems.error(
                "ingest.token",
                "the token is part of a URL path: use only letters, digits and - . _ ~",
            );
        }
    }
    let mut allow_from = Vec::new();
    for (i, text) in cx
        .take("ingest.allow_from", r.allow_from)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        match text.parse::<Cidr>() {
            Ok(c) => allow_from.push(c),
            Err(e) => cx.problems.error(format!("ingest.allow_from[{i}]"), e),
        }
    }
    let max_body = match cx.take("ingest.max_body", r.max_body) {
        None => DEFAULT_MAX_BODY as u64,
        Some(value) => {
            let parsed = match &value {
                toml::Value::String(s) => parse_size(s),
                toml::Value::Integer(n) => {
                    u64::try_from(*n).map_err(|_| "must not be negative".into())
                }
                other => Err(format!(
                    "expected a size like \"64KiB\", found {}",
                    other.type_str()
                )),
            };
            match parsed {
                Ok(n) if (1024..=MAX_MAX_BODY).contains(&n) => n,
                Ok(n) => {
                    cx.problems.error(
                        "ingest.max_body",
                        format!("{n} bytes is outside 1KiB..=64MiB"),
                    );
                    DEFAULT_MAX_BODY as u64
                }
                Err(e) => {
                    cx.problems.error("ingest.max_body", e);
                    DEFAULT_MAX_BODY as u64
                }
            }
        }
    };
    let cert = cx.existing_file("ingest.tls_cert", r.tls_cert);
    let key = cx.existing_file("ingest.tls_key", r.tls_key);
    let tls = match (cert, key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        (None, None) => None,
        (Some(_), None) => {
            cx.problems.error(
                "ingest.tls_key",
                "missing: tls_cert is set, HTTPS needs both",
            );
            None
        }
        (None, Some(_)) => {
            cx.problems.error(
                "ingest.tls_cert",
                "missing: tls_key is set, HTTPS needs both",
            );
            None
        }
    };
    let queue_capacity = match cx.take("ingest.queue_capacity", r.queue_capacity) {
        None => 1024,
        Some(n) if (1..=1_000_000).contains(&n) => n as usize,
        Some(n) => {
            cx.problems.error(
                "ingest.queue_capacity",
                format!("{n} is outside 1..=1000000"),
            );
            1024
        }
    };
    Some(IngestConfig {
        listen,
        token: token?,
        allow_from,
        max_body: usize::try_from(max_body).unwrap_or(DEFAULT_MAX_BODY),
        tls,
        queue_capacity,
    })
}

fn http_url(cx: &mut Ctx<'_>, key: &str, text: String) -> Option<String> {
    let t = text.trim();
    let rest = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"));
    match rest {
        Some(host)
            if !host.is_empty() && !host.starts_with('/') && !t.contains(char::is_whitespace) =>
        {
            Some(t.trim_end_matches('/').to_string())
        }
        _ => {
            cx.problems
                .error(key, format!("{text:?} is not an http:// or https:// URL"));
            None
        }
    }
}

pub(crate) fn watcher(cx: &mut Ctx<'_>, r: RawWatcher) -> Option<WatcherConfig> {
    let url = cx
        .required_text("watcher.url", r.url)
        .and_then(|u| http_url(cx, "watcher.url", u));
    let api_key = cx.secret(
        "watcher.api_key",
        r.api_key,
        r.api_key_env,
        r.api_key_file,
        false,
    );
    let login = cx.take("watcher.login", r.login);
    let has_password =
        r.password.is_some() || r.password_env.is_some() || r.password_file.is_some();
    let password = cx.secret(
        "watcher.password",
        r.password,
        r.password_env,
        r.password_file,
        login.is_some(),
    );
    let credentials = match (api_key, login) {
        (Some(_), Some(_)) => {
            cx.problems.error(
                "watcher.login",
                "set either api_key (or api_key_env/_file) or login + password, not both",
            );
            None
        }
        (Some(key), None) => Some(WatcherCredentials::ApiKey(key)),
        (None, Some(login)) => {
            password.map(|password| WatcherCredentials::Login { login, password })
        }
        (None, None) => {
            if has_password {
                cx.problems
                    .error("watcher.login", "missing: a password is set but no login");
            } else if cx
                .problems
                .errors
                .iter()
                .all(|p| !p.key.starts_with("watcher.api_key"))
            {
                cx.problems.error(
                    "watcher.api_key_env",
                    "missing: set api_key_env (or api_key_file, api_key), or login + password_env",
                );
            }
            None
        }
    };
    let mode = match cx.take("watcher.mode", r.mode).as_deref() {
        None | Some("push") => WatcherMode::Push,
        Some("poll") => WatcherMode::Poll,
        Some(other) => {
            cx.problems.error(
                "watcher.mode",
                format!("{other:?} is not \"push\" or \"poll\""),
            );
            WatcherMode::Push
        }
    };
    let public_url = cx
        .take("watcher.public_url", r.public_url)
        .and_then(|u| http_url(cx, "watcher.public_url", u));
    let mut subscribe = Vec::new();
    for (i, value) in cx
        .take("watcher.subscribe", r.subscribe)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let key = format!("watcher.subscribe[{i}]");
        let Some(raw) = de_table::<RawSubscribe>(value, &key, &mut cx.problems) else {
            continue;
        };
        let event_type = cx.required_text(&format!("{key}.event_type"), raw.event_type);
        let nt_key = format!("{key}.notification_type");
        let notification_type = match cx.required(&nt_key, raw.notification_type) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s),
            Some(toml::Value::Integer(n)) => Some(n.to_string()),
            Some(other) => {
                cx.problems.error(
                    &nt_key,
                    format!(
                        "expected a non-empty string or an integer, found {}",
                        other.type_str()
                    ),
                );
                None
            }
            None => None,
        };
        if let (Some(event_type), Some(notification_type)) = (event_type, notification_type) {
            subscribe.push(SubscribeConfig {
                event_type,
                notification_type,
            });
        }
    }
    if mode == WatcherMode::Poll && matches!(credentials, Some(WatcherCredentials::ApiKey(_))) {
        cx.problems.error(
            "watcher.login",
            "missing: mode = \"poll\" uses the v3 API, which needs login + password (an API key is v2 only)",
        );
    }
    match mode {
        WatcherMode::Push if subscribe.is_empty() => cx.problems.warn(
            "watcher.subscribe",
            "push mode without [[watcher.subscribe]]: nothing is registered, configure Watcher's notifications by hand",
        ),
        WatcherMode::Push if public_url.is_none() && !cx.problems.errors.iter().any(|p| p.key == "watcher.public_url") => cx.problems.error(
            "watcher.public_url",
            "missing: needed to give Watcher the notify_url (<public_url>/watcher/events/<token>)",
        ),
        WatcherMode::Poll if !subscribe.is_empty() => cx
            .problems
            .warn("watcher.subscribe", "ignored in poll mode"),
        _ => {}
    }
    Some(WatcherConfig {
        url: url?,
        credentials: credentials?,
        mode,
        public_url,
        subscribe,
    })
}
