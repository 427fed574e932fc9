//! Storage of responses in SQLite (default, embedded) or PostgreSQL, through one code path.
//!
//! sqlx's `Any` driver picks the database from the URL; the SQL is portable (`$n`
//! placeholders written by [`sql::Sql`], `ON CONFLICT`, `RETURNING`), so no query exists twice.
//!
//! - **Writes** are typed jobs ([`writer::WriteJob`]) handed to one writer task, which commits
//!   every waiting write in one transaction, each in its own savepoint, and answers only after
//!   `COMMIT` (see [`writer`]).
//! - **Reads** go through a [`Snapshot`]: one read transaction, so every figure of a report
//!   comes from the same state of the database, even while responses keep arriving.
//!
//! The jobs are split by what they touch: [`responses`] (a response and its per-day counts),
//! [`office`] (population, closing, the follow-up plan), [`aggregates`] (the sums a recap
//! reads) and [`migrate`] (schema and derived tables at start).

mod accounts;
mod aggregates;
mod audit;
mod codes;
mod error;
mod migrate;
mod office;
mod responses;
mod review;
mod sql;
mod suggestions;
mod url;
mod writer;

pub use accounts::{SessionOwner, ADMIN_TOKEN_OWNER};
pub use aggregates::{Aggregate, Filter, StoredAfter};
pub use audit::{Actor, AuditAction, AuditEvent, AuditQuery};
pub use codes::COLLECTOR_SERIALS;
pub use error::{StoreError, StoreErrorKind};
pub use office::{Closure, PeriodAction, PeriodEvent};
pub use responses::{Exclusion, Insert, NewResponse, StoredRow, Suggestion};
pub use review::{ReviewChange, ReviewOutcome, ReviewRow};
pub use sql::Zones;
pub use suggestions::{MarkOutcome, SuggestionMarks};
pub use url::{redact_url, Backend};

use ikm_core::config::Slug;
use ikm_core::followup::{FollowUp, FollowUpInput};
use ikm_core::period::Period;
use ikm_core::time::UtcOffset;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Transaction};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use writer::{Message, WriteContext, WriteJob, WriterTask};

/// The database of responses. Cheap to clone: clones share the pool and the writer.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Which SQL engine is behind the pool.
    pub backend: Backend,
    /// Each unit's time zone, which decides the day of its responses in the per-day tables.
    zones: Arc<Zones>,
    writer: mpsc::Sender<Message>,
    /// SQLite's `max_page_count` for the writer's connection (0: no cap), see [`Store::cap_sqlite_pages`].
    page_cap: Arc<AtomicU64>,
}

/// One consistent view of the database for a report's reads (a read-only transaction; on
/// PostgreSQL `REPEATABLE READ`, on SQLite a WAL read snapshot taken at the first read).
pub struct Snapshot {
    tx: Transaction<'static, Any>,
    zones: Arc<Zones>,
    /// The unit whose office records (closures, populations, follow-ups) the reads see.
    unit: String,
}

impl Snapshot {
    /// The transaction's connection, for the read methods of the submodules.
    fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Reads `unit`'s office records and days from now on (`""`: a single office without a
    /// unit id), in the same snapshot: a recap across units reads every unit from one state.
    pub fn for_unit(&mut self, unit: &str) -> &mut Snapshot {
        self.unit = unit.to_string();
        self
    }

