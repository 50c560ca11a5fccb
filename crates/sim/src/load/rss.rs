//! The bridge's resident memory, read from `/proc/<pid>/status` (Linux).

use std::time::Duration;

use serde::Serialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Memory figures of one process, in KiB.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RssStats {
    /// `VmHWM`: the kernel's peak resident set since the process started (`None` when
    /// unreadable).
    pub peak_kib: Option<u64>,
    /// The largest `VmRSS` sampled during the run.
    pub max_sampled_kib: u64,
    /// `VmRSS` at the last sample.
    pub last_kib: u64,
    /// How many samples were taken.
    pub samples: u64,
}

/// Reads one `kB` field (e.g. `VmRSS`) from a `/proc/<pid>/status` text.
pub fn status_field_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn read_status(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/status")).ok()
}

/// Samples a process's `VmRSS` every `interval` until [`finish`](Self::finish).
#[derive(Debug)]
pub struct RssSampler {
    pid: u32,
    stop: oneshot::Sender<()>,
    task: JoinHandle<RssStats>,
}

impl RssSampler {
    /// Starts sampling `pid`.
    pub fn start(pid: u32, interval: Duration) -> Self {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut stats = RssStats::default();
            let mut tick = tokio::time::interval(interval);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = &mut stopped => break,
                }
                if let Some(kib) = read_status(pid).and_then(|s| status_field_kib(&s, "VmRSS")) {
                    stats.samples += 1;
                    stats.last_kib = kib;
                    stats.max_sampled_kib = stats.max_sampled_kib.max(kib);
                }
            }
            stats
        });
        Self { pid, stop, task }
    }

    /// Stops sampling and adds the kernel's peak (`VmHWM`).
    pub async fn finish(self) -> RssStats {
        let _ = self.stop.send(());
        let mut stats = self.task.await.unwrap_or_default();
        stats.peak_kib = read_status(self.pid).and_then(|s| status_field_kib(&s, "VmHWM"));
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kib_fields_are_read_from_a_status_text() {
        let status = "Name:\tfacegate\nVmHWM:\t   21000 kB\nVmRSS:\t   18000 kB\n";
        assert_eq!(status_field_kib(status, "VmHWM"), Some(21_000));
        assert_eq!(status_field_kib(status, "VmRSS"), Some(18_000));
        assert_eq!(status_field_kib(status, "VmSwap"), None);
        assert_eq!(status_field_kib("VmRSS:\tlots kB", "VmRSS"), None);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn sampling_this_process_sees_a_nonzero_resident_set() {
        let sampler = RssSampler::start(std::process::id(), Duration::from_millis(5));
        tokio::time::sleep(Duration::from_millis(30)).await;
        let stats = sampler.finish().await;
        assert!(stats.samples >= 1);
        assert!(stats.max_sampled_kib > 0);
        assert!(stats.peak_kib.is_some_and(|p| p >= stats.last_kib));
    }
}
