//! Storage of responses in SQLite (default, embedded) or PostgreSQL, through one code path.
//!
//! sqlx's `Any` driver picks the database from the URL; the SQL is portable (`$n`
//! placeholders, `ON CONFLICT DO NOTHING`), so no query exists twice.

use ikm_core::profile::{age_band, ProfileDistribution, AGE_BANDS};
use ikm_core::questionnaire::Choice;
use ikm_core::time::UtcOffset;
use ikm_core::{Element, ScoreTally, Submission};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::LazyLock;
use tokio::sync::{mpsc, oneshot};

/// One submission waiting for the SQLite writer, and where to send its outcome.
struct WriteJob {
    response: NewResponse,
    reply: oneshot::Sender<Result<Insert, StoreError>>,
}
use std::time::Duration;

/// Why the database could not be opened or used.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError(format!("migration failed: {e}"))
    }
}

/// The database of responses.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Which SQL engine is behind the pool (`SQLite` or `PostgreSQL`), for messages.
    pub backend: &'static str,
    /// The office time zone, which decides the day of each response in `daily_totals`.
    offset: UtcOffset,
    /// SQLite has one writer at a time: submissions go to one writer task that commits them in
    /// batches (group commit) instead of contending for the lock. None for PostgreSQL.
    writer: Option<mpsc::Sender<WriteJob>>,
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
pub struct NewResponse {
    pub submission: Submission,
    /// The canonical JSON of `submission`.
    pub body: String,
    pub submitted_at: i64,
    pub received_at: i64,
    pub period_at: i64,
}

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

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`
    /// (`sqlite://PATH` or `postgres://USER@HOST/DB`) for an office in time zone `offset`.
    pub async fn open(url: &str, offset: UtcOffset) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let sqlite = backend == "SQLite";
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // WAL: readers never block the writer; NORMAL is durable across process crashes.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA busy_timeout = 10000",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| StoreError(format!("cannot open {backend} database: {e}")))?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let writer = None;
        let store = Store {
            pool,
            backend,
            offset,
            writer,
        };
        store.ensure_totals().await?;
        if !sqlite {
            return Ok(store);
        }
        let (sender, jobs) = mpsc::channel(1024);
        tokio::spawn(store.clone().write_batches(jobs));
        Ok(Store {
            writer: Some(sender),
            ..store
        })
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

    /// Stores a response once per id; a replay is recognised, a different body under the same id refused.
    pub async fn insert(&self, r: NewResponse) -> Result<Insert, StoreError> {
        if let Some(writer) = &self.writer {
            let (reply, answer) = oneshot::channel();
            writer
                .send(WriteJob { response: r, reply })
                .await
                .map_err(|_| StoreError("the database writer has stopped".into()))?;
            return answer
                .await
                .map_err(|_| StoreError("the database writer has stopped".into()))?;
        }
        let mut tx = self.pool.begin().await?;
        let outcome = self.insert_in(&mut tx, &r).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The SQLite writer: takes every waiting submission (up to 64) into one transaction.
    async fn write_batches(self, mut jobs: mpsc::Receiver<WriteJob>) {
        while let Some(first) = jobs.recv().await {
            let mut batch = vec![first];
            while batch.len() < 64 {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            match self.write_batch(&batch).await {
                Ok(outcomes) => {
                    for (job, outcome) in batch.into_iter().zip(outcomes) {
                        let _ = job.reply.send(Ok(outcome));
                    }
                }
                Err(e) => {
                    eprintln!(
                        "ikm serve: a batch of {} submissions was not stored: {e}",
                        batch.len()
                    );
                    for job in batch {
                        let _ = job.reply.send(Err(StoreError(e.0.clone())));
                    }
                }
            }
        }
    }

    async fn write_batch(&self, batch: &[WriteJob]) -> Result<Vec<Insert>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for job in batch {
            outcomes.push(self.insert_in(&mut tx, &job.response).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Inserts one response inside `tx`, adding it to the daily totals only if it is new.
    async fn insert_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        r: &NewResponse,
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
            self.add_to_totals(tx, r).await?;
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
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        r: &NewResponse,
    ) -> Result<(), StoreError> {
        let s = &r.submission;
        let resp = &s.respondent;
        let mut query = sqlx::query(AssertSqlSafe(ADD_TO_TOTALS.as_str()))
            .bind(self.offset.local_date(r.period_at).days_since_epoch())
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
            let mut next = counter_reader(row, 6);
            let respondents = next()?;
            let mut tally = ScoreTally {
                respondents,
                ..ScoreTally::default()
            };
            for e in Element::ALL {
                tally.sums[e.index()] = next()?;
                tally.answered[e.index()] = respondents;
            }
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
                let submission = serde_json::from_str(&body)
                    .map_err(|e| StoreError(format!("stored response is not valid JSON: {e}")))?;
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

    /// The office time zone the daily totals are kept in.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The pool, for bulk loading in benchmarks and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Reads the columns of an aggregate row in order from `start` as non-negative counts.
fn counter_reader(row: &AnyRow, start: usize) -> impl FnMut() -> Result<u64, StoreError> + '_ {
    let mut index = start;
    move || {
        let value: i64 = row.try_get(index)?;
        index += 1;
        Ok(u64::try_from(value).unwrap_or_default())
    }
}

/// Accepts `sqlite://PATH`, `sqlite:PATH` or `postgres://…`; SQLite files (and their folder) are created.
fn normalise_url(url: &str) -> Result<(String, &'static str), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_string(), "PostgreSQL"));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            StoreError(format!(
                "unsupported database URL `{url}`: use sqlite://PATH or postgres://…"
            ))
        })?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() {
        return Err(StoreError(
            "the SQLite URL names no file: use sqlite://ikm.db".into(),
        ));
    }
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok((format!("sqlite://{path}?mode=rwc"), "SQLite"))
}
