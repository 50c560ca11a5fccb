//! The Flussonic Watcher simulator.
