//! identity-core — under construction.
