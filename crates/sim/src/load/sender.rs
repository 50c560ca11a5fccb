//! The open-loop sender: events are scheduled at `i / rate` from the start whatever the
//! bridge does, so a slow bridge shows up as latency (measured from the intended time too),
//! never as a lower offered rate (no coordinated omission).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Semaphore};

use super::payload::push_body;
pub use super::plan::{ConnectionMode, Phase, SendPlan};
use super::target::Target;

/// How one request ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SendOutcome {
    /// An HTTP answer with this status.
    Status(u16),
    /// The TCP connect or HTTP handshake failed.
    Connect,
    /// The connection broke while the request was in flight.
    Io,
    /// No answer within the request timeout.
    Timeout,
}

impl SendOutcome {
    /// The error kind used in reports, or `None` for a 2xx answer.
    pub fn error_kind(self) -> Option<String> {
        match self {
            Self::Status(s) if (200..300).contains(&s) => None,
            Self::Status(s) => Some(format!("http_{s}")),
            Self::Connect => Some("connect".to_owned()),
            Self::Io => Some("io".to_owned()),
            Self::Timeout => Some("timeout".to_owned()),
        }
    }
}

/// One event as sent.
#[derive(Clone, Copy, Debug)]
pub struct SendRecord {
    /// Its sequence number.
    pub idx: u64,
    /// The person (= expected ACS object) id.
    pub person: u32,
    /// When the schedule said to send it.
    pub intended: SystemTime,
    /// When its first byte was handed to the connection (`None`: never sent).
    pub sent: Option<SystemTime>,
    /// The event time in the body, Unix seconds (0 when never sent).
    pub event_secs: u64,
    /// How it ended.
    pub outcome: SendOutcome,
}

struct Job {
    idx: u64,
    person: u32,
    intended: SystemTime,
    /// The event time to put in the body; `None`: the time of sending.
    event_secs: Option<u64>,
}

struct Ctx {
    target: Target,
    plan: SendPlan,
    results: mpsc::UnboundedSender<SendRecord>,
}

/// Sends the plan to `target` and returns every event's record (in completion order) once
/// the last request has ended.
pub async fn run(target: Target, plan: SendPlan) -> Vec<SendRecord> {
    let (results_tx, mut results_rx) = mpsc::unbounded_channel();
    let total = plan.total();
    let offsets: Vec<Duration> = plan.offsets().collect();
    let ctx = Arc::new(Ctx {
        target,
        plan,
        results: results_tx,
    });
    // The schedule runs on a blocking thread: `std::thread::sleep` wakes within tens of
    // microseconds, where tokio's timer rounds up to the next millisecond and would add up to
    // 1 ms of send lag to every event. It sleeps, never spins, so it leaves the CPU to the
    // bridge between events.
    let generator_ctx = Arc::clone(&ctx);
    let generator = tokio::task::spawn_blocking(move || {
        let ctx = generator_ctx;
        let mut dispatch = Dispatch::new(&ctx);
        let start_instant = Instant::now();
        let start_wall = SystemTime::now();
        for (i, offset) in (0u64..).zip(offsets) {
            let due = start_instant + offset;
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            dispatch.send(Job {
                idx: i,
                person: ctx.plan.person(i),
                intended: start_wall + offset,
                event_secs: None,
            });
        }
    });
    drop(ctx);
    if let Err(error) = generator.await {
        tracing::error!(%error, "the load generator thread failed");
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    while let Some(r) = results_rx.recv().await {
        out.push(r);
    }
    out
}

enum Dispatch {
    KeepAlive {
        queues: Vec<mpsc::UnboundedSender<Job>>,
        next: usize,
    },
    PerRequest {
        ctx: Arc<Ctx>,
        slots: Arc<Semaphore>,
    },
}

impl Dispatch {
    fn new(ctx: &Arc<Ctx>) -> Self {
        match ctx.plan.mode {
            ConnectionMode::KeepAlive { connections } => {
                let queues = (0..connections.max(1))
                    .map(|_| {
                        let (tx, rx) = mpsc::unbounded_channel();
                        tokio::spawn(keep_alive_worker(Arc::clone(ctx), rx));
                        tx
                    })
                    .collect();
                Self::KeepAlive { queues, next: 0 }
            }
            ConnectionMode::PerRequest { max_in_flight } => Self::PerRequest {
                ctx: Arc::clone(ctx),
                slots: Arc::new(Semaphore::new(max_in_flight.max(1))),
            },
        }
    }

    fn send(&mut self, job: Job) {
        match self {
            Self::KeepAlive { queues, next } => {
                let i = *next;
                *next = (i + 1) % queues.len();
                // A worker only stops when its queue closes, so the send cannot fail.
                let _ = queues[i].send(job);
            }
            Self::PerRequest { ctx, slots } => {
                let ctx = Arc::clone(ctx);
                let slots = Arc::clone(slots);
                tokio::spawn(async move {
                    let _permit = slots.acquire_owned().await;
                    let mut conn = None;
                    let rec = send_one(&ctx, &mut conn, job, true).await;
                    let _ = ctx.results.send(rec);
                });
            }
        }
    }
}

async fn keep_alive_worker(ctx: Arc<Ctx>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut conn = None;
    while let Some(job) = jobs.recv().await {
        let rec = send_one(&ctx, &mut conn, job, false).await;
        let _ = ctx.results.send(rec);
    }
}

/// Sends again, one after the other on one keep-alive connection, the very events of
/// `records` (same notification id `<plan.run_id>-<idx>`, person and event time), as Watcher
/// retrying a delivery would. Returns the new records.
pub async fn replay(target: Target, plan: SendPlan, records: &[SendRecord]) -> Vec<SendRecord> {
    // `send_one` reports through its return value; the context still wants a channel.
    let (results, _unused) = mpsc::unbounded_channel();
    let ctx = Ctx {
        target,
        plan,
        results,
    };
    let mut conn = None;
    let mut out = Vec::with_capacity(records.len());
    for r in records.iter().filter(|r| r.sent.is_some()) {
        let job = Job {
            idx: r.idx,
            person: r.person,
            intended: SystemTime::now(),
            event_secs: Some(r.event_secs),
        };
        out.push(send_one(&ctx, &mut conn, job, false).await);
    }
    out
}

type Conn = SendRequest<Full<Bytes>>;

async fn connect(target: &Target) -> Result<Conn, ()> {
    let tcp = TcpStream::connect(target.addr).await.map_err(|error| {
        tracing::debug!(%error, "connect failed");
    })?;
    let _ = tcp.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|error| tracing::debug!(%error, "handshake failed"))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection ended");
        }
    });
    Ok(sender)
}

