//! Storage of responses in SQLite (default, embedded) or PostgreSQL, through one code path.
//!
//! sqlx's `Any` driver picks the database from the URL; the SQL is portable (`$n`
//! placeholders, `ON CONFLICT DO NOTHING`), so no query exists twice.
//!
//! **Writes** go to one writer task that owns its own connection (never one from the pool)
//! and commits every waiting write in one transaction (group commit: one disk sync per batch).
//! A caller is answered only after `COMMIT` returned, so an acknowledgement means the data is
//! on disk. After any database error the writer drops its connection and every caller of
//! that batch gets the error; the next batch opens a fresh connection, so the server recovers
//! by itself (e.g. when disk space returns). Why not a pooled connection: when SQLite rolls a
//! transaction back by itself (it does on `SQLITE_FULL`), sqlx's own transaction counter is
//! left at one open transaction, so that connection's later `begin()`/`commit()` become
//! `SAVEPOINT`/`RELEASE` inside a transaction that is never committed — acknowledged, then lost.
//! **Reads** (reports, export) use the pool, which never writes.

use ikm_core::profile::{age_band, ProfileDistribution, AGE_BANDS};
use ikm_core::questionnaire::Choice;
use ikm_core::time::{Date, UtcOffset};
use ikm_core::{Element, ScoreTally, Submission};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Connection, Row};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Which SQL engine stores the responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// What kind of database failure happened; decides the reply (all but `Open` are a 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// No room left: SQLite's `SQLITE_FULL`, PostgreSQL's `disk_full` (53100).
    Full,
    /// Locked or busy for longer than the timeout.
    Busy,
    /// The database cannot be reached: connection, I/O, pool exhausted, writer stopped.
    Unreachable,
    /// A stored value cannot be read back.
    Data,
    /// The database could not be opened: a bad URL, a failed migration.
    Open,
    /// Any other error the database returned.
    Database,
}

/// A database failure: its kind and the database's own message (for the log, never the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub kind: StoreErrorKind,
    pub detail: String,
}

impl StoreError {
    fn new(kind: StoreErrorKind, detail: impl Into<String>) -> StoreError {
        StoreError {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let kind = match &e {
            sqlx::Error::Database(db) => db
                .code()
                .map_or(StoreErrorKind::Database, |code| classify_code(&code)),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => StoreErrorKind::Unreachable,
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreErrorKind::Data,
            sqlx::Error::Configuration(_) => StoreErrorKind::Open,
            _ => StoreErrorKind::Database,
        };
        StoreError::new(kind, e.to_string())
    }
}

/// The kind of a database error code: PostgreSQL's five-character SQLSTATE, or SQLite's
/// (extended) result code as sqlx gives it (`"13"`, `"261"`), whose low byte is the primary code.
fn classify_code(code: &str) -> StoreErrorKind {
    if code.len() == 5 {
        return match code {
            "53100" => StoreErrorKind::Full,
            c if c.starts_with("08") || c.starts_with("57P") => StoreErrorKind::Unreachable,
            c if c.starts_with("53") || c.starts_with("40") || c == "55P03" => StoreErrorKind::Busy,
            _ => StoreErrorKind::Database,
        };
    }
    match code.parse::<u32>().map(|c| c & 0xff) {
        Ok(13) => StoreErrorKind::Full,
        Ok(5 | 6) => StoreErrorKind::Busy,
        Ok(10 | 14) => StoreErrorKind::Unreachable,
        _ => StoreErrorKind::Database,
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::new(StoreErrorKind::Open, format!("migration failed: {e}"))
    }
}

/// What storing a response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    /// A new row.
    Stored,
    /// This id was stored before with the same body: an idempotent replay.
    AlreadyStored,
    /// This id was stored before with a different body.
    Conflict,
}

/// A validated response with the server's own timestamps.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub submission: Submission,
    /// The canonical JSON of `submission`.
    pub body: String,
    pub submitted_at: i64,
    pub received_at: i64,
    pub period_at: i64,
}

