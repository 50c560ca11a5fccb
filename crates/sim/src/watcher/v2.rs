//! `/vsaas/api/v2/…`: login, subscriptions, cameras, persons, person lists.
//!
//! Lists answer plain JSON arrays paged with `limit`/`offset` (or `X-Page-Limit`), with the
//! total in `X-Total-Count`. Shapes:
//! - subscription `{"id", "event_type", "notification_type", "notify_url"}`
//! - camera `{"id", "name", "title"}` (`title` = `name`, from the persons file)
//! - person `{"id", "name", "person_list_id", "external_id"}`, filter `?person_list_id=`
//! - person list `{"id", "name"}`
//! - `events?type=activity`: every recognition as an activity event (the shape of
//!   `fixtures/activity-events.json`), oldest first, whatever the delivery mode

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::deliver::redact_url;
use super::http::{empty, error, json, page, parse_pairs, Req, Resp};
use super::state::{EventType, SimState};

pub(crate) async fn route(state: &SimState, req: &Req, rest: &str) -> Resp {
    let rest = rest.trim_end_matches('/');
    if rest == "auth/login" {
        return if req.method == Method::POST {
            login(state, req)
        } else {
            error(StatusCode::METHOD_NOT_ALLOWED, "use POST")
        };
    }
    if !state.check_v2(req.header("x-vsaas-session"), req.header("x-vsaas-api-key")) {
        return error(StatusCode::UNAUTHORIZED, "authentication required");
    }
    let segments: Vec<&str> = rest.split('/').collect();
    match (&req.method, segments.as_slice()) {
        (&Method::GET, ["my", "subscriptions"]) => {
            let subs: Vec<Value> = state.subscriptions().iter().map(|s| json!(s)).collect();
            listed(req, &subs)
        }
        (&Method::POST, ["my", "subscriptions"]) => create_subscription(state, req),
        (&Method::GET, ["my", "subscriptions", id]) => {
            match id
                .parse::<u64>()
                .ok()
                .and_then(|id| state.subscriptions().into_iter().find(|s| s.id == id))
            {
                Some(sub) => json(StatusCode::OK, &json!(sub)),
                None => error(StatusCode::NOT_FOUND, "no such subscription"),
            }
        }
        (&Method::DELETE, ["my", "subscriptions", id]) => match id.parse::<u64>() {
            Ok(id) if state.delete_subscription(id) => empty(StatusCode::NO_CONTENT),
            _ => error(StatusCode::NOT_FOUND, "no such subscription"),
        },
        (&Method::GET, ["cameras"]) => {
            let cams: Vec<Value> = state
                .cameras()
                .iter()
                .map(|c| json!({"id": c.id, "name": c.name, "title": c.name}))
                .collect();
            listed(req, &cams)
        }
        (&Method::GET, ["persons"]) => {
            let list = req
                .param("person_list_id")
                .and_then(|v| v.parse::<u64>().ok());
            let persons: Vec<Value> = state
                .persons()
                .iter()
                .filter(|p| list.is_none() || p.person_list_id == list)
                .map(|p| json!(p))
                .collect();
            listed(req, &persons)
        }
        (&Method::GET, ["persons", id]) => {
            match id.parse::<u64>().ok().and_then(|id| state.person(id)) {
                Some(p) => json(StatusCode::OK, &json!(p)),
                None => error(StatusCode::NOT_FOUND, "no such person"),
            }
        }
        (&Method::GET, ["events"]) => {
            let wanted = req
                .param("type")
                .is_none_or(|t| t.is_empty() || t == "activity");
            let events = if wanted {
                state.activity_events()
            } else {
                Vec::new()
            };
            listed(req, &events)
        }
        (&Method::GET, ["person_lists"]) => {
            let lists: Vec<Value> = state
                .config()
                .world
                .person_lists
                .iter()
                .map(|l| json!(l))
                .collect();
            listed(req, &lists)
        }
        _ => error(StatusCode::NOT_FOUND, "not found"),
    }
}

fn listed(req: &Req, items: &[Value]) -> Resp {
    let mut resp = json(StatusCode::OK, &Value::Array(page(req, items)));
    resp.headers_mut()
        .insert("x-total-count", http::HeaderValue::from(items.len()));
    resp
}

/// The fields of a JSON object or form body, as strings (numbers are accepted and stringified).
fn fields(req: &Req) -> Result<Vec<(String, String)>, &'static str> {
    // A JSON object is taken as JSON whatever the content type says (curl -d sends form's).
    let looks_like_json = req.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if req.is_form() && !looks_like_json {
        let text = std::str::from_utf8(&req.body).map_err(|_| "form body is not UTF-8")?;
        return Ok(parse_pairs(text));
    }
    let value: Value = serde_json::from_slice(&req.body).map_err(|_| "body is not JSON")?;
    let Value::Object(map) = value else {
        return Err("body must be a JSON object");
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            Value::Number(n) => Some((k, n.to_string())),
            _ => None,
        })
        .collect())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn login(state: &SimState, req: &Req) -> Resp {
    let fields = match fields(req) {
        Ok(f) => f,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let (Some(login), Some(password)) = (field(&fields, "login"), field(&fields, "password"))
    else {
        return error(StatusCode::BAD_REQUEST, "login and password are required");
    };
    match state.login_v2(login, password) {
        Some(session) => {
            // Some Watcher versions also hand the session back in a header; do both.
            let mut resp = json(StatusCode::OK, &json!({"session": session}));
            if let Ok(value) = http::HeaderValue::from_str(&session) {
                resp.headers_mut().insert("x-vsaas-session", value);
            }
            resp
        }
        None => error(StatusCode::UNAUTHORIZED, "invalid login or password"),
    }
}

fn create_subscription(state: &SimState, req: &Req) -> Resp {
    let fields = match fields(req) {
        Ok(f) => f,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let Some(event_type) = field(&fields, "event_type") else {
        return error(StatusCode::BAD_REQUEST, "event_type is required");
    };
    let Some(event_type) = EventType::parse(event_type) else {
        return error(
            StatusCode::BAD_REQUEST,
            "event_type must be push_person_list, push_person_single or push_person_category",
        );
    };
    let Some(notify_url) = field(&fields, "notify_url") else {
        return error(StatusCode::BAD_REQUEST, "notify_url is required");
    };
    if !(notify_url.starts_with("http://") || notify_url.starts_with("https://")) {
        return error(
            StatusCode::BAD_REQUEST,
            "notify_url must be an http:// or https:// URL",
        );
    }
    let notification_type = field(&fields, "notification_type").map(str::to_string);
    if notification_type
        .as_deref()
        .is_some_and(|n| n.trim().parse::<u64>().is_err())
    {
        return error(
            StatusCode::BAD_REQUEST,
            "notification_type must be a numeric id",
        );
    }
    let sub = match state.add_subscription(event_type, notification_type, notify_url.to_string()) {
        Ok(sub) => sub,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    tracing::info!(id = sub.id, event_type = sub.event_type.as_str(), notify_url = %redact_url(&sub.notify_url), "subscription created");
    json(StatusCode::OK, &json!(sub))
}
