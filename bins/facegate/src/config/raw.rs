//! The configuration as written: serde types with `deny_unknown_fields` on every table.
//!
//! Leaf values are wrapped in [`V`], which keeps a type error as data instead of failing the
//! whole table, so one pass reports every problem with its own key. Unknown keys are found by
//! [`de_table`], which removes each one it is told about and tries again.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::problem::Problems;

/// A leaf value: either the typed value or serde's complaint about it.
#[derive(Debug)]
pub(crate) struct V<T>(pub(crate) Result<T, String>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for V<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(d)?;
        Ok(V(
            T::deserialize(value).map_err(|e| plain_words(e.message()))
        ))
    }
}

/// serde speaks Rust (`expected i64`); say it in TOML's words.
fn plain_words(message: &str) -> String {
    message
        .replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("invalid type: map", "invalid type: table")
}

/// Deserializes one table, reporting each unknown key as `key.field: unknown key` and any other
/// failure as `key: …`. Returns `None` when the table cannot be used at all.
pub(crate) fn de_table<T: DeserializeOwned>(
    value: toml::Value,
    key: &str,
    problems: &mut Problems,
) -> Option<T> {
    let mut value = match value {
        toml::Value::Table(t) => t,
        other => {
            problems.error(key, format!("expected a table, found {}", other.type_str()));
            return None;
        }
    };
    // Each round removes one unknown key; a table has finitely many.
    loop {
        match T::deserialize(toml::Value::Table(value.clone())) {
            Ok(t) => return Some(t),
            Err(e) => {
                let message = e.message().to_string();
                match unknown_field(&message) {
                    Some(field) if value.contains_key(&field) => {
                        let expected = message
                            .split_once(", expected ")
                            .map(|(_, rest)| format!(" (expected {rest})"))
                            .unwrap_or_default();
                        problems.error(format!("{key}.{field}"), format!("unknown key{expected}"));
                        value.remove(&field);
                    }
                    _ => {
                        problems.error(key, message);
                        return None;
                    }
                }
            }
        }
    }
}

fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

/// `[ingest]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIngest {
    pub(crate) listen: Option<V<String>>,
    pub(crate) token: Option<V<String>>,
    pub(crate) token_env: Option<V<String>>,
    pub(crate) token_file: Option<V<String>>,
    pub(crate) allow_from: Option<V<Vec<String>>>,
    pub(crate) max_body: Option<V<toml::Value>>,
    pub(crate) tls_cert: Option<V<String>>,
    pub(crate) tls_key: Option<V<String>>,
    pub(crate) queue_capacity: Option<V<i64>>,
}

/// `[watcher]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWatcher {
    pub(crate) url: Option<V<String>>,
    pub(crate) api_key: Option<V<String>>,
    pub(crate) api_key_env: Option<V<String>>,
    pub(crate) api_key_file: Option<V<String>>,
    pub(crate) login: Option<V<String>>,
    pub(crate) password: Option<V<String>>,
    pub(crate) password_env: Option<V<String>>,
    pub(crate) password_file: Option<V<String>>,
    pub(crate) mode: Option<V<String>>,
    pub(crate) public_url: Option<V<String>>,
    pub(crate) subscribe: Option<V<Vec<toml::Value>>>,
}

/// `[[watcher.subscribe]]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubscribe {
    pub(crate) event_type: Option<V<String>>,
    pub(crate) notification_type: Option<V<toml::Value>>,
}

/// `[[acs]]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAcs {
    pub(crate) name: Option<V<String>>,
    pub(crate) address: Option<V<String>>,
    pub(crate) user: Option<V<String>>,
    pub(crate) password: Option<V<String>>,
    pub(crate) password_env: Option<V<String>>,
    pub(crate) password_file: Option<V<String>>,
    pub(crate) tls: Option<V<bool>>,
    pub(crate) tls_ca: Option<V<String>>,
    pub(crate) connections: Option<V<i64>>,
    pub(crate) reply_timeout: Option<V<String>>,
    pub(crate) dry_run: Option<V<bool>>,
}

/// `[[door]]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDoor {
    pub(crate) camera: Option<V<toml::Value>>,
    pub(crate) acs: Option<V<String>>,
    pub(crate) access_point: Option<V<i64>>,
    pub(crate) direction: Option<V<String>>,
}

/// `[identity]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIdentity {
    pub(crate) mode: Option<V<String>>,
    pub(crate) table: Option<V<String>>,
}

/// `[policy]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub(crate) max_event_age: Option<V<String>>,
    pub(crate) clock_skew: Option<V<String>>,
    pub(crate) cooldown: Option<V<String>>,
    pub(crate) allow_lists: Option<V<Vec<i64>>>,
    pub(crate) deny_lists: Option<V<Vec<i64>>>,
    pub(crate) min_score: Option<V<f64>>,
}

/// `[journal]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawJournal {
    pub(crate) path: Option<V<String>>,
    pub(crate) retention: Option<V<String>>,
}

/// `[admin]` as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAdmin {
    pub(crate) listen: Option<V<String>>,
}
