//! Lenient, path-aware readers over a parsed [`serde_json::Value`].
//!
//! Watcher sends the same field as a number in one payload and as a numeric string in the next,
//! and uses `""` for "not known". These helpers accept both spellings, map empty strings to
//! `None`, and report failures with the JSON path of the offending value. Paths are a linked
//! list on the stack, so nothing is allocated unless an error is built.

use std::fmt;

use serde_json::{Map, Value};

use super::{PayloadError, UnixMs};

/// Where a value sits in the document, e.g. `notification.data.person.id` or `[2].object_id`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// The document itself.
    Root,
    /// A member of an object.
    Key(&'a Path<'a>, &'a str),
    /// An element of an array.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of member `key` below `self`.
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// The path of element `index` below `self`.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("$"),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(Path::Root, index) => write!(f, "[{index}]"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A short description of what was found, for error messages.
pub(crate) fn describe(value: Option<&Value>) -> &'static str {
    match value {
        None => "nothing (missing)",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(n)) => {
            if n.is_u64() {
                "an integer"
            } else if n.is_i64() {
                "a negative number"
            } else {
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() >= u64::MAX as f64 => {
                        "a number out of range"
                    }
                    Some(f) if f < 0.0 => "a negative number",
                    _ => "a fractional number",
                }
            }
        }
        Some(Value::String(s)) if s.is_empty() => "an empty string",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    }
}

/// Builds the error for `value` at `path` that should have been `expected`.
pub(crate) fn invalid(
    path: Path<'_>,
    expected: &'static str,
    value: Option<&Value>,
) -> PayloadError {
    PayloadError::Invalid {
        path: path.to_string(),
        expected,
        found: describe(value),
    }
}

/// `null`, `""` and a missing member all mean "absent".
fn absent(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// A required object member.
pub(crate) fn object<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<&'v Map<String, Value>, PayloadError> {
    match obj.get(key) {
        Some(Value::Object(map)) => Ok(map),
        other => Err(invalid(parent.key(key), "an object", other)),
    }
}

/// An optional object member (absent or `null` gives `None`).
pub(crate) fn opt_object<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<Option<&'v Map<String, Value>>, PayloadError> {
    match obj.get(key) {
        Some(Value::Object(map)) => Ok(Some(map)),
        None | Some(Value::Null) => Ok(None),
        other => Err(invalid(parent.key(key), "an object", other)),
    }
}

/// An optional array member (absent or `null` gives an empty slice).
pub(crate) fn opt_array<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<&'v [Value], PayloadError> {
    match obj.get(key) {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(&[]),
        other => Err(invalid(parent.key(key), "an array", other)),
    }
}

const EXPECTED_INT: &str = "an integer or numeric string";

/// Reads a non-negative integer given as a JSON number or a numeric string.
fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => {
            let s = s.trim();
            if s.starts_with('+') {
                return None;
            }
            s.parse::<u64>().ok()
        }
        _ => None,
    }
}

/// An optional non-negative integer: number or numeric string; absent, `null` or `""` is `None`.
pub(crate) fn opt_u64(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<Option<u64>, PayloadError> {
    let value = obj.get(key);
    if absent(value) {
        return Ok(None);
    }
    match value.and_then(as_u64) {
        Some(n) => Ok(Some(n)),
        None => Err(invalid(parent.key(key), EXPECTED_INT, value)),
    }
}

/// A required non-negative integer: number or numeric string.
pub(crate) fn req_u64(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<u64, PayloadError> {
    match opt_u64(obj, key, parent)? {
        Some(n) => Ok(n),
        None => Err(invalid(parent.key(key), EXPECTED_INT, obj.get(key))),
    }
}

/// An optional text member; numbers are accepted and written in decimal (ids such as
/// `camera_id` come both ways). Absent, `null` or `""` is `None`.
pub(crate) fn opt_text(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<Option<String>, PayloadError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        other => Err(invalid(parent.key(key), "a string or number", other)),
    }
}

/// A required, non-empty text member (string or number).
pub(crate) fn req_text(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<String, PayloadError> {
    match opt_text(obj, key, parent)? {
        Some(s) => Ok(s),
        None => Err(invalid(
            parent.key(key),
            "a non-empty string or number",
            obj.get(key),
        )),
    }
}

/// An optional score or other real number (number or numeric string, finite).
pub(crate) fn opt_f64(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<Option<f64>, PayloadError> {
    let value = obj.get(key);
    if absent(value) {
        return Ok(None);
    }
    let parsed = match value {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match parsed {
        Some(f) if f.is_finite() => Ok(Some(f)),
        _ => Err(invalid(
            parent.key(key),
            "a number or numeric string",
            value,
        )),
    }
}

const EXPECTED_SECS: &str = "a unix time in seconds (number or numeric string)";
/// Far beyond any real clock (year ~5138); guards the multiplication into milliseconds.
const MAX_SECS: f64 = 1.0e11;

/// An optional unix time in seconds (integer or decimal, number or numeric string),
/// converted to milliseconds.
pub(crate) fn opt_secs(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<Option<UnixMs>, PayloadError> {
    let value = obj.get(key);
    if absent(value) {
        return Ok(None);
    }
    if let Some(secs) = value.and_then(as_u64) {
        if let Some(ms) = secs.checked_mul(1000).filter(|_| (secs as f64) < MAX_SECS) {
            return Ok(Some(UnixMs(ms)));
        }
        return Err(invalid(parent.key(key), EXPECTED_SECS, value));
    }
    let real = match value {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match real {
        Some(f) if f.is_finite() && (0.0..MAX_SECS).contains(&f) => {
            // In range by the check above, so the cast neither saturates nor wraps.
            Ok(Some(UnixMs((f * 1000.0).round() as u64)))
        }
        _ => Err(invalid(parent.key(key), EXPECTED_SECS, value)),
    }
}

/// An optional unix time already in milliseconds (v3 `utc_ms`), number or numeric string.
pub(crate) fn opt_ms(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<Option<UnixMs>, PayloadError> {
    Ok(opt_u64(obj, key, parent)?.map(UnixMs))
}

/// A required unix time in milliseconds.
pub(crate) fn req_ms(
    obj: &Map<String, Value>,
    key: &str,
    parent: Path<'_>,
) -> Result<UnixMs, PayloadError> {
    req_u64(obj, key, parent).map(UnixMs)
}

/// Parses `body` as JSON (serde_json limits nesting to 128 levels, so hostile depth is an
/// error, not a stack overflow).
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, PayloadError> {
    serde_json::from_slice(body).map_err(|e| PayloadError::Json {
        message: e.to_string(),
    })
}

/// The document root as an object.
pub(crate) fn root_object<'v>(
    value: &'v Value,
    expected: &'static str,
) -> Result<&'v Map<String, Value>, PayloadError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(invalid(Path::Root, expected, Some(other))),
    }
}
