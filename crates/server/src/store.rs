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

use ikm_core::followup::{FollowUp, FollowUpInput};
use ikm_core::ipk::ModuleTally;
use ikm_core::period::Period;
use ikm_core::profile::{age_band, ProfileDistribution, AGE_BANDS};
use ikm_core::questionnaire::{Choice, Module};
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

/// One write the writer task performs inside a batch's transaction. Every write goes through
/// the writer, so an admin's change is as durable as a response and never races one.
enum Write {
    Response(Box<NewResponse>),
    Population {
        month: Period,
        service: String,
        population: u64,
        at: i64,
    },
    Close {
        period: Period,
        /// The period's first and last instant (`period_at` in `[from, to)`).
        from: i64,
        to: i64,
        at: i64,
    },
    Reopen {
        period: Period,
        at: i64,
        note: Option<String>,
    },
    FollowUpCreate(Box<FollowUp>),
    FollowUpUpdate {
        id: String,
        input: Box<FollowUpInput>,
        at: i64,
    },
    FollowUpDelete {
        id: String,
    },
}

/// What one [`Write`] did.
enum Written {
    Response(Insert),
    Done,
    Closure(Closure),
    /// The closure a reopen removed, if the period was closed.
    Reopened(Option<Closure>),
    /// Whether the follow-up existed.
    Found(bool),
}

/// A closed period: its recap is frozen at the response stored as number `last_seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub period: Period,
    pub closed_at: i64,
    pub last_seq: i64,
    /// The period's respondents when it was closed.
    pub respondents: u64,
}

/// One close or reopen, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodEvent {
    pub period: String,
    pub action: String,
    pub at: i64,
    pub respondents: u64,
    pub note: Option<String>,
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

    /// The same filter over `daily_counts`, whose rows are office-local days.
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
    /// Score counts per service id.
    pub per_service: BTreeMap<String, ScoreTally>,
    /// Responses per service id.
    pub services: BTreeMap<String, u64>,
    /// Responses per counter (`-` for none).
    pub counters: BTreeMap<String, u64>,
}

impl Aggregate {
    fn empty() -> Aggregate {
        Aggregate {
            tally: ScoreTally::default(),
            profile: ProfileDistribution::new(),
            per_service: BTreeMap::new(),
            services: BTreeMap::new(),
            counters: BTreeMap::new(),
        }
    }

    /// Adds one aggregate row: a profile combination of `service` and `counter` and its tally.
    fn add_row(
        &mut self,
        service: String,
        counter: String,
        profile: [&str; 4],
        tally: &ScoreTally,
    ) {
        let n = tally.respondents;
        self.tally.merge(tally);
        let [gender, age, education, occupation] = profile;
        self.profile.gender.add(gender, n);
        self.profile.age.add(age, n);
        self.profile.education.add(education, n);
        self.profile.occupation.add(occupation, n);
        *self.services.entry(service.clone()).or_insert(0) += n;
        self.per_service.entry(service).or_default().merge(tally);
        let counter = if counter.is_empty() {
            "-".to_string()
        } else {
            counter
        };
        *self.counters.entry(counter).or_insert(0) += n;
    }

    /// Takes away a part of these responses (the late ones of a closed period): counts are
    /// exact integers, so what remains is exactly the aggregate without them.
    pub fn subtract(&mut self, part: &Aggregate) {
        self.tally.subtract(&part.tally);
        self.profile.subtract(&part.profile);
        for (service, tally) in &part.per_service {
            if let Some(mine) = self.per_service.get_mut(service) {
                mine.subtract(tally);
            }
        }
        for (mine, theirs) in [
            (&mut self.services, &part.services),
            (&mut self.counters, &part.counters),
        ] {
            for (key, n) in theirs {
                if let Some(m) = mine.get_mut(key) {
                    *m = m.saturating_sub(*n);
                }
            }
        }
    }
}

/// Which responses a late-arrival query counts: those stored after `last_seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredAfter(pub i64);

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

