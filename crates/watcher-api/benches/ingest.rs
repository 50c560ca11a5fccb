//! Webhook ingest throughput: `parse_webhook` over the fixtures, one body per iteration.
//!
//! Run with `cargo bench -p watcher-api --no-default-features --bench ingest`. The target is
//! ≥ 100k bodies/s on one core for the article fixture (≤ 10 µs per body).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use watcher_api::payload::{parse_episodes_page, parse_webhook};

const ARTICLE: &[u8] = include_bytes!("../tests/fixtures/push-person.json");
const TOPLEVEL: &[u8] = include_bytes!("../tests/fixtures/push-person-data-toplevel.json");
const ACTIVITY: &[u8] = include_bytes!("../tests/fixtures/activity-events.json");
const EPISODES: &[u8] = include_bytes!("../tests/fixtures/episode-face.json");

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_webhook");
    group.throughput(Throughput::Elements(1));
    for (name, body) in [
        ("article", ARTICLE),
        ("toplevel", TOPLEVEL),
        ("activity", ACTIVITY),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| parse_webhook(black_box(body)).map(black_box).is_ok())
        });
    }
    group.bench_function("episodes_page", |b| {
        b.iter(|| parse_episodes_page(black_box(EPISODES)).is_ok())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
