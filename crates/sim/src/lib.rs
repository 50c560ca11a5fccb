//! Simulators as libraries: an OIF ACS server ([`acs`]) and a Flussonic Watcher server
//! ([`watcher`]). Installers use them to rehearse a site; tests use them as real peers.

pub mod acs;
pub mod load;
pub mod watcher;
