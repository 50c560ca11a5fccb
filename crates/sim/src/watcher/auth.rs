//! Authentication state: v2 sessions and API key, v3 access and refresh tokens.

use super::state::{now_ms, SimState};

/// Bound on live v2 sessions and v3 tokens (oldest forgotten first is not tracked: the whole
/// set is cleared when full, which only forces clients to log in again).
const MAX_SESSIONS: usize = 10_000;

/// A random token of 32 hex digits.
pub(crate) fn random_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// Constant-time comparison (the simulator stands in for a real peer; behave like one).
pub(crate) fn secret_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
impl SimState {
    /// Replaces (or with `None` removes) the v2 API key.
    pub fn set_api_key(&self, key: Option<String>) {
        self.world().api_key = key;
    }

    /// Forgets every v2 session and v3 token: clients must log in again.
    pub fn invalidate_sessions(&self) {
        let mut w = self.world();
        w.sessions.clear();
        w.access_tokens.clear();
        w.refresh_tokens.clear();
    }

    /// Checks a login and password against the users of the world.
    pub fn check_user(&self, login: &str, password: &str) -> bool {
        self.shared.config.world.users.iter().any(|u| {
            u.login == login
                && u.resolve_password()
                    .is_some_and(|p| secret_eq(&p, password))
        })
    }

    /// v2 login: a new session token, or `None` for wrong credentials.
    pub fn login_v2(&self, login: &str, password: &str) -> Option<String> {
        if !self.check_user(login, password) {
            return None;
        }
        let session = random_token();
        let mut w = self.world();
        if w.sessions.len() >= MAX_SESSIONS {
            w.sessions.clear();
        }
        w.sessions.insert(session.clone());
        Some(session)
    }

    /// Whether a v2 request carrying these headers is authenticated.
    pub fn check_v2(&self, session: Option<&str>, api_key: Option<&str>) -> bool {
        let w = self.world();
        let by_session = session.is_some_and(|s| w.sessions.contains(s));
        let by_key = match (api_key, w.api_key.as_deref()) {
            (Some(given), Some(key)) => secret_eq(given, key),
            _ => false,
        };
        by_session || by_key
    }

    /// v3 login: `(access_token, refresh_token, expires_at_ms)`.
    pub fn login_v3(&self, login: &str, password: &str) -> Option<(String, String, i64)> {
        if !self.check_user(login, password) {
            return None;
        }
        Some(self.issue_v3_tokens())
    }

    /// v3 refresh: new tokens for a known refresh token (which is consumed).
    pub fn refresh_v3(&self, refresh_token: &str) -> Option<(String, String, i64)> {
        if !self.world().refresh_tokens.remove(refresh_token) {
            return None;
        }
        Some(self.issue_v3_tokens())
    }

    fn issue_v3_tokens(&self) -> (String, String, i64) {
        let (access, refresh) = (random_token(), random_token());
        let expires_at = now_ms() + self.shared.config.token_lifetime.as_millis() as i64;
        let mut w = self.world();
        if w.access_tokens.len() >= MAX_SESSIONS {
            w.access_tokens.clear();
            w.refresh_tokens.clear();
        }
        w.access_tokens.insert(access.clone(), expires_at);
        w.refresh_tokens.insert(refresh.clone());
        (access, refresh, expires_at)
    }

    /// Whether a v3 bearer token is known and unexpired.
    pub fn check_bearer(&self, token: &str) -> bool {
        let now = now_ms();
        self.world()
            .access_tokens
            .get(token)
            .is_some_and(|&expires| expires > now)
    }
}