/// Sends one event on `conn`, (re)connecting first when there is none or it closed.
async fn send_one(ctx: &Ctx, conn: &mut Option<Conn>, job: Job, close: bool) -> SendRecord {
    let mut rec = SendRecord {
        idx: job.idx,
        person: job.person,
        intended: job.intended,
        sent: None,
        event_secs: 0,
        outcome: SendOutcome::Connect,
    };
    let timeout = ctx.plan.request_timeout;
    if let Some(c) = conn.as_mut() {
        if c.ready().await.is_err() {
            *conn = None;
        }
    }
    let c = match conn {
        Some(c) => c,
        None => match tokio::time::timeout(timeout, connect(&ctx.target)).await {
            Ok(Ok(c)) => conn.insert(c),
            Ok(Err(())) => return rec,
            Err(_) => return rec,
        },
    };
    let now_secs = job.event_secs.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    });
    let id = format!("{}-{}", ctx.plan.run_id, job.idx);
    let body = push_body(job.person, &ctx.plan.camera, now_secs, &id);
    let mut req = http::Request::builder()
        .method(http::Method::POST)
        .uri(ctx.target.path.as_str())
        .header(http::header::HOST, ctx.target.authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::CONTENT_LENGTH, body.len());
    if close {
        req = req.header(http::header::CONNECTION, "close");
    }
    let Ok(req) = req.body(Full::new(Bytes::from(body))) else {
        // Only a path the URI parser accepted reaches here; count it as never sent.
        rec.outcome = SendOutcome::Io;
        return rec;
    };
    rec.sent = Some(SystemTime::now());
    rec.event_secs = now_secs;
    let exchange = async {
        let resp = c.send_request(req).await?;
        let status = resp.status().as_u16();
        resp.into_body().collect().await?;
        Ok::<u16, hyper::Error>(status)
    };
    rec.outcome = match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok(status)) => SendOutcome::Status(status),
        Ok(Err(_)) => {
            *conn = None;
            SendOutcome::Io
        }
        Err(_) => {
            *conn = None;
            SendOutcome::Timeout
        }
    };
    rec
}
