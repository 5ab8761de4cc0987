//! Load shedding for the slow answers (trade queries, briefs, the pair page's chart).
//!
//! Those take milliseconds to seconds (DataFusion queries awaited on the server's runtime, the
//! fast path's decoding on tokio's blocking pool), where a stance is a fold in memory. Without a
//! bound, a flood of them queues without end (the blocking pool alone grows to 512 threads):
//! every request waits behind all the others, work goes on for clients that have long gone, and
//! memory grows with the queue. So a [`QueryGate`] lets at most
//! [`Limits::slots`] run at once and at most [`Limits::queue`] wait, each for at most
//! [`Limits::wait`]; a request past either bound is answered `503` with `Retry-After` at once,
//! and the rest of the server (stances, the map, the ledger) keeps answering.
//!
//! A request whose client disconnects while it waits is dropped with its place in the queue,
//! since axum drops the handler's future. One already running finishes, in a task of its own
//! that keeps its slot until then: the fast path's work on a blocking thread cannot be
//! interrupted, and the slots bound how much of it there can be.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// Bounds on concurrent slow answers; see the [module](self) documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many slow answers run at once.
    pub slots: usize,
    /// How many more may wait for a slot.
    pub queue: usize,
    /// How long one may wait before it is answered 503.
    pub wait: Duration,
}

impl Default for Limits {
    /// One slot per core (trade queries use a core each; more would only interleave them),
    /// a queue of 16 per slot, and a 10-second wait: an answer later than that is rarely still
    /// wanted by a person or a client's timeout.
    fn default() -> Limits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            slots: cores,
            queue: 16 * cores,
            wait: Duration::from_secs(10),
        }
    }
}

/// Admits slow answers within [`Limits`].
#[derive(Debug)]
pub struct QueryGate {
    limits: Limits,
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
}

/// Leaves the queue when dropped, whether the wait ended or its request was dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl QueryGate {
    /// A gate with these bounds (a bound of 0 slots is taken as 1).
    pub fn new(limits: Limits) -> QueryGate {
        QueryGate {
            slots: Arc::new(Semaphore::new(limits.slots.max(1))),
            waiting: AtomicUsize::new(0),
            limits,
        }
    }

    /// The bounds in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A slot to run one slow answer in, held until the permit is dropped; or a 503 saying
    /// why there is none.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let ahead = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        if ahead >= self.limits.queue {
            return Err(busy(format!(
                "the server is busy: {} slow queries are running and {ahead} are waiting, \
                 the most it queues; retry in a moment",
                self.limits.slots.max(1)
            )));
        }
        match tokio::time::timeout(self.limits.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed.
            Ok(Err(_)) => Err(ApiError::internal("the query gate was closed")),
            Err(_) => Err(busy(format!(
                "the server is busy: no query slot came free within {} s; retry in a moment",
                self.limits.wait.as_secs_f64()
            ))),
        }
    }
}

/// A 503 answer (the error type adds `Retry-After`).
fn busy(message: String) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(slots: usize, queue: usize, wait_ms: u64) -> Arc<QueryGate> {
        Arc::new(QueryGate::new(Limits {
            slots,
            queue,
            wait: Duration::from_millis(wait_ms),
        }))
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let g = gate(1, 1, 60_000);
        let _running = g.enter().await.unwrap();
        let waiter = {
            let g = g.clone();
            tokio::spawn(async move { g.enter().await.map(drop) })
        };
        // Let the waiter take its place in the queue.
        while g.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let refused = g.enter().await.unwrap_err();
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            refused.message.contains("1 are waiting"),
            "{}",
            refused.message
        );
        drop(_running);
        waiter.await.unwrap().unwrap();
        assert_eq!(g.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_wait_past_the_limit_is_refused_and_leaves_the_queue() {
        let g = gate(1, 8, 20);
        let _running = g.enter().await.unwrap();
        let refused = g.enter().await.unwrap_err();
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(refused.message.contains("0.02 s"), "{}", refused.message);
        assert_eq!(g.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_dropped_request_gives_up_its_place() {
        let g = gate(1, 1, 60_000);
        let running = g.enter().await.unwrap();
        let waiter = {
            let g = g.clone();
            tokio::spawn(async move { g.enter().await.map(drop) })
        };
        while g.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // As axum does when the client disconnects.
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(g.waiting.load(Ordering::SeqCst), 0);
        drop(running);
        assert!(g.enter().await.is_ok());
    }

    #[test]
    fn a_refusal_says_when_to_retry() {
        use axum::response::IntoResponse;
        let res = busy("busy".into()).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[axum::http::header::RETRY_AFTER], "1");
        let page = crate::pages::PageError(busy("busy".into())).into_response();
        assert_eq!(page.headers()[axum::http::header::RETRY_AFTER], "1");
    }

    #[tokio::test]
    async fn slots_run_side_by_side() {
        let g = gate(2, 0, 10);
        let a = g.enter().await.unwrap();
        let b = g.enter().await.unwrap();
        assert_eq!(
            g.enter().await.unwrap_err().status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        drop((a, b));
    }
}
