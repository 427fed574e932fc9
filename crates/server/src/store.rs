//! Storage of responses in SQLite (default, embedded) or PostgreSQL, through one code path.
//!
//! sqlx's `Any` driver picks the database from the URL; the SQL is portable (`$n`
//! placeholders, `ON CONFLICT DO NOTHING`), so no query exists twice.

use ikm_core::profile::{age_band, ProfileDistribution, AGE_BANDS};
use ikm_core::questionnaire::{Choice, Education, Gender, Occupation};
use ikm_core::{Element, ScoreTally, Submission};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// Why the database could not be opened or used.
#[derive(Debug)]
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
pub struct NewResponse<'a> {
    pub submission: &'a Submission,
    /// The canonical JSON of `submission`.
    pub body: String,
    pub submitted_at: i64,
    pub received_at: i64,
    pub period_at: i64,
}

/// Which responses a report or export covers: `period_at` in `[from, to)` and optional equalities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub from: i64,
    pub to: i64,
    pub unit: Option<String>,
    pub service: Option<String>,
    pub counter: Option<String>,
}

impl Filter {
    /// `WHERE …` with `$n` placeholders starting at `$1`, and the values to bind in order.
    fn sql(&self) -> (String, Vec<FilterValue>) {
        let mut sql = String::from("period_at >= $1 AND period_at < $2");
        let mut values = vec![FilterValue::Int(self.from), FilterValue::Int(self.to)];
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

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`:
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
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
        Ok(Store { pool, backend })
    }

    /// Stores a response once per id; a replay is recognised, a different body under the same id refused.
    pub async fn insert(&self, r: &NewResponse<'_>) -> Result<Insert, StoreError> {
        let s = r.submission;
        let resp = &s.respondent;
        let sql = format!(
            "INSERT INTO responses (id, body, survey, unit, service, counter, lang, submitted_at, received_at, period_at, \
             gender, age, education, occupation, {}, suggestion) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) ON CONFLICT (id) DO NOTHING",
            element_columns()
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
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
        let done = query.bind(s.suggestion.clone()).execute(&self.pool).await?;
        if done.rows_affected() == 1 {
            return Ok(Insert::Stored);
        }
        let stored: Option<String> = sqlx::query_scalar("SELECT body FROM responses WHERE id = $1")
            .bind(s.id.clone())
            .fetch_optional(&self.pool)
            .await?;
        Ok(if stored.as_deref() == Some(r.body.as_str()) {
            Insert::AlreadyStored
        } else {
            Insert::Conflict
        })
    }

    /// Scores, profile and counts per service and counter for the responses in `filter`.
    pub async fn aggregate(&self, filter: &Filter) -> Result<Aggregate, StoreError> {
        let mut columns = vec!["COUNT(*)".to_string()];
        for e in Element::ALL {
            columns.push(format!("COALESCE(SUM({}), 0)", e.key()));
        }
        let count_if = |condition: String| {
            format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)")
        };
        for g in Gender::ALL {
            columns.push(count_if(format!("gender = '{}'", g.code())));
        }
        for (i, (_, low)) in AGE_BANDS.iter().enumerate() {
            let high = AGE_BANDS
                .get(i + 1)
                .map_or(i64::MAX, |(_, h)| i64::from(*h));
            columns.push(count_if(format!("age >= {low} AND age < {high}")));
        }
        for e in Education::ALL {
            columns.push(count_if(format!("education = '{}'", e.code())));
        }
        for o in Occupation::ALL {
            columns.push(count_if(format!("occupation = '{}'", o.code())));
        }
        let (condition, values) = filter.sql();
        let sql = format!(
            "SELECT {} FROM responses WHERE {condition}",
            columns.join(", ")
        );
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_one(&self.pool)
            .await?;
        let mut next = counter_reader(&row);

        let respondents = next()?;
        let mut tally = ScoreTally {
            respondents,
            ..ScoreTally::default()
        };
        for e in Element::ALL {
            tally.sums[e.index()] = next()?;
            tally.answered[e.index()] = respondents;
        }
        let mut profile = ProfileDistribution::new();
        for g in Gender::ALL {
            profile.gender.add(g.code(), next()?);
        }
        for (label, low) in AGE_BANDS {
            debug_assert_eq!(age_band(low), label);
            profile.age.add(label, next()?);
        }
        for e in Education::ALL {
            profile.education.add(e.code(), next()?);
        }
        for o in Occupation::ALL {
            profile.occupation.add(o.code(), next()?);
        }

        let (condition, values) = filter.sql();
        let sql = format!("SELECT service, counter, COUNT(*) FROM responses WHERE {condition} GROUP BY service, counter");
        let mut services = BTreeMap::new();
        let mut counters = BTreeMap::new();
        for row in bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .fetch_all(&self.pool)
            .await?
        {
            let service: String = row.try_get(0)?;
            let counter: Option<String> = row.try_get(1)?;
            let n = u64::try_from(row.try_get::<i64, _>(2)?).unwrap_or_default();
            *services.entry(service).or_insert(0) += n;
            *counters
                .entry(counter.unwrap_or_else(|| "-".into()))
                .or_insert(0) += n;
        }
        Ok(Aggregate {
            tally,
            profile,
            services,
            counters,
        })
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

    /// The pool, for bulk loading in benchmarks and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Reads the columns of an aggregate row in order as non-negative counts.
fn counter_reader(row: &AnyRow) -> impl FnMut() -> Result<u64, StoreError> + '_ {
    let mut index = 0;
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
