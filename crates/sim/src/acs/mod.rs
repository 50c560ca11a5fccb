//! The Sigur OIF ACS simulator.
