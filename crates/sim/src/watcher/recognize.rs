//! A simulated recognition: resolve the face and camera, record the v3 episode, deliver the push
//! (or activity) JSON to every matching target concurrently, log the outcomes.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::config::DeliveryMode;
use super::deliver::{post_json, redact_url};
use super::episodes::Detection;
use super::error::WatcherSimError;
use super::payload::{self, Sighting};
use super::state::{now_ms, DeliveryRecord, DeliveryStatus, SimState};

/// Match score used when a recognition names none.
pub const DEFAULT_SCORE: f32 = 0.95;

/// A recognition to simulate (what `POST /sim/recognize` takes).
#[derive(Debug, Clone, PartialEq)]
pub struct Recognition {
    /// A person of the world.
    pub person_id: u64,
    /// Camera id or name.
    pub camera: String,
    /// Detection time, unix seconds; `None` = now.
    pub at: Option<i64>,
    /// Match score in `0.0..=1.0`; `None` = [`DEFAULT_SCORE`].
    pub score: Option<f32>,
}

impl Recognition {
    /// A recognition of `person_id` on `camera`, now, with the default score.
    pub fn new(person_id: u64, camera: impl Into<String>) -> Self {
        Recognition {
            person_id,
            camera: camera.into(),
            at: None,
            score: None,
        }
    }
}

/// What a recognition did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recognized {
    /// The person recognised (new for an unknown face).
    pub person_id: u64,
    /// The v3 episode created or updated.
    pub episode_id: u64,
    /// One status per delivery, in subscription order.
    pub deliveries: Vec<DeliveryStatus>,
}

enum Face {
    Known(u64),
    Unknown,
}

struct Target {
    subscription_id: Option<u64>,
    url: String,
    body: Value,
}

impl SimState {
    /// Simulates the recognition of a known person.
    pub async fn recognize(&self, r: Recognition) -> Result<Recognized, WatcherSimError> {
        self.sight(Face::Known(r.person_id), &r.camera, r.at, r.score)
            .await
    }

    /// Simulates an unknown face: a new person (no list, `external_id` null) is created on the
    /// fly, as Watcher's identification service does. It matches no list or single subscription,
    /// so in push mode nothing is delivered; activity mode and v3 episodes do carry it.
    pub async fn recognize_unknown(
        &self,
        camera: &str,
        at: Option<i64>,
        score: Option<f32>,
    ) -> Result<Recognized, WatcherSimError> {
        self.sight(Face::Unknown, camera, at, score).await
    }

    async fn sight(
        &self,
        face: Face,
        camera: &str,
        at: Option<i64>,
        score: Option<f32>,
    ) -> Result<Recognized, WatcherSimError> {
        let camera = self
            .camera(camera)
            .cloned()
            .ok_or_else(|| WatcherSimError::UnknownCamera(camera.into()))?;
        let now = now_ms();
        let at = at.unwrap_or(now / 1000);
        let score = f64::from(score.unwrap_or(DEFAULT_SCORE).clamp(0.0, 1.0));
        let score = (score * 1e6).round() / 1e6;
        let (person, episode_id, targets) = {
            let mut w = self.world();
            let person = match face {
                Face::Known(id) => w
                    .persons
                    .iter()
                    .find(|p| p.id == id)
                    .cloned()
                    .ok_or(WatcherSimError::UnknownPerson(id))?,
                Face::Unknown => self.create_unknown(&mut w, now),
            };
            let first_seen = *w
                .first_seen
                .entry(person.id)
                .and_modify(|t| *t = (*t).min(at))
                .or_insert(at);
            w.recognitions += 1;
            let sighting = Sighting {
                person: &person,
                camera: &camera,
                at,
                first_seen,
                seq: w.recognitions,
            };
            let cap = self.config().max_activity_events.max(1);
            while w.activity.len() >= cap {
                w.activity.pop_front();
            }
            w.activity.push_back(payload::activity_event(&sighting));
            let targets: Vec<Target> = match self.delivery_mode() {
                DeliveryMode::Activity { url } => vec![Target {
                    subscription_id: None,
                    url: url.clone(),
                    body: payload::activity(&sighting),
                }],
                mode => {
                    let body = match mode {
                        DeliveryMode::PushTopLevel => payload::push_toplevel(&sighting),
                        _ => payload::push_article(&sighting),
                    };
                    w.subscriptions
                        .iter()
                        .filter(|s| s.matches(&person))
                        .map(|s| Target {
                            subscription_id: Some(s.id),
                            url: s.notify_url.clone(),
                            body: body.clone(),
                        })
                        .collect()
                }
            };
            let person_json = self.person_v3(&w, &person);
            let episode = w.episodes.record(Detection {
                person_id: person.id,
                media: camera.id.clone(),
                at_ms: at.saturating_mul(1000),
                now_ms: now,
                score,
                person: person_json,
            });
            (person, episode.episode_id, targets)
        };
        self.notify_episodes();
        tracing::info!(person_id = person.id, camera = %camera.id, at, episode_id, targets = targets.len(), "recognition");
        let deliveries = self.deliver_all(targets).await;
        Ok(Recognized {
            person_id: person.id,
            episode_id,
            deliveries,
        })
    }

    async fn deliver_all(&self, targets: Vec<Target>) -> Vec<DeliveryStatus> {
        let timeout = self.config().delivery_timeout;
        let tasks: Vec<_> = targets
            .into_iter()
            .map(|t| {
                let bytes = Bytes::from(serde_json::to_vec(&t.body).unwrap_or_default());
                let task = tokio::spawn(post_json_owned(t.url.clone(), bytes, timeout));
                (t, task)
            })
            .collect();
        let mut statuses = Vec::with_capacity(tasks.len());
        for (t, task) in tasks {
            let result = match task.await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(e) => Err(format!("delivery task failed: {e}")),
            };
            let status = DeliveryStatus {
                subscription_id: t.subscription_id,
                url: t.url,
                status: result.as_ref().ok().copied(),
                error: result.err(),
            };
            let outcome = match (&status.status, &status.error) {
                (Some(code), _) => code.to_string(),
                (None, Some(e)) => format!("error: {e}"),
                (None, None) => "unknown".to_string(),
            };
            tracing::info!(
                subscription = status.subscription_id.map_or_else(|| "-".to_string(), |id| id.to_string()),
                url = %redact_url(&status.url),
                %outcome,
                "delivery"
            );
            self.log_delivery(DeliveryRecord {
                at_ms: now_ms(),
                status: status.clone(),
                body: t.body,
            });
            statuses.push(status);
        }
        statuses
    }
}

async fn post_json_owned(
    url: String,
    body: Bytes,
    timeout: std::time::Duration,
) -> Result<u16, super::error::DeliveryError> {
    post_json(&url, body, timeout).await
}
