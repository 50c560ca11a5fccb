//! The pure part of `facegate subscriptions`: which subscriptions are ours, what `sync` must
//! create and delete, and how a notify URL is shown without its token.

use watcher_api::client::{NewSubscription, Subscription};

use crate::ingest::EVENTS_PREFIX;

/// Whose a subscription is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `notify_url` is exactly `public_url + /watcher/events/ + token`.
    Ours,
    /// Same `public_url + /watcher/events/`, another token (e.g. from before a token rotation).
    /// Not ours: never touched, only shown.
    OtherToken,
    /// Anything else.
    Foreign,
}

impl Owner {
    /// `yes`, `other token` or `no`.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Ours => "yes",
            Owner::OtherToken => "other token",
            Owner::Foreign => "no",
        }
    }
}

/// `public_url` + `/watcher/events/` + token, without a doubled slash.
pub fn notify_url(public_url: &str, token: &str) -> String {
    format!("{}{EVENTS_PREFIX}{token}", public_url.trim_end_matches('/'))
}

/// Whose `s` is, given our notify URL.
pub fn owner(s: &Subscription, ours: &str) -> Owner {
    if s.notify_url == ours {
        return Owner::Ours;
    }
    let prefix_len = ours.rfind(EVENTS_PREFIX).map(|i| i + EVENTS_PREFIX.len());
    match prefix_len {
        Some(n) if s.notify_url.len() > n && s.notify_url.get(..n) == ours.get(..n) => {
            Owner::OtherToken
        }
        _ => Owner::Foreign,
    }
}

/// The URL with the token (everything after `/watcher/events/`), any query string and any
/// user info replaced, so it can be printed.
pub fn redact(url: &str) -> String {
    let mut u = url.to_owned();
    if let Some(i) = u.find(EVENTS_PREFIX) {
        u.truncate(i + EVENTS_PREFIX.len());
        u.push_str("<token>");
    }
    if let Some(q) = u.find('?') {
        u.truncate(q);
        u.push_str("?<redacted>");
    }
    if let Some(scheme_end) = u.find("://") {
        let rest = &u[scheme_end + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            u = format!("{}<redacted>@{}", &u[..scheme_end + 3], &rest[at + 1..]);
        }
    }
    u
}

/// What `sync` will do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncPlan {
    /// Configured subscriptions that exist (the existing one).
    pub keep: Vec<Subscription>,
    /// Configured subscriptions missing on the server.
    pub create: Vec<NewSubscription>,
    /// Ours but not configured (or a duplicate of a kept one).
    pub delete: Vec<Subscription>,
    /// Not ours: left alone.
    pub foreign: Vec<Subscription>,
}

/// Plans `sync`: every `desired` entry (all with notify URL `ours`) exists exactly once;
/// every other subscription of ours goes; nothing else is touched.
pub fn plan(existing: &[Subscription], desired: &[NewSubscription], ours: &str) -> SyncPlan {
    let mut p = SyncPlan::default();
    let mut used = vec![false; existing.len()];
    for want in desired {
        let already = p.create.iter().any(|c| c == want) || p.keep.iter().any(|k| want.matches(k));
        if already {
            continue;
        }
        let found = existing
            .iter()
            .enumerate()
            .find(|(i, s)| !used[*i] && s.notify_url == ours && want.matches(s));
        match found {
            Some((i, s)) => {
                used[i] = true;
                p.keep.push(s.clone());
            }
            None => p.create.push(want.clone()),
        }
    }
    for (i, s) in existing.iter().enumerate() {
        if used[i] {
            continue;
        }
        if owner(s, ours) == Owner::Ours {
            p.delete.push(s.clone());
        } else {
            p.foreign.push(s.clone());
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "http://bridge.lan:8080/watcher/events/tok";

    fn sub(id: &str, list: &str, url: &str) -> Subscription {
        Subscription {
            id: id.into(),
            event_type: "push_person_list".into(),
            notification_type: Some(list.into()),
            notify_url: url.into(),
        }
    }

    #[test]
    fn ownership_is_the_exact_notify_url() {
        assert_eq!(owner(&sub("1", "1", OURS), OURS), Owner::Ours);
        let old = "http://bridge.lan:8080/watcher/events/old";
        assert_eq!(owner(&sub("1", "1", old), OURS), Owner::OtherToken);
        assert_eq!(
            owner(&sub("1", "1", "http://crm/hook"), OURS),
            Owner::Foreign
        );
        assert_eq!(
            owner(&sub("1", "1", &format!("{OURS}x")), OURS),
            Owner::OtherToken
        );
    }

    #[test]
    fn the_token_query_and_user_info_are_redacted() {
        assert_eq!(
            redact(OURS),
            "http://bridge.lan:8080/watcher/events/<token>"
        );
        assert_eq!(
            redact("https://u:p@crm.example/hook?key=s3cret"),
            "https://<redacted>@crm.example/hook?<redacted>"
        );
        assert_eq!(redact("http://crm/hook"), "http://crm/hook");
    }

    #[test]
    fn sync_creates_missing_deletes_stale_and_duplicate_ours_and_keeps_foreign() {
        let existing = vec![
            sub("1", "1", OURS),
            sub("2", "1", OURS),
            sub("3", "3", OURS),
            sub("4", "1", "http://crm/hook"),
        ];
        let desired = vec![
            NewSubscription::person_list(1, OURS),
            NewSubscription::person_list(2, OURS),
            NewSubscription::person_list(2, OURS),
        ];
        let p = plan(&existing, &desired, OURS);
        assert_eq!(p.keep, vec![existing[0].clone()]);
        assert_eq!(p.create, vec![NewSubscription::person_list(2, OURS)]);
        assert_eq!(p.delete, vec![existing[1].clone(), existing[2].clone()]);
        assert_eq!(p.foreign, vec![existing[3].clone()]);
    }

    #[test]
    fn a_synced_server_needs_nothing() {
        let existing = vec![sub("1", "1", OURS), sub("4", "1", "http://crm/hook")];
        let p = plan(&existing, &[NewSubscription::person_list(1, OURS)], OURS);
        assert!(p.create.is_empty() && p.delete.is_empty());
    }
}
