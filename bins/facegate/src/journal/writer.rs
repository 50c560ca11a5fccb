//! The journal writer: one std thread owns the connection; everyone else holds a
//! [`JournalHandle`] and never waits for the disk.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, TryRecvError, TrySendError};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;

use super::queue::{bounded, Receiver, Sender};
use super::record::JournalRecord;
use super::store::Journal;
use super::JournalError;

/// How the writer batches and prunes.
#[derive(Clone, Debug)]
pub struct JournalWriterConfig {
    /// A batch is committed at the latest this long after its first row (default 50 ms).
    pub batch_interval: Duration,
    /// A batch is committed when it has this many rows (default 512).
    pub max_batch: usize,
    /// When the queue runs empty, the writer sleeps this long (from the batch's first row,
    /// at most `batch_interval`) before committing, so that rows arriving meanwhile join the
    /// same transaction without waking it (default 10 ms; zero = commit as soon as empty).
    pub linger: Duration,
    /// Rows that may wait for the writer (default 65 536; memory follows the actual backlog);
    /// beyond that [`JournalHandle::record`] counts and warns, [`JournalHandle::record_async`]
    /// waits.
    pub capacity: usize,
    /// Rows older than this are deleted (`None` = keep everything).
    pub retention: Option<Duration>,
    /// How often pruning runs (default hourly; also once at start).
    pub prune_every: Duration,
}

impl Default for JournalWriterConfig {
    fn default() -> Self {
        Self {
            batch_interval: Duration::from_millis(50),
            max_batch: 512,
            linger: Duration::from_millis(10),
            capacity: 65_536,
            retention: None,
            prune_every: Duration::from_secs(3600),
        }
    }
}

/// Counters of the writer, for metrics.
#[derive(Debug, Default)]
pub struct JournalStats {
    /// Rows committed.
    pub written: AtomicU64,
    /// Rows refused because the queue was full or the writer had stopped.
    pub dropped: AtomicU64,
    /// Rows lost because SQLite refused the batch.
    pub failed: AtomicU64,
    /// Rows deleted by retention pruning.
    pub pruned: AtomicU64,
}

enum Msg {
    Record(Box<JournalRecord>),
    Flush(oneshot::Sender<()>),
    Shutdown(oneshot::Sender<()>),
}

/// A cheap, cloneable handle to the writer thread.
#[derive(Clone, Debug)]
pub struct JournalHandle {
    tx: Sender<Msg>,
    shared: Arc<Shared>,
}

/// State shared by the handles and the writer thread.
#[derive(Debug, Default)]
struct Shared {
    stats: JournalStats,
    /// `true` once the writer has taken its final look at the queue. Senders hold the read
    /// side while they enqueue, so no row can slip in after that look and vanish uncounted.
    closed: RwLock<bool>,
}

impl Shared {
    fn closed(&self) -> RwLockReadGuard<'_, bool> {
        self.closed.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn close(&self) {
        *self.closed.write().unwrap_or_else(PoisonError::into_inner) = true;
    }
}

/// How often a sender retries while the queue is full.
const FULL_RETRY: Duration = Duration::from_millis(1);

/// Moves `journal` to a dedicated writer thread and returns the handle that feeds it.
pub fn spawn_writer(
    journal: Journal,
    config: JournalWriterConfig,
) -> Result<JournalHandle, JournalError> {
    let (tx, rx) = bounded(config.capacity.max(1));
    let shared = Arc::new(Shared::default());
    let thread_shared = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("facegate-journal".into())
        .spawn(move || run(journal, &rx, &config, &thread_shared))
        .map_err(JournalError::Spawn)?;
    Ok(JournalHandle { tx, shared })
}

/// What one enqueue attempt did.
enum Enqueue {
    Done,
    Full(Msg),
    Closed,
}

impl JournalHandle {
    fn try_enqueue(&self, msg: Msg) -> Enqueue {
        let closed = self.shared.closed();
        if *closed {
            return Enqueue::Closed;
        }
        match self.tx.try_send(msg) {
            Ok(()) => Enqueue::Done,
            Err(TrySendError::Full(msg)) => Enqueue::Full(msg),
            Err(TrySendError::Disconnected(_)) => Enqueue::Closed,
        }
    }

    /// Queues a row without waiting. If the queue is full (or the writer stopped) the row is
    /// counted in [`JournalStats::dropped`] and a warning is logged; it is never lost silently.
    pub fn record(&self, record: JournalRecord) {
        match self.try_enqueue(Msg::Record(Box::new(record))) {
            Enqueue::Done => {}
            Enqueue::Full(_) => self.dropped("full"),
            Enqueue::Closed => self.dropped("stopped"),
        }
    }

    /// Queues a row, waiting (asynchronously) while the queue is full. Only a stopped writer
    /// makes it count the row as dropped.
    pub async fn record_async(&self, record: JournalRecord) {
        if !self.enqueue_waiting(Msg::Record(Box::new(record))).await {
            self.dropped("stopped");
        }
    }

