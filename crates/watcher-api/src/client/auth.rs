//! Authentication: the v2 session (or API key) and the v3 bearer token, obtained lazily,
//! shared by clones, renewed before expiry (v3) and after a refusal (both).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

use super::{finish, Api, Call, ClientError, Credentials, Secret, WatcherClient};
use crate::payload::lenient::{self, Path};

/// What a request carries to authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AuthHeader {
    /// Nothing (no credentials configured).
    None,
    /// `X-Vsaas-Api-Key`.
    ApiKey(Secret),
    /// `X-Vsaas-Session`.
    Session(Secret),
    /// `Authorization: Bearer`.
    Bearer(Secret),
    /// `Authorization: Basic` (v3 login).
    Basic {
        /// User name.
        login: String,
        /// Password.
        password: Secret,
    },
}

impl AuthHeader {
    /// Whether logging in again may produce a different, accepted credential.
    pub(crate) fn renewable(&self) -> bool {
        matches!(self, AuthHeader::Session(_) | AuthHeader::Bearer(_))
    }
}

/// The v3 tokens and when to renew them.
#[derive(Debug)]
pub(crate) struct V3Tokens {
    access: Secret,
    refresh: Option<Secret>,
    /// Renew at or after this time (`None`: no expiry known, renew only after a `401`).
    renew_at: Option<SystemTime>,
}

const V2_LOGIN: &str = "/vsaas/api/v2/auth/login";
const V3_LOGIN: &str = "/watcher/client-api/v3/login";
/// Renew this long before expiry, or after three quarters of a shorter lifetime.
const RENEW_MARGIN: Duration = Duration::from_secs(30);

impl WatcherClient {
    /// The credential for the next request of `api`. `stale` is a credential the server just
    /// refused: it is dropped (unless another task already replaced it) and a fresh one fetched.
    pub(crate) async fn auth(
        &self,
        api: Api,
        stale: Option<&AuthHeader>,
    ) -> Result<AuthHeader, ClientError> {
        let (login, password) = match (&self.inner.credentials, api) {
            (None, _) => return Ok(AuthHeader::None),
            (Some(Credentials::ApiKey(key)), Api::V2) => {
                return Ok(AuthHeader::ApiKey(key.clone()))
            }
            (Some(Credentials::ApiKey(_)), Api::V3) => {
                return Err(ClientError::MissingCredentials(
                    "the v3 API needs a login and password (an API key is v2 only)",
                ))
            }
            (Some(Credentials::Login { login, password }), _) => (login, password),
        };
        match api {
            Api::V2 => {
                let mut session = self.inner.v2_session.lock().await;
                if let (Some(AuthHeader::Session(old)), Some(current)) = (stale, session.as_ref()) {
                    if old == current {
                        *session = None;
                    }
                }
                if session.is_none() {
                    *session = Some(self.login_v2(login, password).await?);
                }
                Ok(session
                    .clone()
                    .map_or(AuthHeader::None, AuthHeader::Session))
            }
            Api::V3 => {
                let mut tokens = self.inner.v3_tokens.lock().await;
                if let (Some(AuthHeader::Bearer(old)), Some(current)) = (stale, tokens.as_ref()) {
                    if *old == current.access {
                        *tokens = None;
                    }
                }
                let due = tokens
                    .as_ref()
                    .and_then(|t| t.renew_at)
                    .is_some_and(|at| SystemTime::now() >= at);
                if due {
                    let refresh = tokens.as_ref().and_then(|t| t.refresh.clone());
                    *tokens = match refresh {
                        Some(refresh) => self.refresh_v3(&refresh).await.ok(),
                        None => None,
                    };
                }
                if tokens.is_none() {
                    *tokens = Some(self.login_v3(login, password).await?);
                }
                Ok(tokens
                    .as_ref()
                    .map_or(AuthHeader::None, |t| AuthHeader::Bearer(t.access.clone())))
            }
        }
    }

    /// Logs in to v2 and returns the new session (no retry: the caller's loop decides).
    async fn login_v2(&self, login: &str, password: &Secret) -> Result<Secret, ClientError> {
        const WHAT: &str = "v2 login";
        let mut call = Call::new(WHAT, Method::POST, V2_LOGIN);
        call.json = Some(json!({"login": login, "password": password.expose()}));
        let body = finish(WHAT, self.execute(&call, &AuthHeader::None).await?)?;
        let value = lenient::parse_json(&body).map_err(ClientError::decode(WHAT))?;
        let root = lenient::root_object(&value, "a login answer object")
            .map_err(ClientError::decode(WHAT))?;
        let session =
            lenient::req_text(root, "session", Path::Root).map_err(ClientError::decode(WHAT))?;
        tracing::info!(login, "logged in to Watcher v2");
        Ok(Secret::new(session))
    }

    /// Logs in to v3 with HTTP Basic.
    async fn login_v3(&self, login: &str, password: &Secret) -> Result<V3Tokens, ClientError> {
        const WHAT: &str = "v3 login";
        let call = Call::new(WHAT, Method::POST, V3_LOGIN);
        let basic = AuthHeader::Basic {
            login: login.to_owned(),
            password: password.clone(),
        };
        let body = finish(WHAT, self.execute(&call, &basic).await?)?;
        let tokens = parse_tokens(&body).map_err(ClientError::decode(WHAT))?;
        tracing::info!(login, renew_at = ?tokens.renew_at, "logged in to Watcher v3");
        Ok(tokens)
    }

