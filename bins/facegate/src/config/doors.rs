//! Resolving `[[acs]]` servers and the `[[door]]`s that name them.

use std::collections::HashMap;
use std::time::Duration;

use super::ctx::Ctx;
use super::raw::{RawAcs, RawDoor};
use super::types::{AcsServerConfig, Direction, DoorConfig};

/// The OIF server's default TCP port.
pub const DEFAULT_OIF_PORT: u16 = 3312;
/// The name given to a single `[[acs]]` without `name`.
pub const DEFAULT_ACS_NAME: &str = "default";

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn address(cx: &mut Ctx<'_>, key: &str, text: String) -> Option<String> {
    let t = text.trim();
    let bad = |cx: &mut Ctx<'_>| {
        cx.problems.error(
            key,
            format!("{text:?} is not an address like \"10.0.0.5:3312\" or \"acs.lan\""),
        );
        None
    };
    if t.is_empty() || t.contains(char::is_whitespace) || t.contains('/') {
        return bad(cx);
    }
    if t.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some(format!("[{t}]:{DEFAULT_OIF_PORT}"));
    }
    match t.rsplit_once(':') {
        None => Some(format!("{t}:{DEFAULT_OIF_PORT}")),
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
            Some(t.to_string())
        }
        Some(_) => bad(cx),
    }
}

/// Resolves every `[[acs]]`; `None` entries had errors (their index still counts for names).
pub(crate) fn acs_servers(cx: &mut Ctx<'_>, raws: Vec<RawAcs>) -> Vec<Option<AcsServerConfig>> {
    let single = raws.len() == 1;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, r) in raws.into_iter().enumerate() {
        let key = |field: &str| format!("acs[{i}].{field}");
        let name = match cx.take(&key("name"), r.name) {
            Some(n) if valid_name(&n) => Some(n),
            Some(n) => {
                cx.problems.error(
                    key("name"),
                    format!("{n:?}: use letters, digits, '-', '_' and '.' only"),
                );
                None
            }
            None if single => Some(DEFAULT_ACS_NAME.to_string()),
            None => {
                cx.problems.error(
                    key("name"),
                    "missing: required when there is more than one [[acs]]",
                );
                None
            }
        };
        if let Some(n) = &name {
            if let Some(first) = seen.insert(n.clone(), i) {
                cx.problems.error(
                    key("name"),
                    format!("{n:?} is already the name of acs[{first}]"),
                );
            }
        }
        let address = cx
            .required_text(&key("address"), r.address)
            .and_then(|a| address(cx, &key("address"), a));
        let user = cx.required_text(&key("user"), r.user);
        let password = cx.secret(
            &key("password"),
            r.password,
            r.password_env,
            r.password_file,
            true,
        );
        let tls = cx.take(&key("tls"), r.tls).unwrap_or(false);
        let tls_ca = cx.existing_file(&key("tls_ca"), r.tls_ca);
        if tls_ca.is_some() && !tls {
            cx.problems
                .warn(key("tls_ca"), "ignored because tls = false");
        }
        let connections = match cx.take(&key("connections"), r.connections) {
            None => 2,
            Some(n) if (1..=64).contains(&n) => n as usize,
            Some(n) => {
                cx.problems
                    .error(key("connections"), format!("{n} is outside 1..=64"));
                2
            }
        };
        let reply_timeout = cx.duration(
            &key("reply_timeout"),
            r.reply_timeout,
            Duration::from_secs(2),
            true,
        );
        let dry_run = cx.take(&key("dry_run"), r.dry_run).unwrap_or(false);
        out.push(match (name, address, user, password) {
            (Some(name), Some(address), Some(user), Some(password)) => Some(AcsServerConfig {
                name,
                address,
                user,
                password,
                tls,
                tls_ca,
                connections,
                reply_timeout,
                dry_run,
            }),
            _ => None,
        });
    }
    out
}

/// Resolves every `[[door]]` against the ACS names (`names` has one entry per `[[acs]]`,
/// `None` where that entry's name was invalid).
pub(crate) fn doors(
    cx: &mut Ctx<'_>,
    raws: Vec<RawDoor>,
    names: &[Option<String>],
) -> Vec<DoorConfig> {
    let known: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
    let listed = known
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut seen: HashMap<(String, &'static str), usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, r) in raws.into_iter().enumerate() {
        let key = |field: &str| format!("door[{i}].{field}");
        let camera = match cx.required(&key("camera"), r.camera) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s),
            Some(toml::Value::Integer(n)) => Some(n.to_string()),
            Some(other) => {
                cx.problems.error(
                    key("camera"),
                    format!("expected a camera name or id, found {}", other.type_str()),
                );
                None
            }
            None => None,
        };
        let acs = match cx.take(&key("acs"), r.acs) {
            Some(a) if known.contains(&a.as_str()) => Some(a),
            // The name may belong to an [[acs]] that already has an error of its own.
            Some(_) if names.iter().any(Option::is_none) => None,
            Some(a) => {
                cx.problems.error(
                    key("acs"),
                    format!("no [[acs]] is named {a:?} (known: {listed})"),
                );
                None
            }
            None if names.len() == 1 => names[0].clone(),
            None if names.is_empty() => None,
            None => {
                cx.problems.error(
                    key("acs"),
                    format!(
                        "missing: required when there is more than one [[acs]] (one of {listed})"
                    ),
                );
                None
            }
        };
        let access_point = match cx.required(&key("access_point"), r.access_point) {
            Some(n) => match u32::try_from(n) {
                Ok(ap) => Some(ap),
                Err(_) => {
                    cx.problems.error(
                        key("access_point"),
                        format!("{n} is not an access point id (0..=4294967295)"),
                    );
                    None
                }
            },
            None => None,
        };
        let direction = match cx
            .take(&key("direction"), r.direction)
            .map(|d| d.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("unknown") => Some(Direction::Unknown),
            Some("in") => Some(Direction::In),
            Some("out") => Some(Direction::Out),
            Some(other) => {
                cx.problems.error(
                    key("direction"),
                    format!("{other:?} is not \"in\", \"out\" or \"unknown\""),
                );
                None
            }
        };
        if let (Some(camera), Some(direction)) = (&camera, direction) {
            let dir = direction.as_str();
            if let Some(first) = seen.insert((camera.clone(), dir), i) {
                cx.problems.error(
                    format!("door[{i}]"),
                    format!("camera {camera:?} with direction {} is already configured by door[{first}]", dir.to_ascii_lowercase()),
                );
            }
        }
        if let (Some(camera), Some(acs), Some(access_point), Some(direction)) =
            (camera, acs, access_point, direction)
        {
            out.push(DoorConfig {
                camera,
                acs,
                access_point,
                direction,
            });
        }
    }
    out
}
