//! facegate: connects Flussonic Watcher face recognition to a Sigur OIF access-control server.
//!
//! This root crate re-exports the workspace crates so an embedding product depends on one name.

pub use acs_client;
pub use acs_proto;
pub use facegate_bridge as bridge;
pub use identity_core;
pub use sim;
pub use watcher_api;
