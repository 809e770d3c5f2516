//! Pushes taken together: the batches that arrive while the database's connection is busy are
//! stored in one transaction, so that many pushes share one sync to disk (group commit).
//!
//! A push puts its checked batch in the queue. If no push is storing the queue, it becomes the
//! writer: it takes the connection, takes every batch queued (at most [`MAX_TOGETHER`]) and
//! stores each in a savepoint of one transaction (a batch refused as a whole, over its space's
//! quota, is rolled back alone), commits once — `synchronous = FULL`: on disk before any
//! answer — then, still holding the connection, hands each stored batch to the news sockets
//! ([`crate::hub`]) in the order stored, and answers each push. It gives the connection back
//! (other requests use it in between) and takes it again for what has been queued meanwhile,
//! until the queue is empty. The other pushes only wait for their answers. A push so waits at
//! most for the commit under way and its own; the answers and the frames are what one
//! transaction a push would give.

use std::sync::{Arc, Mutex, MutexGuard};

use diplomatie_protocol::relay::PushOutcome;
use diplomatie_protocol::{DeviceId, SpaceId};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use crate::error::ApiError;
use crate::hub::Hub;
use crate::state::AppState;
use crate::store::{self, Candidate, PushKind};

/// The most batches stored in one transaction.
const MAX_TOGETHER: usize = 256;

/// A batch to store, checked (see [`store::push`]).
#[derive(Debug)]
pub struct Batch {
    pub space: SpaceId,
    pub sender: DeviceId,
    pub kind: PushKind,
    pub candidates: Vec<Candidate>,
    pub quota: u64,
    pub now: i64,
}

/// One push waiting to be stored.
#[derive(Debug)]
struct Waiting {
    batch: Batch,
    answer: oneshot::Sender<Result<Vec<PushOutcome>, ApiError>>,
}

#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<Waiting>,
    /// The push storing the queue, if any: the others only wait for their answers.
    writer: Option<u64>,
    next_writer: u64,
}

/// The pushes waiting to be stored.
#[derive(Debug, Default)]
pub struct Pushes {
    queue: Mutex<Queue>,
}

impl Pushes {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next batches for writer `id` to store; none, and the writer steps down, once the
    /// queue is empty.
    fn next(&self, id: u64) -> Vec<Waiting> {
        let mut queue = self.lock();
        if queue.waiting.is_empty() {
            if queue.writer == Some(id) {
                queue.writer = None;
            }
            return Vec::new();
        }
        let n = queue.waiting.len().min(MAX_TOGETHER);
        queue.waiting.drain(..n).collect()
    }

    /// Writer `id` stopped before the queue was empty (its call to the database failed):
    /// what waits is refused, and the next push becomes the writer.
    fn abandon(&self, id: u64) {
        let mut queue = self.lock();
        if queue.writer == Some(id) {
            queue.writer = None;
            for push in queue.waiting.drain(..) {
                let _ = push.answer.send(Err(ApiError::Internal(
                    "the database could not take the push: try again".into(),
                )));
            }
        }
    }
}

/// Stores a batch (see [`store::push`]) with whatever other batches wait, and tells the
/// space's sockets of what it added; its outcomes.
pub async fn push(state: &AppState, batch: Batch) -> Result<Vec<PushOutcome>, ApiError> {
    let (answer, answered) = oneshot::channel();
    let writer = {
        let mut queue = state.pushes.lock();
        queue.waiting.push(Waiting { batch, answer });
        if queue.writer.is_none() {
            queue.next_writer += 1;
            queue.writer = Some(queue.next_writer);
            queue.writer
        } else {
            None
        }
    };
    if let Some(id) = writer {
        // One transaction a call, so that other requests get the connection in between.
        loop {
            let (pushes, hub) = (Arc::clone(&state.pushes), Arc::clone(&state.hub));
            let more = state
                .db
                .call(move |conn| {
                    let batches = pushes.next(id);
                    let more = !batches.is_empty();
                    if more {
                        store_together(conn, batches, &hub);
                    }
                    Ok::<_, ApiError>(more)
                })
                .await;
            match more {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => {
                    // The call never ran, or panicked: no one is writing. (The batches it
                    // had taken are answered with an error as their senders drop.)
                    state.pushes.abandon(id);
                    break;
                }
            }
        }
    }
    answered
        .await
        .map_err(|_| ApiError::Internal("the push was dropped before it was stored".into()))?
}

/// The answer of each push of a transaction that could not be opened or committed.
fn failed(e: &rusqlite::Error) -> ApiError {
    ApiError::Internal(format!("database error: {e}"))
}

/// Stores `batches` in one transaction, then tells the sockets and answers.
fn store_together(conn: &mut Connection, batches: Vec<Waiting>, hub: &Hub) {
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            for push in batches {
                let _ = push.answer.send(Err(failed(&e)));
            }
            return;
        }
    };
    let mut stored = Vec::with_capacity(batches.len());
    for Waiting { batch, answer } in batches {
        let sender = batch.sender;
        let result = (|| {
            let savepoint = tx.savepoint()?;
            let pushed = store::push(
                &savepoint,
                batch.space,
                batch.sender,
                batch.kind,
                batch.candidates,
                batch.quota,
                batch.now,
            )?;
            savepoint.commit()?;
            Ok::<_, ApiError>(pushed)
        })();
        stored.push((answer, sender, result));
    }
    if let Err(e) = tx.commit() {
        for (answer, _, _) in stored {
            let _ = answer.send(Err(failed(&e)));
        }
        return;
    }
    for (answer, sender, result) in stored {
        let result = result.map(|(outcomes, moved, fresh)| {
            // Under the connection, in the order the database took the pushes.
            if let Some(summary) = moved {
                hub.pushed(&summary, sender, &fresh);
            }
            outcomes
        });
        let _ = answer.send(result);
    }
}
