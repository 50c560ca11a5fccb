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
//!   `payload::lenient` holds the path-aware number/string readers; `push`, `activity` and
//!   `episode` one file per payload family.
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

pub mod payload;

#[cfg(feature = "client")]
pub mod client;

pub use payload::{parse_webhook, PayloadError, Webhook};
