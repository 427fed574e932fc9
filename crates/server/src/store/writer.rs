//! The one writer task: every write is a typed job with its own typed reply, committed with
//! the others waiting (group commit: one disk sync per batch).
//!
//! A caller is answered only after `COMMIT` returned, so an acknowledgement means the data is
//! on disk. Each write runs inside its own `SAVEPOINT`: a write the database refuses
//! (a constraint, a value it cannot read) is rolled back alone and fails alone, the rest of
//! the batch commits. A failure of the database itself (full, busy, unreachable) fails the
//! whole batch; the writer then drops its connection and the next batch opens a fresh one, so
//! the server recovers by itself (e.g. when disk space returns).
//!
//! A batch is retried once, on a fresh connection, only when the kept connection turned out to
//! be dead (it had died while idle) *before* `COMMIT` was sent: nothing of the first try can
//! have been committed, so no retried write ever meets its own first try (no 404 for a delete
//! that went through, no 409 for a create that did).
//!
//! Why the writer owns a connection instead of taking one from the pool: when SQLite rolls a
//! transaction back by itself (it does on `SQLITE_FULL`), sqlx's own transaction counter is
//! left at one open transaction, so that connection's later `begin()`/`commit()` become
//! `SAVEPOINT`/`RELEASE` inside a transaction that is never committed: acknowledged, then
//! lost. The writer throws such a connection away.

use super::error::{StoreError, StoreErrorKind};
use super::{prepare_connection, Backend, Role};
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, AssertSqlSafe, ConnectOptions, Connection};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 64;

/// What a write may need besides its own fields.
pub(crate) struct WriteContext {
    /// Each unit's time zone, which decides the day of its responses in the per-day tables.
    pub(crate) zones: std::sync::Arc<super::Zones>,
}

/// One kind of write: what it does inside the batch's transaction and what it answers.
///
/// A new kind of write is one type implementing this trait and one `Store` method calling
/// [`super::Store::write`] with it; the reply type is checked by the compiler.
pub(crate) trait WriteJob: Send + 'static {
    /// What the caller gets back once the write is committed.
    type Reply: Send + 'static;

    /// Performs the write on `conn`, which is inside the batch's transaction.
    fn apply(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteContext,
    ) -> impl Future<Output = Result<Self::Reply, StoreError>> + Send;
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A job with its reply channel, with the reply type erased so jobs of every kind share one
/// queue. The outcome is kept until the batch's `COMMIT` decides whether it is sent.
pub(crate) trait Queued: Send {
    /// Runs the job; keeps its outcome and returns whether it failed on its own.
    fn apply<'a>(
        &'a mut self,
        conn: &'a mut AnyConnection,
        ctx: &'a WriteContext,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Answers the caller: the kept outcome if the batch committed, else `failure`.
    fn answer(self: Box<Self>, failure: Option<StoreError>);
}

struct Pending<J: WriteJob> {
    job: J,
    reply: oneshot::Sender<Result<J::Reply, StoreError>>,
    /// The write's own outcome in the current try: its reply, or the error it alone failed with.
    outcome: Option<Result<J::Reply, StoreError>>,
}

impl<J: WriteJob> Queued for Pending<J> {
    fn apply<'a>(
        &'a mut self,
        conn: &'a mut AnyConnection,
        ctx: &'a WriteContext,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let result = self.job.apply(conn, ctx).await;
            let failed = result.as_ref().err().cloned();
            self.outcome = Some(result);
            failed.map_or(Ok(()), Err)
        })
    }

    fn answer(self: Box<Self>, failure: Option<StoreError>) {
        let outcome = match (failure, self.outcome) {
            (Some(e), _) => Err(e),
            (None, Some(outcome)) => outcome,
            (None, None) => Err(StoreError::new(
                StoreErrorKind::Unreachable,
                "the write was not performed",
            )),
        };
        // The caller may have gone away (a closed connection); the write stands.
        let _ = self.reply.send(outcome);
    }
}

/// A message to the writer task: a write, or a request to stop.
pub(crate) enum Message {
    Write(Box<dyn Queued>),
    Close(oneshot::Sender<()>),
}

/// Queues `job` and returns where its reply will arrive.
pub(crate) fn message<J: WriteJob>(
    job: J,
) -> (Message, oneshot::Receiver<Result<J::Reply, StoreError>>) {
    let (reply, answer) = oneshot::channel();
    let pending = Pending {
        job,
        reply,
        outcome: None,
    };
    (Message::Write(Box::new(pending)), answer)
}

/// Whether a write's error is its own (the database refused this write; the batch goes on)
/// or the database's (the batch cannot commit).
fn is_the_writes_own(e: &StoreError) -> bool {
    matches!(e.kind, StoreErrorKind::Database | StoreErrorKind::Data)
}

