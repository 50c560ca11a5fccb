//! `/watcher/client-api/v3/…`: login, episodes (long-poll), persons, person lists.
//!
//! - `POST /login` with HTTP Basic (or a JSON `{"login","password"}` body, or
//!   `{"refresh_token"}` to refresh) → `{"access_token", "refresh_token", "expires_at"}`
//!   (`expires_at` in utc ms; tokens are random, not JWTs).
//! - Other calls take `Authorization: Bearer <access_token>` or Basic credentials.
//! - `GET /episodes?episode_type=&media=&updated_at_gt=&poll_timeout=&limit=&cursor=` →
//!   `{"episodes": […], "next": cursor|null}`, oldest update first. With `poll_timeout` (seconds,
//!   capped by the config) an empty answer is held until a matching episode is written.
//! - `GET /persons?limit=&cursor=` → `{"persons": […], "next", "estimated_count"}`,
//!   `GET /persons/{id}` → a person, `GET /person_lists` → `{"person_lists": […], "next": null}`.

use std::time::Duration;

use base64::Engine as _;
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::episodes::{decode_cursor, encode_cursor, EpisodePage, EpisodeQuery};
use super::http::{error, json, Req, Resp};
use super::state::SimState;

/// Default and largest `limit`.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

pub(crate) async fn route(state: &SimState, req: &Req, rest: &str) -> Resp {
    let rest = rest.trim_end_matches('/');
    if rest == "login" {
        return if req.method == Method::POST {
            login(state, req)
        } else {
            error(StatusCode::METHOD_NOT_ALLOWED, "use POST")
        };
    }
    if !authorized(state, req) {
        let mut resp = error(StatusCode::UNAUTHORIZED, "authentication required");
        resp.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer"),
        );
        return resp;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    match (&req.method, segments.as_slice()) {
        (&Method::GET, ["episodes"]) => episodes(state, req).await,
        (&Method::GET, ["persons"]) => persons(state, req),
        (&Method::GET, ["persons", id]) => {
            let w = state.world();
            match id
                .parse::<u64>()
                .ok()
                .and_then(|id| w.persons.iter().find(|p| p.id == id))
            {
                Some(p) => json(StatusCode::OK, &state.person_v3(&w, p)),
                None => error(StatusCode::NOT_FOUND, "no such person"),
            }
        }
        (&Method::GET, ["person_lists"]) => {
            let lists = &state.config().world.person_lists;
            json(
                StatusCode::OK,
                &json!({"person_lists": lists, "next": null, "estimated_count": lists.len()}),
            )
        }
        _ => error(StatusCode::NOT_FOUND, "not found"),
    }
}

/// `login:password` from a Basic `Authorization` header.
fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let value = req.header("authorization")?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (login, password) = text.split_once(':')?;
    Some((login.to_string(), password.to_string()))
}

fn authorized(state: &SimState, req: &Req) -> bool {
    if let Some((login, password)) = basic_credentials(req) {
        return state.check_user(&login, &password);
    }
    let Some(value) = req.header("authorization") else {
        return false;
    };
    match value.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            state.check_bearer(token.trim())
        }
        _ => false,
    }
}

fn login(state: &SimState, req: &Req) -> Resp {
    let body: Option<Value> = serde_json::from_slice(&req.body).ok();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
    };
    let tokens = if let Some((login, password)) = basic_credentials(req) {
        state.login_v3(&login, &password)
    } else if let (Some(login), Some(password)) = (field("login"), field("password")) {
        state.login_v3(login, password)
    } else if let Some(refresh) = field("refresh_token") {
        state.refresh_v3(refresh)
    } else {
        return error(
            StatusCode::UNAUTHORIZED,
            "credentials required (HTTP Basic)",
        );
    };
    match tokens {
        Some((access_token, refresh_token, expires_at)) => json(
            StatusCode::OK,
            &json!({
                "access_token": access_token,
                "refresh_token": refresh_token,
                "expires_at": expires_at,
            }),
        ),
        None => error(StatusCode::UNAUTHORIZED, "invalid login or password"),
    }
}

/// A non-negative integer query parameter; `Err` names the parameter.
fn int_param(req: &Req, name: &str) -> Result<Option<i64>, String> {
    match req.param(name) {
        None | Some("") => Ok(None),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => Err(format!("{name}: expected a non-negative integer")),
        },
    }
}

fn limit(req: &Req) -> Result<usize, String> {
    Ok(int_param(req, "limit")?.map_or(DEFAULT_LIMIT, |l| (l as usize).clamp(1, MAX_LIMIT)))
}

fn cursor(req: &Req) -> Result<Option<i64>, String> {
    match req.param("cursor") {
        None | Some("") => Ok(None),
        Some(c) => match decode_cursor(c) {
            Some(p) => Ok(Some(p)),
            None => Err("cursor: not a cursor this server issued".to_string()),
        },
    }
}

async fn episodes(state: &SimState, req: &Req) -> Resp {
    let parsed = (|| -> Result<(EpisodeQuery, Duration), String> {
        let query = EpisodeQuery {
            episode_type: req
                .param("episode_type")
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            media: req
                .param("media")
                .filter(|m| !m.is_empty())
                .map(str::to_string),
            updated_at_gt: int_param(req, "updated_at_gt")?,
            position_gt: cursor(req)?,
            limit: limit(req)?,
        };
        let poll = Duration::from_secs(int_param(req, "poll_timeout")?.unwrap_or(0) as u64)
            .min(state.config().max_poll_timeout);
        Ok((query, poll))
    })();
    let (query, poll) = match parsed {
        Ok(p) => p,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    let page = long_poll(state, &query, poll).await;
    json(
        StatusCode::OK,
        &json!({"episodes": page.episodes, "next": page.next}),
    )
}

/// Answers at once when episodes match; otherwise waits (without polling) for episode writes
/// until one matches or `poll` elapses.
async fn long_poll(state: &SimState, query: &EpisodeQuery, poll: Duration) -> EpisodePage {
    let deadline = tokio::time::Instant::now() + poll;
    let mut changes = state.episode_changes();
    loop {
        // Mark the current version seen *before* querying, so a write racing the query still
        // wakes the wait below.
        changes.borrow_and_update();
        let page = state.query_episodes(query);
        if !page.episodes.is_empty() || poll.is_zero() {
            return page;
        }
        match tokio::time::timeout_at(deadline, changes.changed()).await {
            Ok(Ok(())) => continue,
            _ => return page,
        }
    }
}

fn persons(state: &SimState, req: &Req) -> Resp {
    let (limit, offset) = match (limit(req), cursor(req)) {
        (Ok(l), Ok(c)) => (l, c.unwrap_or(0).max(0) as usize),
        (Err(msg), _) | (_, Err(msg)) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    let w = state.world();
    let total = w.persons.len();
    let persons: Vec<Value> = w
        .persons
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| state.person_v3(&w, p))
        .collect();
    let end = offset.saturating_add(persons.len());
    let next = (end < total).then(|| encode_cursor(end as i64));
    json(
        StatusCode::OK,
        &json!({"persons": persons, "next": next, "estimated_count": total}),
    )
}