/// The `daily_counts` columns of every element's score counts: `persyaratan_1` … `pengaduan_4`.
fn count_columns() -> Vec<String> {
    Element::ALL
        .iter()
        .flat_map(|e| (1..=4).map(move |score| format!("{}_{score}", e.key())))
        .collect()
}

/// The select list summing every count column of `daily_counts`.
fn summed_counts() -> String {
    // PostgreSQL sums BIGINT into NUMERIC; the cast keeps one integer type on both databases.
    count_columns()
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The select list counting every element's scores straight from `responses`.
fn counted_scores() -> String {
    Element::ALL
        .iter()
        .flat_map(|e| {
            (1..=4).map(move |score| {
                format!(
                    "CAST(SUM(CASE WHEN {} = {score} THEN 1 ELSE 0 END) AS BIGINT)",
                    e.key()
                )
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CASE … END` giving a response's age band from its `age` column.
fn age_band_sql() -> String {
    let arms = AGE_BANDS
        .iter()
        .enumerate()
        .map(|(i, (label, low))| match AGE_BANDS.get(i + 1) {
            Some((_, high)) => format!("WHEN age >= {low} AND age < {high} THEN '{label}'"),
            None => format!("ELSE '{label}'"),
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!("CASE {arms} END")
}

/// The key of a `daily_counts` row: an office-local day and one profile combination.
const DAILY_KEY: &str = "day, unit, service, counter, gender, age_band, education, occupation";

/// Stores one response unless its id exists, numbered after the last one stored; built once,
/// since it runs for every submission.
static INSERT_RESPONSE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO responses (id, body, survey, unit, service, counter, lang, submitted_at, received_at, period_at, \
         gender, age, education, occupation, {}, suggestion, seq) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM responses)) ON CONFLICT (id) DO NOTHING",
        element_columns()
    )
});

/// Adds one new response to its day's counts; built once, like [`INSERT_RESPONSE`].
static ADD_TO_COUNTS: LazyLock<String> = LazyLock::new(|| {
    let columns = count_columns();
    let updates = columns
        .iter()
        .map(|c| format!("{c} = daily_counts.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let values = (9..9 + columns.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO daily_counts ({DAILY_KEY}, respondents, {}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, {values}) \
         ON CONFLICT ({DAILY_KEY}) \
         DO UPDATE SET respondents = daily_counts.respondents + 1, {updates}",
        columns.join(", ")
    )
});

/// The meta key recording the time zone `daily_counts` was built for.
const COUNTS_OFFSET_KEY: &str = "daily_counts_utc_offset_minutes";
/// The meta key recording that `module_answers` holds every stored response's modules.
const MODULES_FILLED_KEY: &str = "module_answers_filled";
/// The meta key recording the time zone `daily_module_counts` was built for.
const MODULE_COUNTS_OFFSET_KEY: &str = "daily_module_counts_utc_offset_minutes";

/// Adds one module answer (or, with item `''` and score 0, one respondent of the module) to
/// its day's module counts.
const ADD_TO_MODULE_COUNTS: &str = "INSERT INTO daily_module_counts \
     (day, unit, service, counter, module, item, score, answers) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) \
     ON CONFLICT (day, unit, service, counter, module, item, score) \
     DO UPDATE SET answers = daily_module_counts.answers + 1";

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

    /// Rebuilds `daily_counts` from `responses` when they were kept for another time zone (or
    /// never), and fills `module_answers` once for responses stored before it existed.
    async fn ensure_totals(&self) -> Result<(), StoreError> {
        let wanted = self.offset.minutes.to_string();
        let meta = |key: &'static str| {
            sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
        };
        // Before the writer exists, so this is the only writer; a failure stops the server's start.
        if meta(COUNTS_OFFSET_KEY).await?.as_deref() != Some(wanted.as_str()) {
            let columns = count_columns().join(", ");
            let rebuild = format!(
                "INSERT INTO daily_counts ({DAILY_KEY}, respondents, {columns}) \
                 SELECT (period_at + $1) / 86400, COALESCE(unit, ''), service, COALESCE(counter, ''), gender, {}, \
                 education, occupation, COUNT(*), {} FROM responses GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
                age_band_sql(),
                counted_scores()
            );
            self.rebuild_daily("daily_counts", [rebuild], COUNTS_OFFSET_KEY, &wanted)
                .await?;
        }
        if meta(MODULES_FILLED_KEY).await?.is_none() {
            let mut tx = self.pool.begin().await?;
            let bodies: Vec<String> = sqlx::query_scalar(
                "SELECT body FROM responses WHERE body LIKE '%\"spkp\"%' OR body LIKE '%\"spak\"%'",
            )
            .fetch_all(&mut *tx)
            .await?;
            for body in bodies {
                if let Ok(submission) = Submission::from_json(&body) {
                    insert_module_answers(&mut tx, &submission, None).await?;
                }
            }
            set_meta(&mut tx, MODULES_FILLED_KEY, "1").await?;
            tx.commit().await?;
        }
        if meta(MODULE_COUNTS_OFFSET_KEY).await?.as_deref() != Some(wanted.as_str()) {
            let dimensions = "(r.period_at + $1) / 86400, COALESCE(r.unit, ''), r.service, COALESCE(r.counter, ''), m.module";
            let rebuilds = [
                format!(
                    "INSERT INTO daily_module_counts (day, unit, service, counter, module, item, score, answers) \
                     SELECT {dimensions}, m.item, m.score, COUNT(*) FROM module_answers m \
                     JOIN responses r ON r.id = m.response_id GROUP BY 1, 2, 3, 4, 5, 6, 7"
                ),
                format!(
                    "INSERT INTO daily_module_counts (day, unit, service, counter, module, item, score, answers) \
                     SELECT {dimensions}, '', CAST(0 AS SMALLINT), COUNT(DISTINCT m.response_id) FROM module_answers m \
                     JOIN responses r ON r.id = m.response_id GROUP BY 1, 2, 3, 4, 5"
                ),
            ];
            self.rebuild_daily(
                "daily_module_counts",
                rebuilds,
                MODULE_COUNTS_OFFSET_KEY,
                &wanted,
            )
            .await?;
        }
        Ok(())
    }

    /// Empties the per-day `table` and refills it with `rebuilds` (each bound to this store's
    /// offset in seconds as `$1`), recording `offset` under `meta_key`: one transaction.
    async fn rebuild_daily<const N: usize>(
        &self,
        table: &'static str,
        rebuilds: [String; N],
        meta_key: &str,
        offset: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
        for rebuild in rebuilds {
            sqlx::query(AssertSqlSafe(rebuild))
                .bind(i64::from(self.offset.minutes) * 60)
                .execute(&mut *tx)
                .await?;
        }
        set_meta(&mut tx, meta_key, offset).await?;
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
            _ => Err(unexpected()),
        }
    }

    /// Records the number of service users of `month` (for `service`, or `""`: the office).
    pub async fn set_population(
        &self,
        month: Period,
        service: &str,
        population: u64,
        at: i64,
    ) -> Result<(), StoreError> {
        let write = Write::Population {
            month,
            service: service.to_string(),
            population,
            at,
        };
        self.write(write).await.map(|_| ())
    }

    /// Closes `period` (its responses have `period_at` in `[from, to)`): freezes its recap at
    /// the last response stored now. Closing a closed period returns the first closure.
    pub async fn close_period(
        &self,
        period: Period,
        from: i64,
        to: i64,
        at: i64,
    ) -> Result<Closure, StoreError> {
        match self
            .write(Write::Close {
                period,
                from,
                to,
                at,
            })
            .await?
        {
            Written::Closure(c) => Ok(c),
            _ => Err(unexpected()),
        }
    }

    /// Reopens `period`, recording why; returns the closure it removed (None: it was open).
    pub async fn reopen_period(
        &self,
        period: Period,
        at: i64,
        note: Option<String>,
    ) -> Result<Option<Closure>, StoreError> {
        match self.write(Write::Reopen { period, at, note }).await? {
            Written::Reopened(c) => Ok(c),
            _ => Err(unexpected()),
        }
    }

    /// Stores a new follow-up action.
    pub async fn create_follow_up(&self, follow_up: FollowUp) -> Result<(), StoreError> {
        self.write(Write::FollowUpCreate(Box::new(follow_up)))
            .await
            .map(|_| ())
    }

    /// Replaces a follow-up action's fields; false when no action has this id.
    pub async fn update_follow_up(
        &self,
        id: &str,
        input: FollowUpInput,
        at: i64,
    ) -> Result<bool, StoreError> {
        let write = Write::FollowUpUpdate {
            id: id.to_string(),
            input: Box::new(input),
            at,
        };
        match self.write(write).await? {
            Written::Found(found) => Ok(found),
            _ => Err(unexpected()),
        }
    }

    /// Deletes a follow-up action; false when no action has this id.
    pub async fn delete_follow_up(&self, id: &str) -> Result<bool, StoreError> {
        match self
            .write(Write::FollowUpDelete { id: id.to_string() })
            .await?
        {
            Written::Found(found) => Ok(found),
            _ => Err(unexpected()),
        }
    }

    /// Scores, profile and counts per service and counter for the responses in `filter`,
    /// summed from `daily_counts` (a few rows per day) rather than from every response.
    pub async fn aggregate(&self, filter: &Filter) -> Result<Aggregate, StoreError> {
        let (condition, values) = filter.days_sql(self.offset);
        let sql = format!(
            "SELECT service, counter, gender, age_band, education, occupation, CAST(SUM(respondents) AS BIGINT), {} \
             FROM daily_counts WHERE {condition} GROUP BY service, counter, gender, age_band, education, occupation",
            summed_counts()
        );
        self.fold_aggregate(sql, values).await
    }

    /// The same aggregate over only the responses in `filter` stored after `after` (the late
    /// arrivals of a closed period), counted from `responses` itself.
    pub async fn aggregate_after(
        &self,
        filter: &Filter,
        after: StoredAfter,
    ) -> Result<Aggregate, StoreError> {
        let (condition, mut values) = filter.sql();
        values.push(FilterValue::Int(after.0));
        let sql = format!(
            "SELECT service, COALESCE(counter, ''), gender, {band}, education, occupation, COUNT(*), {scores} \
             FROM responses WHERE {condition} AND seq > ${n} \
             GROUP BY service, COALESCE(counter, ''), gender, {band}, education, occupation",
            band = age_band_sql(),
            scores = counted_scores(),
            n = values.len()
        );
        self.fold_aggregate(sql, values).await
    }

    async fn fold_aggregate(
        &self,
        sql: String,
        values: Vec<FilterValue>,
    ) -> Result<Aggregate, StoreError> {
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        let mut total = Aggregate::empty();
        for row in &rows {
            let text = |i: usize| row.try_get::<String, _>(i);
            let tally = read_tally(row, 6)?;
            let profile = [text(2)?, text(3)?, text(4)?, text(5)?];
            total.add_row(
                text(0)?,
                text(1)?,
                [&profile[0], &profile[1], &profile[2], &profile[3]],
                &tally,
            );
        }
        Ok(total)
    }

    /// How many responses in `filter` were stored after `after`.
    pub async fn count_after(
        &self,
        filter: &Filter,
        after: StoredAfter,
    ) -> Result<u64, StoreError> {
        let (condition, mut values) = filter.sql();
        values.push(FilterValue::Int(after.0));
        let sql = format!(
            "SELECT COUNT(*) FROM responses WHERE {condition} AND seq > ${}",
            values.len()
        );
        let n: i64 = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// The SPKP/SPAK answers of the responses in `filter`, one tally per module: summed from
    /// `daily_module_counts`, or with `after`, only the responses stored after it (the late
    /// arrivals of a closed period, few), counted from `module_answers` itself.
    pub async fn module_tallies(
        &self,
        filter: &Filter,
        after: Option<StoredAfter>,
    ) -> Result<Vec<ModuleTally>, StoreError> {
        let (sql, values) = match after {
            None => {
                let (condition, values) = filter.days_sql(self.offset);
                let sql = format!(
                    "SELECT module, item, score, CAST(SUM(answers) AS BIGINT) FROM daily_module_counts \
                     WHERE {condition} GROUP BY module, item, score"
                );
                (sql, values)
            }
            Some(after) => {
                let (condition, mut values) = filter.sql();
                values.push(FilterValue::Int(after.0));
                let late = format!("{condition} AND seq > ${}", values.len());
                let sql = format!(
                    "SELECT m.module, m.item, m.score, COUNT(*) FROM module_answers m \
                     JOIN responses ON responses.id = m.response_id WHERE {late} GROUP BY m.module, m.item, m.score \
                     UNION ALL SELECT m.module, '', CAST(0 AS SMALLINT), COUNT(DISTINCT m.response_id) FROM module_answers m \
                     JOIN responses ON responses.id = m.response_id WHERE {late} GROUP BY m.module"
                );
                (sql, values)
            }
        };
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        let mut tallies: Vec<ModuleTally> = Module::ALL.into_iter().map(ModuleTally::new).collect();
        for row in &rows {
            let module: String = row.try_get(0)?;
            let item: String = row.try_get(1)?;
            let score: i16 = row.try_get(2)?;
            let n = u64::try_from(row.try_get::<i64, _>(3)?).unwrap_or(0);
            let Some(tally) = tallies.iter_mut().find(|t| t.module.key() == module) else {
                continue;
            };
            if item.is_empty() {
                // The module's respondents (item '', score 0).
                tally.respondents += n;
            } else {
                tally.add_count(&item, u8::try_from(score).unwrap_or(0), n);
            }
        }
        Ok(tallies)
    }

    /// Score tallies per office-local month from `filter.from` to `filter.to` (for a trend),
    /// in one query: the days' counts, folded into months here.
    pub async fn monthly(&self, filter: &Filter) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
        let (condition, values) = filter.days_sql(self.offset);
        let sql = format!(
            "SELECT day, CAST(SUM(respondents) AS BIGINT), {} FROM daily_counts WHERE {condition} \
             GROUP BY day ORDER BY day",
            summed_counts()
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        fold_months(&rows)
    }

    /// The late arrivals of closed months, as tallies per office-local month, in one query:
    /// the responses in `filter` whose `period_at` is in one of `closed`'s `[from, to)` and that
    /// were stored after that month's `last_seq`.
    pub async fn monthly_after(
        &self,
        filter: &Filter,
        closed: &[(i64, i64, i64)],
    ) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
        if closed.is_empty() {
            return Ok(Vec::new());
        }
        let (condition, mut values) = filter.sql();
        let mut late = Vec::new();
        for (from, to, last_seq) in closed {
            let n = values.len();
            late.push(format!(
                "(period_at >= ${} AND period_at < ${} AND seq > ${})",
                n + 1,
                n + 2,
                n + 3
            ));
            values.extend([
                FilterValue::Int(*from),
                FilterValue::Int(*to),
                FilterValue::Int(*last_seq),
            ]);
        }
        values.push(FilterValue::Int(i64::from(self.offset.minutes) * 60));
        let sql = format!(
            "SELECT (period_at + ${}) / 86400, COUNT(*), {} FROM responses WHERE {condition} AND ({}) GROUP BY 1 ORDER BY 1",
            values.len(),
            counted_scores(),
            late.join(" OR ")
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?;
        fold_months(&rows)
    }

    /// The stored population of each month in `months`, for `service` (`""`: the office, or
    /// when the office has no figure for a month, the sum of its services' figures).
    pub async fn populations(
        &self,
        months: &[Period],
        service: &str,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        let keys: Vec<String> = months.iter().map(|m| m.key()).collect();
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Ok(BTreeMap::new());
        };
        let rows = sqlx::query(
            "SELECT month, service, population FROM populations WHERE month >= $1 AND month <= $2",
        )
        .bind(first.clone())
        .bind(last.clone())
        .fetch_all(&self.pool)
        .await?;
        let mut own = BTreeMap::new();
        let mut summed: BTreeMap<String, u64> = BTreeMap::new();
        for row in &rows {
            let month: String = row.try_get(0)?;
            let row_service: String = row.try_get(1)?;
            let n = u64::try_from(row.try_get::<i64, _>(2)?).unwrap_or(0);
            if row_service == service {
                own.insert(month, n);
            } else if service.is_empty() {
                *summed.entry(month).or_insert(0) += n;
            }
        }
        for (month, n) in summed {
            own.entry(month).or_insert(n);
        }
        Ok(own)
    }

    /// The closure of `period`, if it is closed.
    pub async fn closure(&self, period: Period) -> Result<Option<Closure>, StoreError> {
        let row = sqlx::query(
            "SELECT period, closed_at, last_seq, respondents FROM period_closures WHERE period = $1",
        )
        .bind(period.key())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read_closure).transpose()
    }

    /// Every closed period.
    pub async fn closures(&self) -> Result<Vec<Closure>, StoreError> {
        let rows = sqlx::query(
            "SELECT period, closed_at, last_seq, respondents FROM period_closures ORDER BY period",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_closure).collect()
    }

    /// Every close and reopen of `period`, oldest first.
    pub async fn period_events(&self, period: Period) -> Result<Vec<PeriodEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT period, action, at, respondents, note FROM period_events WHERE period = $1 ORDER BY at",
        )
        .bind(period.key())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PeriodEvent {
                    period: r.try_get(0)?,
                    action: r.try_get(1)?,
                    at: r.try_get(2)?,
                    respondents: u64::try_from(r.try_get::<i64, _>(3)?).unwrap_or(0),
                    note: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Every follow-up action, by period then creation.
    pub async fn follow_ups(&self) -> Result<Vec<FollowUp>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, period, element, action, responsible, due, status, created_at, updated_at \
             FROM follow_ups ORDER BY period, created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_follow_up).collect()
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
            other => apply_admin_write(&mut tx, other).await?,
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
        add_to_counts(tx, r, offset).await?;
        insert_module_answers(tx, s, Some((r, offset))).await?;
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

/// Adds a newly stored response to its day's counts, inside the insert's transaction.
async fn add_to_counts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    r: &NewResponse,
    offset: UtcOffset,
) -> Result<(), StoreError> {
    let s = &r.submission;
    let resp = &s.respondent;
    let mut query = sqlx::query(AssertSqlSafe(ADD_TO_COUNTS.as_str()))
        .bind(offset.local_date(r.period_at).days_since_epoch())
        .bind(s.unit.clone().unwrap_or_default())
        .bind(s.service.clone().unwrap_or_default())
        .bind(s.counter.clone().unwrap_or_default())
        .bind(resp.gender.map_or("", |g| g.code()))
        .bind(age_band(resp.age.unwrap_or_default()))
        .bind(resp.education.map_or("", |e| e.code()))
        .bind(resp.occupation.map_or("", |o| o.code()));
    for e in Element::ALL {
        let score = s.answers.get(e).unwrap_or_default();
        for k in 1..=4u8 {
            query = query.bind(i64::from(score == k));
        }
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Stores a response's SPKP/SPAK answers, one row per statement, and (for a new response,
/// `counted`) adds them to its day's module counts.
async fn insert_module_answers(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    s: &Submission,
    counted: Option<(&NewResponse, UtcOffset)>,
) -> Result<(), StoreError> {
    let add = |module: Module, item: String, score: i16| {
        counted.map(|(r, offset)| {
            sqlx::query(ADD_TO_MODULE_COUNTS)
                .bind(offset.local_date(r.period_at).days_since_epoch())
                .bind(s.unit.clone().unwrap_or_default())
                .bind(s.service.clone().unwrap_or_default())
                .bind(s.counter.clone().unwrap_or_default())
                .bind(module.key())
                .bind(item)
                .bind(score)
        })
    };
    for module in Module::ALL {
        let Some(scores) = s.module(module) else {
            continue;
        };
        if let Some(query) = add(module, String::new(), 0) {
            query.execute(&mut **tx).await?;
        }
        for key in scores.keys() {
            let score = scores.get(key).unwrap_or_default();
            if let Some(query) = add(module, key.to_string(), i16::from(score)) {
                query.execute(&mut **tx).await?;
            }
            sqlx::query(
                "INSERT INTO module_answers (response_id, module, item, score) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (response_id, module, item) DO NOTHING",
            )
            .bind(s.id.clone())
            .bind(module.key())
            .bind(key.to_string())
            .bind(i16::from(score))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Performs one of the office's own writes (population, closing, the plan) inside `tx`.
async fn apply_admin_write(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    write: &Write,
) -> Result<Written, StoreError> {
    match write {
        Write::Response(_) => Err(unexpected()),
        Write::Population {
            month,
            service,
            population,
            at,
        } => {
            sqlx::query(
                "INSERT INTO populations (month, service, population, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (month, service) DO UPDATE SET population = excluded.population, updated_at = excluded.updated_at",
            )
            .bind(month.key())
            .bind(service.clone())
            .bind(i64::try_from(*population).unwrap_or(i64::MAX))
            .bind(*at)
            .execute(&mut **tx)
            .await?;
            Ok(Written::Done)
        }
        Write::Close {
            period,
            from,
            to,
            at,
        } => {
            let existing = sqlx::query(
                "SELECT period, closed_at, last_seq, respondents FROM period_closures WHERE period = $1",
            )
            .bind(period.key())
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(row) = existing {
                return Ok(Written::Closure(read_closure(&row)?));
            }
            // The writer is the only writer: nothing is stored between these reads and the insert.
            let last_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM responses")
                .fetch_one(&mut **tx)
                .await?;
            let respondents: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM responses WHERE period_at >= $1 AND period_at < $2",
            )
            .bind(*from)
            .bind(*to)
            .fetch_one(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO period_closures (period, closed_at, last_seq, respondents) VALUES ($1, $2, $3, $4)",
            )
            .bind(period.key())
            .bind(*at)
            .bind(last_seq)
            .bind(respondents)
            .execute(&mut **tx)
            .await?;
            record_event(tx, *period, "close", *at, last_seq, respondents, None).await?;
            Ok(Written::Closure(Closure {
                period: *period,
                closed_at: *at,
                last_seq,
                respondents: u64::try_from(respondents).unwrap_or(0),
            }))
        }
        Write::Reopen { period, at, note } => {
            let existing = sqlx::query(
                "SELECT period, closed_at, last_seq, respondents FROM period_closures WHERE period = $1",
            )
            .bind(period.key())
            .fetch_optional(&mut **tx)
            .await?;
            let Some(row) = existing else {
                return Ok(Written::Reopened(None));
            };
            let closure = read_closure(&row)?;
            sqlx::query("DELETE FROM period_closures WHERE period = $1")
                .bind(period.key())
                .execute(&mut **tx)
                .await?;
            let respondents = i64::try_from(closure.respondents).unwrap_or(i64::MAX);
            record_event(
                tx,
                *period,
                "reopen",
                *at,
                closure.last_seq,
                respondents,
                note.clone(),
            )
            .await?;
            Ok(Written::Reopened(Some(closure)))
        }
        Write::FollowUpCreate(f) => {
            let i = &f.input;
            sqlx::query(
                "INSERT INTO follow_ups (id, period, element, action, responsible, due, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(f.id.clone())
            .bind(i.period.key())
            .bind(i.element.key())
            .bind(i.action.clone())
            .bind(i.responsible.clone())
            .bind(i.due.to_string())
            .bind(i.status.as_str())
            .bind(f.created_at)
            .bind(f.updated_at)
            .execute(&mut **tx)
            .await?;
            Ok(Written::Done)
        }
        Write::FollowUpUpdate { id, input, at } => {
            let done = sqlx::query(
                "UPDATE follow_ups SET period = $1, element = $2, action = $3, responsible = $4, due = $5, \
                 status = $6, updated_at = $7 WHERE id = $8",
            )
            .bind(input.period.key())
            .bind(input.element.key())
            .bind(input.action.clone())
            .bind(input.responsible.clone())
            .bind(input.due.to_string())
            .bind(input.status.as_str())
            .bind(*at)
            .bind(id.clone())
            .execute(&mut **tx)
            .await?;
            Ok(Written::Found(done.rows_affected() == 1))
        }
        Write::FollowUpDelete { id } => {
            let done = sqlx::query("DELETE FROM follow_ups WHERE id = $1")
                .bind(id.clone())
                .execute(&mut **tx)
                .await?;
            Ok(Written::Found(done.rows_affected() == 1))
        }
    }
}

/// Records a close or reopen of `period`.
async fn record_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    period: Period,
    action: &str,
    at: i64,
    last_seq: i64,
    respondents: i64,
    note: Option<String>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO period_events (period, action, at, last_seq, respondents, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(period.key())
    .bind(action.to_string())
    .bind(at)
    .bind(last_seq)
    .bind(respondents)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets a `meta` value inside `tx`.
async fn set_meta(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM meta WHERE key = $1")
        .bind(key.to_string())
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
        .bind(key.to_string())
        .bind(value.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A writer reply that does not fit its write: a bug, reported as a database error.
fn unexpected() -> StoreError {
    StoreError::new(
        StoreErrorKind::Database,
        "the writer answered another kind of write",
    )
}

fn read_closure(row: &AnyRow) -> Result<Closure, StoreError> {
    let key: String = row.try_get(0)?;
    let period = Period::parse(&key).ok_or_else(|| {
        StoreError::new(
            StoreErrorKind::Data,
            format!("stored period `{key}` is not a period"),
        )
    })?;
    Ok(Closure {
        period,
        closed_at: row.try_get(1)?,
        last_seq: row.try_get(2)?,
        respondents: u64::try_from(row.try_get::<i64, _>(3)?).unwrap_or(0),
    })
}

fn read_follow_up(row: &AnyRow) -> Result<FollowUp, StoreError> {
    // Columns 1 … 6 are the input's fields, in `FollowUpInput::FIELDS` order.
    let pairs: Vec<(&str, String)> = (1..)
        .zip(FollowUpInput::FIELDS)
        .map(|(i, name)| Ok((name, row.try_get::<String, _>(i)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let input = FollowUpInput::from_pairs(&pairs)
        .map_err(|e| StoreError::new(StoreErrorKind::Data, format!("stored follow-up: {e}")))?;
    Ok(FollowUp {
        id: row.try_get(0)?,
        input,
        created_at: row.try_get(7)?,
        updated_at: row.try_get(8)?,
    })
}

/// Rows of (office-local day, tally) in day order, summed into months.
fn fold_months(rows: &[AnyRow]) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
    let mut months: Vec<(Date, ScoreTally)> = Vec::new();
    for row in rows {
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

/// A tally from an aggregate row: the respondents at column `start`, then every element's
/// counts of scores 1 … 4 in form order.
fn read_tally(row: &AnyRow, start: usize) -> Result<ScoreTally, StoreError> {
    let count = |index: usize| -> Result<u64, StoreError> {
        let value: i64 = row.try_get(index)?;
        Ok(u64::try_from(value).unwrap_or_default())
    };
    let mut tally = ScoreTally {
        respondents: count(start)?,
        ..ScoreTally::default()
    };
    for (i, counts) in tally.counts.iter_mut().enumerate() {
        for (k, n) in counts.iter_mut().enumerate() {
            *n = count(start + 1 + i * 4 + k)?;
        }
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
