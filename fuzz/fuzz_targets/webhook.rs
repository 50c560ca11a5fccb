//! Fuzz the webhook body parser (`watcher_api::payload::parse_webhook`) and the v3 episodes page
//! parser: any bytes a peer can POST must give a value or a path-naming error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watcher_api::payload::{parse_episodes_page, parse_webhook};

fuzz_target!(|body: &[u8]| {
    if let Err(e) = parse_webhook(body) {
        // The error names a JSON path and never echoes the whole body.
        assert!(!e.to_string().is_empty());
    }
    let _ = parse_episodes_page(body);
});
