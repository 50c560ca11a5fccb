//! The admin commands against real simulators over 127.0.0.1 sockets: `subscriptions` against
//! the Watcher simulator, `check --online` against both simulators.

mod common;
mod online;
mod subscriptions;
