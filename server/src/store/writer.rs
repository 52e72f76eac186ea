//! The writer thread: group commit.
//!
//! Requests queue on a channel. The thread blocks for the first one, then takes every request
//! already queued (up to [`MAX_BATCH`]) and hands the batch to the backend, which applies it in one
//! transaction; only after the commit (fsync) does it answer each request. Requests that arrive
//! while a commit is in flight form the next batch, so N concurrent writers cost far fewer than N
//! fsyncs. Only when the last commit served several requests does the thread wait ([`LINGER`])
//! before taking a batch: one request at a time never waits on a timer, and neither does a
//! batch holding a forward's write ([`WriteOp::lingers`]).
//!
//! The queue is bounded for the server's (async) writes: at most [`QUEUE_LIMIT`] wait at once,
//! and a caller beyond that waits for room, in turn (tokio's semaphore is fair), before its
//! request exists in the queue. So requests that arrive faster than commits finish cannot grow
//! memory; they wait, and the ones that cannot wait (refused requests, see
//! `vault::refusals`) are counted rather than written. The command line's blocking writes are
//! an operator's, one at a time, and skip the bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::{StoreError, WriteBackend, WriteOp, WriteOutcome};

/// The most requests in one transaction.
const MAX_BATCH: usize = 256;

/// The most times the thread gives the core back before a commit (see [`run`]).
const MAX_YIELDS: usize = 4;

/// How long the thread waits for more requests before a commit when the vault is busy: when
/// the last commit served at least [`BUSY_BATCH`] requests (see [`run`]).
const LINGER: Duration = Duration::from_millis(2);

/// A commit this large says requests are arriving faster than commits finish.
const BUSY_BATCH: usize = 4;

/// The most async requests queued or being committed at once: a few full batches.
pub(crate) const QUEUE_LIMIT: usize = 4 * MAX_BATCH;

type Answer = Result<WriteOutcome, StoreError>;

struct Request {
    op: WriteOp,
    reply: Reply,
    /// The request's room in the queue, given back once it is answered.
    room: Option<OwnedSemaphorePermit>,
}

enum Reply {
    /// An async caller awaits this.
    Async(oneshot::Sender<Answer>),
    /// A blocking caller (the CLI) waits on this; works inside or outside a runtime.
    Blocking(mpsc::SyncSender<Answer>),
}

impl Reply {
    fn send(self, answer: Answer) {
        // A caller that gave up (dropped its future) gets no answer; its write stands.
        match self {
            Reply::Async(tx) => {
                let _ = tx.send(answer);
            }
            Reply::Blocking(tx) => {
                let _ = tx.send(answer);
            }
        }
    }
}

/// The handle on the writer thread. Dropping it lets the thread finish its queue and joins it.
pub(crate) struct Writer {
    queue: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
    batches: Arc<AtomicU64>,
    room: Arc<Semaphore>,
}

impl Writer {
    /// Starts the thread that owns `backend`.
    pub(crate) fn start(backend: Box<dyn WriteBackend>) -> Result<Writer, StoreError> {
        let (tx, rx) = mpsc::channel();
        let batches = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&batches);
        let thread = thread::Builder::new()
            .name("cardvault-store-writer".into())
            .spawn(move || run(backend, &rx, &counter))
            .map_err(|e| {
                tracing::error!(error = %e, "store: cannot start the writer thread");
                StoreError::Database
            })?;
        Ok(Writer {
            queue: Some(tx),
            thread: Some(thread),
            batches,
            room: Arc::new(Semaphore::new(QUEUE_LIMIT)),
        })
    }

    /// Waits for room in the queue, queues `op` and waits (asynchronously) for its batch to
    /// commit.
    pub(crate) async fn submit(&self, op: WriteOp) -> Answer {
        let room = Arc::clone(&self.room)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let (tx, rx) = oneshot::channel();
        self.send(Request {
            op,
            reply: Reply::Async(tx),
            room: Some(room),
        })?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Queues `op` and blocks the calling thread until its batch commits.
    pub(crate) fn submit_blocking(&self, op: WriteOp) -> Answer {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(Request {
            op,
            reply: Reply::Blocking(tx),
            room: None,
        })?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }

    /// Batches committed so far.
    pub(crate) fn batches_committed(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Async requests queued or being committed now.
    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        QUEUE_LIMIT - self.room.available_permits()
    }

    fn send(&self, request: Request) -> Result<(), StoreError> {
        let queue = self.queue.as_ref().ok_or(StoreError::Closed)?;
        queue.send(request).map_err(|_| StoreError::Closed)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue ends the thread once it has answered everything queued.
        drop(self.queue.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("store: the writer thread panicked");
        }
    }
}