    /// The time zone of the unit read.
    fn offset(&self) -> UtcOffset {
        self.zones.offset_of(Some(&self.unit))
    }
}

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`
    /// (`sqlite://PATH` or `postgres://USER@HOST/DB`) for an office in time zone `offset`.
    pub async fn open(url: &str, offset: UtcOffset) -> Result<Store, StoreError> {
        Store::open_with(url, Some(Zones::single(offset))).await
    }

    /// Opens and migrates the database for units in the time zones `zones`.
    pub async fn open_zones(url: &str, zones: Zones) -> Result<Store, StoreError> {
        Store::open_with(url, Some(zones)).await
    }

    /// Opens and migrates the database for account commands: the per-day tables are left as
    /// they are (they belong to the office's time zone, which such a command does not know).
    pub async fn open_for_accounts(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, None).await
    }

    async fn open_with(url: &str, rebuild_for: Option<Zones>) -> Result<Store, StoreError> {
        let zones = Arc::new(
            rebuild_for
                .clone()
                .unwrap_or_else(|| Zones::single(UtcOffset { minutes: 0 })),
        );
        sqlx::any::install_default_drivers();
        let (url, backend) = url::normalise_url(url)?;
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::new(StoreErrorKind::Open, e.to_string()))?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move { prepare_connection(conn, backend, Role::Reader, 0).await })
            })
            .connect_with(options.clone())
            .await
            .map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Open,
                    format!("cannot open {backend} database: {e}"),
                )
            })?;
        migrate::migrate(&pool).await?;
        migrate::make_audit_append_only(&pool, backend).await?;
        // Before the writer exists; a failure stops the server's start.
        if let Some(zones) = &rebuild_for {
            migrate::ensure_derived_tables(&pool, zones).await?;
        }
        let (writer, inbox) = mpsc::channel(1024);
        let page_cap = Arc::new(AtomicU64::new(0));
        let task = WriterTask {
            options,
            backend,
            context: WriteContext {
                zones: zones.clone(),
            },
            page_cap: page_cap.clone(),
            connection: None,
        };
        tokio::spawn(task.run(inbox));
        Ok(Store {
            pool,
            backend,
            zones,
            writer,
            page_cap,
        })
    }

    /// Caps the SQLite file at `pages` pages (`max_page_count`) from the writer's next batch
    /// on; None lifts the cap. A real SQLite limit, used to reproduce a full disk in tests.
    pub fn cap_sqlite_pages(&self, pages: Option<u64>) {
        self.page_cap.store(pages.unwrap_or(0), Ordering::SeqCst);
    }

    /// Stops the writer after the writes already queued, and closes every connection.
    pub async fn close(&self) {
        let (done, stopped) = oneshot::channel();
        if self.writer.send(Message::Close(done)).await.is_ok() {
            let _ = stopped.await;
        }
        self.pool.close().await;
    }

    /// Hands one write to the writer task and waits until it is committed (or failed).
    async fn write<J: WriteJob>(&self, job: J) -> Result<J::Reply, StoreError> {
        let stopped = || {
            StoreError::new(
                StoreErrorKind::Unreachable,
                "the database writer has stopped",
            )
        };
        let (message, answer) = writer::message(job);
        self.writer.send(message).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// A consistent view for a report's reads; dropped, it ends (it never writes).
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let begin = match self.backend {
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            Backend::Sqlite => "BEGIN",
        };
        let tx = self.pool.begin_with(AssertSqlSafe(begin)).await?;
        Ok(Snapshot {
            tx,
            zones: self.zones.clone(),
            unit: String::new(),
        })
    }

    /// Stores a response once per id; a replay is recognised, a different body under the same
    /// id refused. Returns only once the outcome is durably committed.
    pub async fn insert(&self, r: NewResponse) -> Result<Insert, StoreError> {
        self.write(responses::InsertResponse(Box::new(r))).await
    }

    /// Reserves `count` service-code serials of `service` for codes issued on `day` at
    /// `by.unit`, recorded in the audit trail; the first serial, or None when the day's
    /// collector serials would run out.
    pub async fn reserve_code_serials(
        &self,
        service: &Slug,
        day: ikm_core::time::Date,
        count: u32,
        at: i64,
        by: Actor,
    ) -> Result<Option<u32>, StoreError> {
        self.write(codes::ReserveSerials {
            service: service.clone(),
            day,
            count,
            at,
            by,
        })
        .await
    }

    /// Marks the suggestion of the response `id` (a complaint, shown on the screen).
    pub async fn mark_suggestion(
        &self,
        id: String,
        marks: SuggestionMarks,
        at: i64,
        by: Actor,
    ) -> Result<MarkOutcome, StoreError> {
        self.write(suggestions::MarkSuggestion { id, marks, at, by })
            .await
    }

    /// Excludes responses of `by.unit` from the recap, or counts them again: all or none
    /// (see [`ReviewOutcome`]), each change in the audit trail.
    pub async fn review(
        &self,
        ids: Vec<String>,
        change: ReviewChange,
        at: i64,
        by: Actor,
    ) -> Result<ReviewOutcome, StoreError> {
        self.write(review::Review {
            ids,
            change,
            at,
            by,
        })
        .await
    }

    /// Records the number of service users of `month` (for `service`, or none: the office).
    pub async fn set_population(
        &self,
        month: Period,
        service: Option<&Slug>,
        population: u64,
        at: i64,
        by: Actor,
    ) -> Result<(), StoreError> {
        self.write(office::SetPopulation {
            month,
            service: service.cloned(),
            population,
            at,
            by,
        })
        .await
    }

    /// Closes `period`: freezes its recap at the last response stored now. Closing a closed
    /// period returns the first closure.
    pub async fn close_period(
        &self,
        period: Period,
        at: i64,
        by: Actor,
    ) -> Result<Closure, StoreError> {
        self.write(office::ClosePeriod { period, at, by }).await
    }

    /// Reopens `period`, recording why; returns the closure it removed (None: it was open).
    pub async fn reopen_period(
        &self,
        period: Period,
        at: i64,
        note: Option<String>,
        by: Actor,
    ) -> Result<Option<Closure>, StoreError> {
        self.write(office::ReopenPeriod {
            period,
            at,
            note,
            by,
        })
        .await
    }

    /// Stores a new follow-up action.
    pub async fn create_follow_up(&self, follow_up: FollowUp, by: Actor) -> Result<(), StoreError> {
        self.write(office::CreateFollowUp { follow_up, by }).await
    }

    /// Replaces a follow-up action's fields; false when no action has this id.
    pub async fn update_follow_up(
        &self,
        id: &str,
        input: FollowUpInput,
        at: i64,
        by: Actor,
    ) -> Result<bool, StoreError> {
        self.write(office::UpdateFollowUp {
            id: id.to_string(),
            input,
            at,
            by,
        })
        .await
    }

    /// Deletes a follow-up action; false when no action has this id.
    pub async fn delete_follow_up(&self, id: &str, at: i64, by: Actor) -> Result<bool, StoreError> {
        self.write(office::DeleteFollowUp {
            id: id.to_string(),
            at,
            by,
        })
        .await
    }

    /// The number of stored responses, all periods.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// The time zone the per-day tables keep responses of no configured unit in.
    pub fn offset(&self) -> UtcOffset {
        self.zones.default
    }

    /// Files the office records of a single office kept without a unit id (before it named
    /// one, or before deployments had units) under `unit`, so they stay the office's own.
    pub async fn adopt_unnamed_records(&self, unit: &str) -> Result<(), StoreError> {
        migrate::adopt_unnamed_records(&self.pool, unit).await
    }

    /// The pool, for bulk loading in benchmarks and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Which part of the store a connection serves; PostgreSQL shows it as `application_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Reader,
    Writer,
}

/// Settings every connection gets; `page_cap` > 0 caps a SQLite file at that many pages.
async fn prepare_connection(
    conn: &mut AnyConnection,
    backend: Backend,
    role: Role,
    page_cap: u64,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        let name = match role {
            Role::Reader => "SET application_name = 'ikm-reader'",
            Role::Writer => "SET application_name = 'ikm-writer'",
        };
        sqlx::query(name).execute(&mut *conn).await?;
        return Ok(());
    }
    // WAL: readers never block the writer. synchronous = FULL: each commit syncs the WAL, so
    // a committed (acknowledged) response survives a power loss, not only a process crash;
    // group commit keeps that to one sync per batch.
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA busy_timeout = 10000",
    ] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    // SQLite's own default and largest value when uncapped.
    let pages = if page_cap == 0 {
        4_294_967_294
    } else {
        page_cap
    };
    sqlx::query(AssertSqlSafe(format!("PRAGMA max_page_count = {pages}")))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