/// One write the writer task performs inside a batch's transaction.
enum Write {
    Response(Box<NewResponse>),
}

/// What one [`Write`] did.
enum Written {
    Response(Insert),
}

/// A message to the writer task: a write and where its outcome goes, or a request to stop.
enum Job {
    Write {
        write: Write,
        reply: oneshot::Sender<Result<Written, StoreError>>,
    },
    Close(oneshot::Sender<()>),
}

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 64;

/// Which responses a report or export covers: `period_at` in `[from, to)` (whole office-local
/// days) and optional equalities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub from: i64,
    pub to: i64,
    pub unit: Option<String>,
    pub service: Option<String>,
    pub counter: Option<String>,
}

impl Filter {
    /// `WHERE …` over `responses` with `$n` placeholders from `$1`, and the values to bind in order.
    fn sql(&self) -> (String, Vec<FilterValue>) {
        self.sql_with("period_at", self.from, self.to)
    }

    /// The same filter over `daily_totals`, whose rows are office-local days.
    fn days_sql(&self, offset: UtcOffset) -> (String, Vec<FilterValue>) {
        let day = |at: i64| offset.local_date(at).days_since_epoch();
        self.sql_with("day", day(self.from), day(self.to))
    }

    fn sql_with(&self, column: &str, from: i64, to: i64) -> (String, Vec<FilterValue>) {
        let mut sql = format!("{column} >= $1 AND {column} < $2");
        let mut values = vec![FilterValue::Int(from), FilterValue::Int(to)];
        for (column, value) in [
            ("unit", &self.unit),
            ("service", &self.service),
            ("counter", &self.counter),
        ] {
            if let Some(v) = value {
                values.push(FilterValue::Text(v.clone()));
                sql.push_str(&format!(" AND {column} = ${}", values.len()));
            }
        }
        (sql, values)
    }
}

enum FilterValue {
    Int(i64),
    Text(String),
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind_all(mut query: AnyQuery<'_>, values: Vec<FilterValue>) -> AnyQuery<'_> {
    for v in values {
        query = match v {
            FilterValue::Int(i) => query.bind(i),
            FilterValue::Text(t) => query.bind(t),
        };
    }
    query
}

/// Everything a recap needs, summed by the database in one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub tally: ScoreTally,
    pub profile: ProfileDistribution,
    /// Responses per service id.
    pub services: BTreeMap<String, u64>,
    /// Responses per counter (`-` for none).
    pub counters: BTreeMap<String, u64>,
}

/// One stored response for export.
pub struct StoredRow {
    pub submission: Submission,
    pub received_at: i64,
}

// Every dynamic SQL string here is assembled from constant fragments and element keys; values are always bound.

/// Column names of the nine elements, in form order (they equal the element keys).
fn element_columns() -> String {
    Element::ALL
        .iter()
        .map(|e| e.key())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key of a `daily_totals` row: an office-local day and one profile combination.
const DAILY_KEY: &str = "day, unit, service, counter, gender, age_band, education, occupation";

/// Stores one response unless its id exists; built once, since it runs for every submission.
static INSERT_RESPONSE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO responses (id, body, survey, unit, service, counter, lang, submitted_at, received_at, period_at, \
         gender, age, education, occupation, {}, suggestion) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) ON CONFLICT (id) DO NOTHING",
        element_columns()
    )
});

