//! watcher-api — under construction.
