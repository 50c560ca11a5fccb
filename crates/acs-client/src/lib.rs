//! acs-client — under construction.