    async fn enqueue_waiting(&self, mut msg: Msg) -> bool {
        loop {
            match self.try_enqueue(msg) {
                Enqueue::Done => return true,
                Enqueue::Closed => return false,
                Enqueue::Full(m) => msg = m,
            }
            tokio::time::sleep(FULL_RETRY).await;
        }
    }

    fn dropped(&self, why: &'static str) {
        let n = self.shared.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        if n == 1 || n % 1024 == 0 {
            tracing::warn!(dropped_total = n, why, "journal queue refused a row");
        }
    }

    /// Waits until every row queued before this call is committed.
    pub async fn flush(&self) {
        self.roundtrip(Msg::Flush).await;
    }

    /// Commits everything queued (by every clone) and stops the writer thread. Rows recorded
    /// afterwards are counted in [`JournalStats::dropped`].
    pub async fn shutdown(self) {
        self.roundtrip(Msg::Shutdown).await;
    }

    async fn roundtrip(&self, make: fn(oneshot::Sender<()>) -> Msg) {
        let (done, wait) = oneshot::channel();
        // A closed writer has already committed everything: nothing to wait for.
        if self.enqueue_waiting(make(done)).await {
            let _ = wait.await;
        }
    }

    /// The writer's counters.
    pub fn stats(&self) -> &JournalStats {
        &self.shared.stats
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn prune(journal: &Journal, retention: Duration, stats: &JournalStats) {
    let cutoff = now_ms().saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
    match journal.prune(cutoff) {
        Ok(n) => {
            stats.pruned.fetch_add(n as u64, Ordering::Relaxed);
            if n > 0 {
                tracing::info!(
                    rows = n,
                    cutoff_ms = cutoff,
                    "journal retention pruned rows"
                );
            }
        }
        Err(e) => tracing::error!(error = %e, "journal retention pruning failed"),
    }
}

fn commit(journal: &mut Journal, batch: &mut Vec<JournalRecord>, stats: &JournalStats) {
    if batch.is_empty() {
        return;
    }
    let mut result = journal.insert_batch(batch);
    if let Err(e) = &result {
        tracing::warn!(error = %e, rows = batch.len(), "journal batch failed; retrying once");
        std::thread::sleep(Duration::from_millis(100));
        result = journal.insert_batch(batch);
    }
    match result {
        Ok(()) => {
            stats
                .written
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
        Err(e) => {
            stats
                .failed
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            tracing::error!(error = %e, rows = batch.len(), "journal batch lost");
        }
    }
    batch.clear();
}

fn run(mut journal: Journal, rx: &Receiver<Msg>, cfg: &JournalWriterConfig, shared: &Shared) {
    let stats = &shared.stats;
    let max_batch = cfg.max_batch.max(1);
    let mut batch: Vec<JournalRecord> = Vec::with_capacity(max_batch);
    let mut waiters: Vec<oneshot::Sender<()>> = Vec::new();
    let mut next_prune = Instant::now();
    loop {
        let wait = match cfg.retention {
            Some(retention) => {
                if Instant::now() >= next_prune {
                    prune(&journal, retention, stats);
                    next_prune = Instant::now() + cfg.prune_every;
                }
                next_prune.saturating_duration_since(Instant::now())
            }
            None => Duration::from_secs(3600),
        };
        let mut msg = match rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let opened = Instant::now();
        let mut stop = None;
        // Gather until the queue is empty, the batch is full, or it has been open too long.
        loop {
            match msg {
                Msg::Record(r) => batch.push(*r),
                Msg::Flush(done) => waiters.push(done),
                Msg::Shutdown(done) => stop = Some(done),
            }
            if stop.is_some() || batch.len() >= max_batch || opened.elapsed() >= cfg.batch_interval
            {
                break;
            }
            match rx.try_recv() {
                Ok(m) => msg = m,
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    // Linger instead of committing a tiny batch: while this thread sleeps,
                    // senders do not wake it (no futex wake per row), and the next batch is
                    // one transaction and one WAL write for everything that arrived meanwhile.
                    // A flush or shutdown waiter is answered at once.
                    let linger = cfg.linger.min(cfg.batch_interval);
                    let left = linger.saturating_sub(opened.elapsed());
                    if !waiters.is_empty() || left.is_zero() {
                        break;
                    }
                    std::thread::sleep(left);
                    match rx.try_recv() {
                        Ok(m) => msg = m,
                        Err(_) => break,
                    }
                }
            }
        }
        commit(&mut journal, &mut batch, stats);
        if let Some(done) = stop {
            // From here on senders see `closed`; what they queued before is drained below.
            shared.close();
            while let Ok(m) = rx.try_recv() {
                match m {
                    Msg::Record(r) => {
                        batch.push(*r);
                        if batch.len() >= max_batch {
                            commit(&mut journal, &mut batch, stats);
                        }
                    }
                    Msg::Flush(d) | Msg::Shutdown(d) => waiters.push(d),
                }
            }
            commit(&mut journal, &mut batch, stats);
            for w in waiters.drain(..) {
                let _ = w.send(());
            }
            let _ = done.send(());
            tracing::debug!("journal writer stopped");
            return;
        }
        for w in waiters.drain(..) {
            let _ = w.send(());
        }
    }
}