/// Adds one new response to its day's totals; built once, like [`INSERT_RESPONSE`].
static ADD_TO_TOTALS: LazyLock<String> = LazyLock::new(|| {
    let updates = Element::ALL
        .iter()
        .map(|e| format!("{0} = daily_totals.{0} + excluded.{0}", e.key()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO daily_totals ({DAILY_KEY}, respondents, {}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT ({DAILY_KEY}) \
         DO UPDATE SET respondents = daily_totals.respondents + 1, {updates}",
        element_columns()
    )
});

/// The database of responses. Cheap to clone: clones share the pool and the writer.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Which SQL engine is behind the pool.
    pub backend: Backend,
    /// The office time zone, which decides the day of each response in `daily_totals`.
    offset: UtcOffset,
    writer: mpsc::Sender<Job>,
    /// SQLite's `max_page_count` for the writer's connection (0: no cap), see [`Store::cap_sqlite_pages`].
    page_cap: Arc<AtomicU64>,
}

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`
    /// (`sqlite://PATH` or `postgres://USER@HOST/DB`) for an office in time zone `offset`.
    pub async fn open(url: &str, offset: UtcOffset) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
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
        sqlx::migrate!("./migrations").run(&pool).await?;
        let (writer, jobs) = mpsc::channel(1024);
        let page_cap = Arc::new(AtomicU64::new(0));
        let store = Store {
            pool,
            backend,
            offset,
            writer,
            page_cap: page_cap.clone(),
        };
        store.ensure_totals().await?;
        let task = WriterTask {
            options,
            backend,
            offset,
            page_cap,
            connection: None,
        };
        tokio::spawn(task.run(jobs));
        Ok(store)
    }

    /// Caps the SQLite file at `pages` pages (`max_page_count`) from the writer's next batch
    /// on; None lifts the cap. A real SQLite limit, used to reproduce a full disk in tests.
    pub fn cap_sqlite_pages(&self, pages: Option<u64>) {
        self.page_cap.store(pages.unwrap_or(0), Ordering::SeqCst);
    }

    /// Stops the writer after the writes already queued, and closes every connection.
    pub async fn close(&self) {
        let (done, stopped) = oneshot::channel();
        if self.writer.send(Job::Close(done)).await.is_ok() {
            let _ = stopped.await;
        }
        self.pool.close().await;
    }

    /// Rebuilds `daily_totals` from `responses` when they were kept for another time zone (or never).
    async fn ensure_totals(&self) -> Result<(), StoreError> {
        let wanted = self.offset.minutes.to_string();
        let stored: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'utc_offset_minutes'")
                .fetch_optional(&self.pool)
                .await?;
        if stored.as_deref() == Some(wanted.as_str()) {
            return Ok(());
        }
        let band = AGE_BANDS
            .iter()
            .enumerate()
            .map(|(i, (label, low))| match AGE_BANDS.get(i + 1) {
                Some((_, high)) => format!("WHEN age >= {low} AND age < {high} THEN '{label}'"),
                None => format!("ELSE '{label}'"),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let sums = Element::ALL
            .iter()
            .map(|e| format!("SUM({})", e.key()))
            .collect::<Vec<_>>()
            .join(", ");
        let rebuild = format!(
            "INSERT INTO daily_totals ({DAILY_KEY}, respondents, {}) \
             SELECT (period_at + $1) / 86400, COALESCE(unit, ''), service, COALESCE(counter, ''), gender, CASE {band} END, \
             education, occupation, COUNT(*), {sums} FROM responses GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            element_columns()
        );
        // Before the writer exists, so this is the only writer; a failure stops the server's start.
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM daily_totals")
            .execute(&mut *tx)
            .await?;
        sqlx::query(AssertSqlSafe(rebuild))
            .bind(i64::from(self.offset.minutes) * 60)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM meta WHERE key = 'utc_offset_minutes'")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ('utc_offset_minutes', $1)")
            .bind(wanted)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands one write to the writer task and waits until it is committed (or failed).
    async fn write(&self, write: Write) -> Result<Written, StoreError> {
        let stopped = || {
            StoreError::new(
                StoreErrorKind::Unreachable,
                "the database writer has stopped",
            )
        };
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Job::Write { write, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Stores a response once per id; a replay is recognised, a different body under the same
    /// id refused. Returns only once the outcome is durably committed.
    pub async fn insert(&self, r: NewResponse) -> Result<Insert, StoreError> {
        match self.write(Write::Response(Box::new(r))).await? {
            Written::Response(insert) => Ok(insert),
        }
    }

    /// Scores, profile and counts per service and counter for the responses in `filter`,
    /// summed from `daily_totals` (a few rows per day) rather than from every response.
    pub async fn aggregate(&self, filter: &Filter) -> Result<Aggregate, StoreError> {
        let (condition, values) = filter.days_sql(self.offset);
        let sql = format!(
            "SELECT service, counter, gender, age_band, education, occupation, CAST(SUM(respondents) AS BIGINT), {} \
             FROM daily_totals WHERE {condition} GROUP BY service, counter, gender, age_band, education, occupation",
            // PostgreSQL sums BIGINT into NUMERIC; the cast keeps one integer type on both databases.
            Element::ALL.iter().map(|e| format!("CAST(SUM({}) AS BIGINT)", e.key())).collect::<Vec<_>>().join(", ")
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        let mut total = Aggregate {
            tally: ScoreTally::default(),
            profile: ProfileDistribution::new(),
            services: BTreeMap::new(),
            counters: BTreeMap::new(),
        };
        for row in &rows {
            let text = |i: usize| row.try_get::<String, _>(i);
            let (service, counter) = (text(0)?, text(1)?);
            let tally = read_tally(row, 6)?;
            let respondents = tally.respondents;
            total.tally.merge(&tally);
            total.profile.gender.add(&text(2)?, respondents);
            total.profile.age.add(&text(3)?, respondents);
            total.profile.education.add(&text(4)?, respondents);
            total.profile.occupation.add(&text(5)?, respondents);
            *total.services.entry(service).or_insert(0) += respondents;
            let counter = if counter.is_empty() {
                "-".to_string()
            } else {
                counter
            };
            *total.counters.entry(counter).or_insert(0) += respondents;
        }
        Ok(total)
    }

    /// Score tallies per office-local month from `filter.from` to `filter.to` (for a trend),
    /// in one query: the days' totals, folded into months here.
    pub async fn monthly(&self, filter: &Filter) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
        let (condition, values) = filter.days_sql(self.offset);
        let sql = format!(
            "SELECT day, CAST(SUM(respondents) AS BIGINT), {} FROM daily_totals WHERE {condition} \
             GROUP BY day ORDER BY day",
            Element::ALL
                .iter()
                .map(|e| format!("CAST(SUM({}) AS BIGINT)", e.key()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        let mut months: Vec<(Date, ScoreTally)> = Vec::new();
        for row in &rows {
            let day: i64 = row.try_get(0)?;
            let month = Date::from_days_since_epoch(day).first_of_month();
            let tally = read_tally(row, 1)?;
            match months.last_mut() {
                Some((m, total)) if *m == month => total.merge(&tally),
                _ => months.push((month, tally)),
            }
        }
        Ok(months)
    }

    /// The stored responses in `filter`, oldest first, for export.
    pub async fn rows(&self, filter: &Filter) -> Result<Vec<StoredRow>, StoreError> {
        let (condition, values) = filter.sql();
        let sql = format!(
            "SELECT body, received_at FROM responses WHERE {condition} ORDER BY period_at, id"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let body: String = row.try_get(0)?;
                let submission = Submission::from_json(&body).map_err(|e| {
                    StoreError::new(
                        StoreErrorKind::Data,
                        format!("stored response is not valid JSON: {e}"),
                    )
                })?;
                Ok(StoredRow {
                    submission,
                    received_at: row.try_get(1)?,
                })
            })
            .collect()
    }

    /// The newest suggestions in `filter` as (period instant, service, text), at most `limit`.
    pub async fn suggestions(
        &self,
        filter: &Filter,
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        let (condition, mut values) = filter.sql();
        values.push(FilterValue::Int(limit));
        let sql = format!(
            "SELECT period_at, service, suggestion FROM responses WHERE {condition} AND suggestion IS NOT NULL \
             ORDER BY period_at DESC LIMIT ${}",
            values.len()
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// The number of stored responses, all periods.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// Whether a response with this id is stored.
    pub async fn contains(&self, id: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM responses WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// The office time zone the daily totals are kept in.
    pub fn offset(&self) -> UtcOffset {
        self.offset
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

/// The one writer: owns a connection of its own, which it drops after any error.
struct WriterTask {
    options: AnyConnectOptions,
    backend: Backend,
    offset: UtcOffset,
    page_cap: Arc<AtomicU64>,
    /// The open connection and the page cap applied to it; None after an error.
    connection: Option<(AnyConnection, u64)>,
}

impl WriterTask {
    /// Takes every waiting write (up to [`MAX_BATCH`]) into one transaction until told to close.
    async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        while let Some(first) = jobs.recv().await {
            let mut batch = Vec::new();
            let mut close = None;
            let mut job = Some(first);
            while let Some(next) = job.take() {
                match next {
                    Job::Write { write, reply } => batch.push((write, reply)),
                    Job::Close(done) => {
                        close = Some(done);
                        break;
                    }
                }
                if batch.len() < MAX_BATCH {
                    job = jobs.try_recv().ok();
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
    async fn commit(&mut self, batch: Vec<(Write, oneshot::Sender<Result<Written, StoreError>>)>) {
        let (writes, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let reused = self.connection.is_some();
        let mut result = self.write_batch(&writes).await;
        if reused && matches!(&result, Err(e) if e.kind == StoreErrorKind::Unreachable) {
            // The kept connection had died while idle (a database restart, a network cut):
            // once more on a fresh one. Safe to repeat: a response committed by the first try
            // is recognised by its id.
            result = self.write_batch(&writes).await;
        }
        match result {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                // `write_batch` has dropped the connection: the next batch opens a fresh one.
                tracing::error!(
                    kind = ?e.kind,
                    writes = writes.len(),
                    error = %e.detail,
                    "a batch of writes was not committed; its callers get 503"
                );
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }

    async fn write_batch(&mut self, writes: &[Write]) -> Result<Vec<Written>, StoreError> {
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
        let result = write_in_transaction(&mut conn, writes, self.offset).await;
        // Kept only on success; on error the connection is dropped here.
        if result.is_ok() {
            self.connection = Some((conn, cap));
        } else {
            let _ = conn.close_hard().await;
        }
        result
    }
}

/// Performs `writes` in one transaction on `conn`.
async fn write_in_transaction(
    conn: &mut AnyConnection,
    writes: &[Write],
    offset: UtcOffset,
) -> Result<Vec<Written>, StoreError> {
    let mut tx = conn.begin().await?;
    let mut outcomes = Vec::with_capacity(writes.len());
    for write in writes {
        outcomes.push(match write {
            Write::Response(r) => Written::Response(insert_response(&mut tx, r, offset).await?),
        });
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Inserts one response inside `tx`, adding it to the daily totals only if it is new.
async fn insert_response(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    r: &NewResponse,
    offset: UtcOffset,
) -> Result<Insert, StoreError> {
    let s = &r.submission;
    let resp = &s.respondent;
    let mut query = sqlx::query(AssertSqlSafe(INSERT_RESPONSE.as_str()))
        .bind(s.id.clone())
        .bind(r.body.clone())
        .bind(s.survey.clone())
        .bind(s.unit.clone())
        .bind(s.service.clone().unwrap_or_default())
        .bind(s.counter.clone())
        .bind(s.lang.code())
        .bind(r.submitted_at)
        .bind(r.received_at)
        .bind(r.period_at)
        .bind(resp.gender.map_or("", |g| g.code()))
        .bind(i64::from(resp.age.unwrap_or_default()))
        .bind(resp.education.map_or("", |e| e.code()))
        .bind(resp.occupation.map_or("", |o| o.code()));
    for e in Element::ALL {
        query = query.bind(i64::from(s.answers.get(e).unwrap_or_default()));
    }
    let done = query.bind(s.suggestion.clone()).execute(&mut **tx).await?;
    if done.rows_affected() == 1 {
        add_to_totals(tx, r, offset).await?;
        return Ok(Insert::Stored);
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT body FROM responses WHERE id = $1")
        .bind(s.id.clone())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(if stored.as_deref() == Some(r.body.as_str()) {
        Insert::AlreadyStored
    } else {
        Insert::Conflict
    })
}

/// Adds a newly stored response to its day's totals, inside the insert's transaction.
async fn add_to_totals(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    r: &NewResponse,
    offset: UtcOffset,
) -> Result<(), StoreError> {
    let s = &r.submission;
    let resp = &s.respondent;
    let mut query = sqlx::query(AssertSqlSafe(ADD_TO_TOTALS.as_str()))
        .bind(offset.local_date(r.period_at).days_since_epoch())
        .bind(s.unit.clone().unwrap_or_default())
        .bind(s.service.clone().unwrap_or_default())
        .bind(s.counter.clone().unwrap_or_default())
        .bind(resp.gender.map_or("", |g| g.code()))
        .bind(age_band(resp.age.unwrap_or_default()))
        .bind(resp.education.map_or("", |e| e.code()))
        .bind(resp.occupation.map_or("", |o| o.code()));
    for e in Element::ALL {
        query = query.bind(i64::from(s.answers.get(e).unwrap_or_default()));
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// A tally from an aggregate row: the respondents at column `start`, then the nine
/// elements' score sums (every stored response answered all nine).
fn read_tally(row: &AnyRow, start: usize) -> Result<ScoreTally, StoreError> {
    let count = |index: usize| -> Result<u64, StoreError> {
        let value: i64 = row.try_get(index)?;
        Ok(u64::try_from(value).unwrap_or_default())
    };
    let respondents = count(start)?;
    let mut tally = ScoreTally {
        respondents,
        ..ScoreTally::default()
    };
    for e in Element::ALL {
        tally.sums[e.index()] = count(start + 1 + e.index())?;
        tally.answered[e.index()] = respondents;
    }
    Ok(tally)
}

/// Accepts `sqlite://PATH`, `sqlite:PATH` or `postgres://…`; SQLite files (and their folder) are created.
fn normalise_url(url: &str) -> Result<(String, Backend), StoreError> {
    let open_error = |detail: String| StoreError::new(StoreErrorKind::Open, detail);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_string(), Backend::Postgres));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            open_error(format!(
                "unsupported database URL `{}`: use sqlite://PATH or postgres://…",
                redact_url(url)
            ))
        })?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() {
        return Err(open_error(
            "the SQLite URL names no file: use sqlite://ikm.db".into(),
        ));
    }
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| open_error(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok((format!("sqlite://{path}?mode=rwc"), Backend::Sqlite))
}

/// A database URL fit to print: the password (if any) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_a_printed_url() {
        assert_eq!(
            redact_url("postgres://ikm:s3cr%40t@db.example:5432/ikm?sslmode=require"),
            "postgres://ikm:***@db.example:5432/ikm?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://ikm@127.0.0.1/ikm"),
            "postgres://ikm@127.0.0.1/ikm"
        );
        assert_eq!(redact_url("sqlite://data/ikm.db"), "sqlite://data/ikm.db");
        assert_eq!(redact_url("postgres://a:b:c@h/d"), "postgres://a:***@h/d");
    }

    #[test]
    fn database_codes_keep_their_kind() {
        assert_eq!(classify_code("13"), StoreErrorKind::Full, "SQLITE_FULL");
        assert_eq!(
            classify_code("261"),
            StoreErrorKind::Busy,
            "SQLITE_BUSY_RECOVERY"
        );
        assert_eq!(
            classify_code("53100"),
            StoreErrorKind::Full,
            "PostgreSQL disk_full"
        );
        assert_eq!(classify_code("08006"), StoreErrorKind::Unreachable);
        assert_eq!(
            classify_code("42509"),
            StoreErrorKind::Database,
            "not SQLite's 13"
        );
        assert_eq!(
            classify_code("19"),
            StoreErrorKind::Database,
            "SQLITE_CONSTRAINT"
        );
    }
}
