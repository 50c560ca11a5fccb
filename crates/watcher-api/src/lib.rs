//! Flussonic Watcher, as facegate hears it: payload types for the three ways Watcher reports a
//! face recognition, and (feature `client`, on by default) an HTTP client for the v2 and v3 APIs.
//!
//! The three forms (see `shared/reference/watcher-api.md`):
//! 1. **Push notifications** of a v2 subscription: a JSON object whose `data` sits inside
//!    `notification` (the article's form) or at the top level.
//! 2. **Activity events** posted to the external event-notification URL: a JSON array.
//! 3. **Face episodes** long-polled from the v3 Client API.
//!
//! Every id and time is accepted as a number or a numeric string, empty strings mean "absent",
//! unknown fields are ignored, 64-bit snowflake ids are exact, and every rejection names the JSON
//! path and what was expected (`notification.data.person.id: expected an integer or numeric
//! string, found a boolean`).
//!
//! # Layout
//! - [`payload`] — plain data and parsers, no IO, usable with `default-features = false`:
//!   [`parse_webhook`] classifies a webhook body as [`Webhook::Push`] or [`Webhook::Activity`];
//!   one file per payload family (`push`, `activity`, `episode` for v3 episodes and persons),
//!   `ids` for the newtypes ([`payload::PersonId`], [`payload::UnixMs`], …) and `lenient` for
//!   the path-aware number-or-string readers everything is built on.
//! - `client` (feature `client`) — `client::WatcherClient` over reqwest: `builder`
//!   (base URL, `client::Credentials`, timeouts, user agent, `client::RetryPolicy`),
//!   `auth` (v2 session or API key, v3 bearer token renewed before expiry, one re-login after
//!   a `401`/`403`), `v2` (subscriptions with `ensure`, cameras), `v3` (persons, one episodes
//!   page), `stream` (the episodes long-poll as a de-duplicated `Stream`), `error`
//!   (`client::ClientError` with `is_retryable()`). Idempotent GETs are retried with capped,
//!   jittered backoff; POST and DELETE never blindly. Credentials are redacted in `Debug` and
//!   never appear in errors or logs.
//!
//! # Example
//! ```no_run
//! use watcher_api::{parse_webhook, Webhook};
//!
//! # fn body() -> Vec<u8> { Vec::new() }
//! match parse_webhook(&body()) {
//!     Ok(Webhook::Push(push)) => println!("person {} at {:?}", push.person_id(), push.camera_name()),
//!     Ok(Webhook::Activity(events)) => println!("{} activity events", events.len()),
//!     Err(e) => eprintln!("400: {e}"),
//! }
//! ```
//!
//! With the client: make sure the subscription exists, then follow v3 episodes.
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn demo() -> Result<(), watcher_api::client::ClientError> {
//! use futures_util::StreamExt;
//! use watcher_api::client::{EpisodeQuery, NewSubscription, WatcherClient};
//!
//! let watcher = WatcherClient::builder("https://watcher.example")
//!     .login("facegate", "from-a-secret-store")
//!     .build()?;
//! let hook = NewSubscription::person_list(1, "https://bridge.lan:8080/watcher/events/t0ken");
//! let report = watcher.subscriptions().ensure(&[hook]).await?;
//! println!("created {:?}", report.created.iter().map(|s| &s.id).collect::<Vec<_>>());
//!
//! let mut matches = watcher.episodes(EpisodeQuery::default());
//! while let Some(m) = matches.next().await {
//!     let m = m?;
//!     println!("{} (external {:?}) on {:?}", m.person.person_id, m.person.external_id, m.media);
//! }
//! # Ok(()) }
//! ```

pub mod payload;

#[cfg(feature = "client")]
pub mod client;

pub use payload::{parse_webhook, PayloadError, Webhook};