    /// Trades a refresh token for new tokens (`POST /login {"refresh_token"}`).
    async fn refresh_v3(&self, refresh: &Secret) -> Result<V3Tokens, ClientError> {
        const WHAT: &str = "v3 token refresh";
        let mut call = Call::new(WHAT, Method::POST, V3_LOGIN);
        call.json = Some(json!({"refresh_token": refresh.expose()}));
        let result = async {
            let body = finish(WHAT, self.execute(&call, &AuthHeader::None).await?)?;
            parse_tokens(&body).map_err(ClientError::decode(WHAT))
        }
        .await;
        match &result {
            Ok(t) => tracing::debug!(renew_at = ?t.renew_at, "refreshed the v3 token"),
            Err(e) => tracing::info!(error = %e, "v3 token refresh failed, logging in again"),
        }
        result
    }
}

/// Reads `access_token`, `refresh_token` and the expiry: `expires_in` (seconds), `expires_at`
/// (utc ms, or seconds when small), else the JWT `exp` claim of the access token.
fn parse_tokens(body: &[u8]) -> Result<V3Tokens, crate::payload::PayloadError> {
    let value = lenient::parse_json(body)?;
    let root = lenient::root_object(&value, "a login answer object")?;
    let access = lenient::req_text(root, "access_token", Path::Root)?;
    let refresh = lenient::opt_text(root, "refresh_token", Path::Root)?.map(Secret::new);
    let now = SystemTime::now();
    // The numbers come from the server: `checked_add`, because `SystemTime + Duration` panics
    // when the sum does not fit. An expiry that does not fit is treated as unknown.
    let expires_at = if let Some(secs) = lenient::opt_u64(root, "expires_in", Path::Root)? {
        now.checked_add(Duration::from_secs(secs))
    } else if let Some(at) = lenient::opt_u64(root, "expires_at", Path::Root)? {
        // Seconds and milliseconds are both seen in the wild; 1e11 s is year 5138.
        let ms = if at < 100_000_000_000 {
            at.saturating_mul(1000)
        } else {
            at
        };
        UNIX_EPOCH.checked_add(Duration::from_millis(ms))
    } else {
        jwt_exp(&access).and_then(|exp| UNIX_EPOCH.checked_add(Duration::from_secs(exp)))
    };
    let renew_at = expires_at.and_then(|at| {
        // An expiry already past means unsynchronised clocks: rely on 401 instead of
        // renewing before every request.
        let lifetime = at.duration_since(now).ok().filter(|l| !l.is_zero())?;
        Some(at - RENEW_MARGIN.min(lifetime / 4))
    });
    Ok(V3Tokens {
        access: Secret::new(access),
        refresh,
        renew_at,
    })
}

/// The `exp` claim (unix seconds) of a JWT, if the token is one.
fn jwt_exp(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&raw).ok()?;
    claims.get("exp")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_sets_a_renewal_before_expiry() {
        let t = parse_tokens(br#"{"access_token": "a", "refresh_token": "r", "expires_in": 3600}"#)
            .expect("parses");
        let renew = t.renew_at.expect("renewal time");
        let left = renew
            .duration_since(SystemTime::now())
            .expect("in the future");
        assert!(
            left > Duration::from_secs(3500) && left < Duration::from_secs(3571),
            "{left:?}"
        );
        assert_eq!(t.refresh, Some(Secret::new("r")));
    }

    #[test]
    fn an_expiry_in_the_past_is_ignored() {
        let t = parse_tokens(br#"{"access_token": "a", "expires_at": 1000}"#).expect("parses");
        assert_eq!(t.renew_at, None);
    }

    #[test]
    fn a_jwt_exp_claim_is_used_when_no_expiry_field_is_given() {
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs()
            + 600;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"sub":"x","exp":{exp}}}"#));
        let body = format!(r#"{{"access_token": "h.{claims}.s"}}"#);
        let t = parse_tokens(body.as_bytes()).expect("parses");
        assert!(t.renew_at.is_some());
        assert_eq!(jwt_exp("not-a-jwt"), None);
    }

    #[test]
    fn a_hostile_expires_in_does_not_panic_and_means_no_known_expiry() {
        let body = format!(r#"{{"access_token": "a", "expires_in": {}}}"#, u64::MAX);
        let t = parse_tokens(body.as_bytes()).expect("parses");
        assert_eq!(t.renew_at, None);
        let body = format!(r#"{{"access_token": "a", "expires_at": {}}}"#, u64::MAX);
        assert!(parse_tokens(body.as_bytes()).is_ok());
    }

    #[test]
    fn a_jwt_with_a_huge_exp_claim_does_not_panic() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"exp":{}}}"#, u64::MAX));
        let body = format!(r#"{{"access_token": "h.{claims}.s"}}"#);
        let t = parse_tokens(body.as_bytes()).expect("parses");
        assert_eq!(t.renew_at, None);
    }

    #[test]
    fn a_login_answer_without_a_token_names_the_field() {
        let e = parse_tokens(br#"{"refresh_token": "r"}"#).expect_err("no access token");
        assert_eq!(e.path(), Some("access_token"));
    }
}