fn run(mut backend: Box<dyn WriteBackend>, queue: &mpsc::Receiver<Request>, batches: &AtomicU64) {
    let mut last_batch = 0;
    while let Ok(first) = queue.recv() {
        // Busy: wait a little before collecting the batch, so one commit (one fsync, the
        // costliest part of a write) serves more requests. Asleep rather than waiting on the
        // queue, the thread is not woken (taking the core) by each request queued meanwhile.
        // A vault answering one request at a time never waits. What it measured:
        // bench/README.md.
        // A forward waits for two commits in series (its start, then its outcome): 2 ms each
        // would be most of its time (bench/README.md), so a batch that holds one of its writes
        // is committed without lingering.
        let mut ops = Vec::with_capacity(32);
        let mut replies = Vec::with_capacity(32);
        ops.push(first.op);
        replies.push((first.reply, first.room));
        if last_batch >= BUSY_BATCH {
            take_queued(queue, &mut ops, &mut replies);
            if ops.iter().all(WriteOp::lingers) {
                thread::sleep(LINGER);
            }
        }
        // The first request woke this thread, which took the core from the thread that queued
        // it (the scheduler favours a thread that just woke). Give the core back before
        // committing, for as long as that brings more requests (a few times at most): the
        // request threads finish what they were doing and queue more, so one commit (one
        // fsync) serves them all. With an idle core to spare, a yield returns at once and
        // nothing more arrives. Measured with the vault on one core: from one request per
        // commit to about ten, and a fifth more tokens per second.
        for _ in 0..MAX_YIELDS {
            thread::yield_now();
            let before = ops.len();
            take_queued(queue, &mut ops, &mut replies);
            if ops.len() == before || ops.len() >= MAX_BATCH {
                break;
            }
        }
        last_batch = ops.len();
        match backend.apply_batch(&ops) {
            Ok(answers) if answers.len() == replies.len() => {
                batches.fetch_add(1, Ordering::Relaxed);
                for ((reply, _room), answer) in replies.into_iter().zip(answers) {
                    reply.send(answer);
                }
            }
            Ok(answers) => {
                // Committed, but the answers cannot be matched to the requests.
                batches.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    requests = replies.len(),
                    answers = answers.len(),
                    "store: the backend answered a batch with the wrong number of results"
                );
                for (reply, _room) in replies {
                    reply.send(Err(StoreError::Database));
                }
            }
            Err(e) => {
                for (reply, _room) in replies {
                    reply.send(Err(e));
                }
            }
        }
    }
}

/// Takes the requests queued now into the batch, up to [`MAX_BATCH`].
fn take_queued(
    queue: &mpsc::Receiver<Request>,
    ops: &mut Vec<WriteOp>,
    replies: &mut Vec<(Reply, Option<OwnedSemaphorePermit>)>,
) {
    while ops.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(request) => {
                ops.push(request.op);
                replies.push((request.reply, request.room));
            }
            Err(_) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::{QUEUE_LIMIT, WriteBackend, WriteOp, WriteOutcome, Writer};
    use crate::store::StoreError;

    /// Commits nothing until the test opens the gate.
    struct Gated(Arc<Mutex<()>>);

    impl WriteBackend for Gated {
        fn apply_batch(
            &mut self,
            ops: &[WriteOp],
        ) -> Result<Vec<Result<WriteOutcome, StoreError>>, StoreError> {
            drop(self.0.lock());
            Ok(ops.iter().map(|_| Ok(WriteOutcome::Done)).collect())
        }
    }

    async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[allow(clippy::await_holding_lock)]
    async fn the_queue_is_bounded_and_callers_beyond_it_wait_their_turn() {
        // A std lock held by the test until it opens the gate; the writer thread blocks on it.
        let gate = Arc::new(Mutex::new(()));
        let closed = gate.lock().unwrap();
        let writer = Arc::new(Writer::start(Box::new(Gated(Arc::clone(&gate)))).unwrap());
        let callers = QUEUE_LIMIT + 100;
        let mut tasks = Vec::new();
        for _ in 0..callers {
            let writer = Arc::clone(&writer);
            tasks.push(tokio::spawn(async move {
                writer
                    .submit(WriteOp::Seal { begin: false })
                    .await
                    .map(drop)
            }));
        }
        // The writer holds its first batch at the gate; the rest queue up to the limit and no
        // further: the others wait for room.
        wait_for("a full queue", || writer.queued() == QUEUE_LIMIT).await;
        assert!(tasks.iter().all(|t| !t.is_finished()));
        assert_eq!(writer.queued(), QUEUE_LIMIT);
        drop(closed);
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(writer.queued(), 0);
    }
}
