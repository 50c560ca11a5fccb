//! `POST /sim/recognize`: the rehearsal control endpoint (no auth).
//!
//! Body: `{"person_id": 135, "camera": "entrance", "at": 1593706529, "score": 0.9}`; `at` and
//! `score` are optional; `"person_id": null` (or absent) or `"unknown": true` is an unknown face.
//! `person_id` and `at` may be numbers or numeric strings. Answer (200):
//! `{"person_id": …, "episode_id": …, "deliveries": [{"subscription_id", "url", "status",
//! "error"}]}`; 400 for a malformed body, 404 for an unknown person or camera.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::error::WatcherSimError;
use super::http::{error, json, Req, Resp};
use super::state::SimState;

pub(crate) async fn route(state: &SimState, req: &Req) -> Resp {
    if req.method != Method::POST {
        return error(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(Value::Object(map)) => Value::Object(map),
        _ => return error(StatusCode::BAD_REQUEST, "body must be a JSON object"),
    };
    let Some(camera) = body
        .get("camera")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "camera: expected a camera id or name",
        );
    };
    let person_id = match body.get("person_id") {
        None | Some(Value::Null) => None,
        Some(v) => match v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        {
            Some(id) => Some(id),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "person_id: expected a non-negative integer, a numeric string or null",
                )
            }
        },
    };
    let unknown = body
        .get("unknown")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let at = match body.get("at") {
        None | Some(Value::Null) => None,
        Some(v) => match integer(v) {
            Some(at) => Some(at),
            None => return error(StatusCode::BAD_REQUEST, "at: expected unix seconds"),
        },
    };
    let score = match body.get("score") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64().filter(|s| (0.0..=1.0).contains(s)) {
            Some(s) => Some(s as f32),
            None => return error(StatusCode::BAD_REQUEST, "score: expected a number in 0..=1"),
        },
    };
    let result = match (person_id, unknown) {
        (Some(id), false) => {
            state
                .recognize(super::Recognition {
                    person_id: id,
                    camera: camera.to_string(),
                    at,
                    score,
                })
                .await
        }
        _ => state.recognize_unknown(camera, at, score).await,
    };
    match result {
        Ok(done) => json(StatusCode::OK, &json!(done)),
        Err(e @ (WatcherSimError::UnknownPerson(_) | WatcherSimError::UnknownCamera(_))) => {
            error(StatusCode::NOT_FOUND, &e.to_string())
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// An integer given as a JSON number or a numeric string.
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
