//! The writer's queue: bounded, many senders, one receiver, and memory that follows the
//! backlog rather than the bound.
//!
//! `std::sync::mpsc::sync_channel(n)` allocates all `n` slots up front and touches every one
//! as its ring turns, so a 65,536-row bound costs 1.5 MB of resident memory even when the
//! writer keeps up (the usual case: a few hundred rows wait). This queue is a `VecDeque` under
//! a mutex that grows with the backlog, up to the bound, and gives the memory back once it is
//! drained. Same error types as `std::sync::mpsc`.

use std::collections::VecDeque;
use std::sync::mpsc::{RecvTimeoutError, TryRecvError, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Backlog capacity kept once the queue is empty again (a burst's larger buffer is freed).
const KEEP: usize = 4096;

struct State<T> {
    items: VecDeque<T>,
    senders: usize,
    receiver: bool,
    waiting: bool,
}

struct Inner<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
    capacity: usize,
}

impl<T> Inner<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A queue of at most `capacity` items.
pub(super) fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::new(State {
            items: VecDeque::new(),
            senders: 1,
            receiver: true,
            waiting: false,
        }),
        ready: Condvar::new(),
        capacity: capacity.max(1),
    });
    (Sender(Arc::clone(&inner)), Receiver(inner))
}

/// The sending side; cloneable.
pub(super) struct Sender<T>(Arc<Inner<T>>);

impl<T> Sender<T> {
    /// Queues `item` unless the queue is full or the receiver is gone.
    pub(super) fn try_send(&self, item: T) -> Result<(), TrySendError<T>> {
        let mut s = self.0.lock();
        if !s.receiver {
            return Err(TrySendError::Disconnected(item));
        }
        if s.items.len() >= self.0.capacity {
            return Err(TrySendError::Full(item));
        }
        s.items.push_back(item);
        // Only a receiver blocked in `recv_timeout` needs a wake-up (a futex call).
        if s.waiting {
            self.0.ready.notify_one();
        }
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.lock().senders += 1;
        Sender(Arc::clone(&self.0))
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.senders -= 1;
        if s.senders == 0 {
            self.0.ready.notify_one();
        }
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.0.capacity)
            .finish_non_exhaustive()
    }
}

/// The one receiving side.
pub(super) struct Receiver<T>(Arc<Inner<T>>);

impl<T> Receiver<T> {
    fn pop(s: &mut State<T>) -> Option<T> {
        let item = s.items.pop_front();
        if s.items.is_empty() && s.items.capacity() > KEEP {
            s.items.shrink_to(KEEP);
        }
        item
    }

    /// The next item, if one is queued.
    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut s = self.0.lock();
        match Self::pop(&mut s) {
            Some(item) => Ok(item),
            None if s.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// The next item, waiting at most `timeout` for one.
    pub(super) fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        let deadline = Instant::now().checked_add(timeout);
        let mut s = self.0.lock();
        loop {
            if let Some(item) = Self::pop(&mut s) {
                return Ok(item);
            }
            if s.senders == 0 {
                return Err(RecvTimeoutError::Disconnected);
            }
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Err(RecvTimeoutError::Timeout);
            }
            s.waiting = true;
            s = self
                .0
                .ready
                .wait_timeout(s, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            s.waiting = false;
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.0.lock().receiver = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_out_in_order_and_the_bound_refuses_the_rest() {
        let (tx, rx) = bounded(2);
        tx.try_send(1).unwrap();
        tx.clone().try_send(2).unwrap();
        assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.recv_timeout(Duration::from_millis(1)), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(1)),
            Err(RecvTimeoutError::Timeout)
        );
    }

    #[test]
    fn a_waiting_receiver_wakes_for_an_item_and_for_the_last_sender_leaving() {
        let (tx, rx) = bounded(4);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.try_send(7).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            drop(tx);
        });
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(7));
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5)),
            Err(RecvTimeoutError::Disconnected)
        );
        t.join().unwrap();
    }

    #[test]
    fn a_gone_receiver_refuses_items() {
        let (tx, rx) = bounded(4);
        drop(rx);
        assert!(matches!(tx.try_send(1), Err(TrySendError::Disconnected(1))));
    }

    #[test]
    fn a_drained_queue_gives_back_a_burst_s_memory() {
        let (tx, rx) = bounded(100_000);
        for i in 0..50_000 {
            tx.try_send(i).unwrap();
        }
        while rx.try_recv().is_ok() {}
        assert!(rx.0.lock().items.capacity() <= KEEP);
    }
}
