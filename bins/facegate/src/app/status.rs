//! What `/readyz`, `/metrics` and `/api/status` report about a running bridge.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use crate::admin::AdminSource;
use crate::metrics::Metrics;
use crate::pipeline::dispatch::{Lane, Target};
use crate::pipeline::PipelineSink;

/// What the admin endpoints read.
pub(super) struct State {
    pub(super) started: Instant,
    pub(super) dry_run: bool,
    pub(super) metrics: Arc<Metrics>,
    pub(super) lanes: Vec<Arc<Lane>>,
    pub(super) intake: PipelineSink,
    pub(super) generation: super::reload::GenerationCell,
    pub(super) config_path: std::path::PathBuf,
}

impl State {
    fn refresh_links(&self) {
        self.metrics
            .intake_depth
            .store(self.intake.depth(), Ordering::Relaxed);
        for lane in &self.lanes {
            if let Some(g) = self.metrics.acs(&lane.name) {
                g.link_up.store(lane.is_ready(), Ordering::Relaxed);
            }
        }
    }
}

impl AdminSource for Arc<State> {
    fn ready(&self) -> bool {
        self.lanes.iter().all(|l| l.is_ready())
    }

    fn metrics(&self) -> String {
        self.refresh_links();
        self.metrics.render()
    }

    fn status(&self) -> serde_json::Value {
        self.refresh_links();
        let acs: Vec<_> = self
            .lanes
            .iter()
            .map(|l| {
                let (health, links) = match &l.target {
                    Target::Pool(p) => {
                        let s = p.state();
                        (
                            s.health.as_str(),
                            s.links.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
                        )
                    }
                    Target::DryRun => ("dry_run", Vec::new()),
                };
                let depth = self
                    .metrics
                    .acs(&l.name)
                    .map_or(0, |g| g.queue_depth.load(Ordering::Relaxed));
                serde_json::json!({
                    "name": l.name, "health": health, "links": links, "queue_depth": depth,
                })
            })
            .collect();
        let g = self
            .generation
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let config = serde_json::json!({
            "path": self.config_path.display().to_string(),
            "generation": g.number,
            "loaded_at_ms": g.loaded_at_ms,
            "last_rejected": g.last_rejected.map(|(at, why)| serde_json::json!({
                "at_ms": at, "why": why,
            })),
        });
        serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_seconds": self.started.elapsed().as_secs(),
            "ready": AdminSource::ready(self),
            "dry_run": self.dry_run,
            "config": config,
            "acs": acs,
            "intake_depth": self.intake.depth(),
            "counts": self.metrics.outcome_counts(),
        })
    }
}