/// Why a batch did not commit, and whether `COMMIT` had been sent.
struct BatchFailure {
    error: StoreError,
    committing: bool,
}

impl From<StoreError> for BatchFailure {
    fn from(error: StoreError) -> Self {
        BatchFailure {
            error,
            committing: false,
        }
    }
}

impl From<sqlx::Error> for BatchFailure {
    fn from(e: sqlx::Error) -> Self {
        StoreError::from(e).into()
    }
}

/// The one writer: owns a connection of its own, which it drops after any failed batch.
pub(crate) struct WriterTask {
    pub(crate) options: AnyConnectOptions,
    pub(crate) backend: Backend,
    pub(crate) context: WriteContext,
    pub(crate) page_cap: Arc<AtomicU64>,
    /// The open connection and the page cap applied to it; None after an error.
    pub(crate) connection: Option<(AnyConnection, u64)>,
}

impl WriterTask {
    /// Takes every waiting write (up to [`MAX_BATCH`]) into one transaction until told to close.
    pub(crate) async fn run(mut self, mut inbox: mpsc::Receiver<Message>) {
        while let Some(first) = inbox.recv().await {
            let mut batch: Vec<Box<dyn Queued>> = Vec::new();
            let mut close = None;
            let mut next = Some(first);
            while let Some(message) = next.take() {
                match message {
                    Message::Write(write) => batch.push(write),
                    Message::Close(done) => {
                        close = Some(done);
                        break;
                    }
                }
                if batch.len() < MAX_BATCH {
                    next = inbox.try_recv().ok();
                }
            }
            if !batch.is_empty() {
                self.commit(batch).await;
            }
            if let Some(done) = close {
                if let Some((conn, _)) = self.connection.take() {
                    let _ = conn.close().await;
                }
                let _ = done.send(());
                return;
            }
        }
    }

    /// Writes a batch in one transaction and answers each caller only after `COMMIT` returned.
    async fn commit(&mut self, mut batch: Vec<Box<dyn Queued>>) {
        let reused = self.connection.is_some();
        let mut result = self.write_batch(&mut batch).await;
        if reused
            && matches!(&result, Err(f) if !f.committing && f.error.kind == StoreErrorKind::Unreachable)
        {
            // The kept connection had died while idle (a database restart, a network cut)
            // and nothing was committed: once more on a fresh one.
            result = self.write_batch(&mut batch).await;
        }
        match result {
            Ok(()) => {
                for write in batch {
                    write.answer(None);
                }
            }
            Err(failure) => {
                let e = failure.error;
                tracing::error!(
                    kind = ?e.kind,
                    writes = batch.len(),
                    error = %e.detail,
                    "a batch of writes was not committed; its callers get 503"
                );
                for write in batch {
                    write.answer(Some(e.clone()));
                }
            }
        }
    }

    /// One try at the batch; the connection is kept only if it committed.
    async fn write_batch(&mut self, batch: &mut [Box<dyn Queued>]) -> Result<(), BatchFailure> {
        let cap = self.page_cap.load(Ordering::SeqCst);
        let (mut conn, applied) = match self.connection.take() {
            Some(open) => open,
            None => {
                let mut conn = self.options.connect().await?;
                prepare_connection(&mut conn, self.backend, Role::Writer, cap).await?;
                (conn, cap)
            }
        };
        if applied != cap {
            prepare_connection(&mut conn, self.backend, Role::Writer, cap).await?;
        }
        let result = write_in_transaction(&mut conn, self.backend, batch, &self.context).await;
        if result.is_ok() {
            self.connection = Some((conn, cap));
        } else {
            let _ = conn.close_hard().await;
        }
        result
    }
}

/// Performs `batch` in one transaction on `conn`, each write inside its own savepoint.
async fn write_in_transaction(
    conn: &mut AnyConnection,
    backend: Backend,
    batch: &mut [Box<dyn Queued>],
    ctx: &WriteContext,
) -> Result<(), BatchFailure> {
    // On SQLite the write lock is taken at `BEGIN`, so another process writing the same file
    // makes this wait (busy_timeout) instead of failing when a read turns into a write.
    let begin = match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    let mut tx = conn.begin_with(AssertSqlSafe(begin)).await?;
    for write in batch.iter_mut() {
        sqlx::query("SAVEPOINT one_write").execute(&mut *tx).await?;
        match write.apply(&mut tx, ctx).await {
            Ok(()) => {}
            Err(e) if is_the_writes_own(&e) => {
                tracing::warn!(error = %e.detail, "one write was refused; the rest of its batch goes on");
                sqlx::query("ROLLBACK TO SAVEPOINT one_write")
                    .execute(&mut *tx)
                    .await?;
            }
            Err(e) => return Err(e.into()),
        }
        sqlx::query("RELEASE SAVEPOINT one_write")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await.map_err(|e| BatchFailure {
        error: e.into(),
        committing: true,
    })
}
