//! The admin commands against real simulators over 127.0.0.1 sockets: `subscriptions` against
//! the Watcher simulator, `check --online` against both simulators, and the onboarding
//! workflow (`mapping pending` → `mapping set`) against a running bridge.

mod common;
mod online;
mod pickup;
mod subscriptions;
