//! v3 Client API (`/watcher/client-api/v3`): one page of episodes, persons.

use std::time::Duration;

use reqwest::Method;

use super::{Api, Call, ClientError, WatcherClient};
use crate::payload::{
    parse_episodes_page, parse_person, parse_persons_page, EpisodesPage, Person, PersonId,
    PersonsPage,
};

const EPISODES: &str = "/watcher/client-api/v3/episodes";
const PERSONS: &str = "/watcher/client-api/v3/persons";
/// Safety stop for [`WatcherClient::all_persons`].
const MAX_PAGES: usize = 10_000;

/// Parameters of one `GET /episodes` request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EpisodesRequest {
    pub updated_at_gt: Option<u64>,
    pub poll_timeout: Duration,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl WatcherClient {
    /// One page of face episodes. With a non-zero `poll_timeout` the server holds the request
    /// until episodes exist (the request timeout is extended by it). Not retried here: the
    /// episode stream owns its retry loop.
    pub(crate) async fn episodes_page(
        &self,
        request: &EpisodesRequest,
    ) -> Result<EpisodesPage, ClientError> {
        const WHAT: &str = "poll episodes";
        let mut query = vec![("episode_type", "face".to_owned())];
        if let Some(gt) = request.updated_at_gt {
            query.push(("updated_at_gt", gt.to_string()));
        }
        if !request.poll_timeout.is_zero() {
            query.push((
                "poll_timeout",
                request.poll_timeout.as_secs().max(1).to_string(),
            ));
        }
        if let Some(limit) = request.limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = &request.cursor {
            query.push(("cursor", cursor.clone()));
        }
        let call = Call {
            query,
            extra_timeout: request.poll_timeout,
            ..Call::new(WHAT, Method::GET, EPISODES)
        };
        let body = self.call_authed(Api::V3, &call).await?;
        parse_episodes_page(&body).map_err(ClientError::decode(WHAT))
    }

    /// One person (`GET /persons/{id}`).
    pub async fn person(&self, id: PersonId) -> Result<Person, ClientError> {
        const WHAT: &str = "get person";
        let call = Call {
            segment: Some(id.to_string()),
            ..Call::new(WHAT, Method::GET, PERSONS)
        };
        let body = self.call(Api::V3, &call).await?;
        parse_person(&body).map_err(ClientError::decode(WHAT))
    }

    /// One page of persons (`GET /persons?limit=&cursor=`).
    pub async fn persons_page(
        &self,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<PersonsPage, ClientError> {
        const WHAT: &str = "list persons";
        let mut query = Vec::new();
        if let Some(limit) = limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        let call = Call {
            query,
            ..Call::new(WHAT, Method::GET, PERSONS)
        };
        let body = self.call(Api::V3, &call).await?;
        parse_persons_page(&body).map_err(ClientError::decode(WHAT))
    }

    /// Every person, following `next` cursors.
    pub async fn all_persons(&self) -> Result<Vec<Person>, ClientError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.persons_page(None, cursor.as_deref()).await?;
            let empty = page.persons.is_empty();
            all.extend(page.persons);
            match page.next {
                Some(next) if !empty && cursor.as_deref() != Some(next.as_str()) => {
                    cursor = Some(next)
                }
                _ => break,
            }
        }
        Ok(all)
    }
}
