//! Bringing a database up to date when the server starts: the schema migrations, then the
//! derived per-day tables rebuilt when they were kept for another time zone (or never).

use super::error::StoreError;
use super::responses::{hold_response_numbers, store_module_answers, DAILY_KEY};
use super::sql::{age_band_sql, count_columns, counted_scores, Sql, Zones};
use ikm_core::Submission;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};

/// The meta key recording the time zone `daily_counts` was built for.
const COUNTS_OFFSET_KEY: &str = "daily_counts_utc_offset_minutes";
/// The meta key recording that `module_answers` holds every stored response's modules.
const MODULES_FILLED_KEY: &str = "module_answers_filled";
/// The meta key recording the time zone the per-day module tables were built for.
const MODULE_COUNTS_OFFSET_KEY: &str = "daily_module_counts_utc_offset_minutes";

/// Runs the embedded migrations (on PostgreSQL sqlx holds an advisory lock meanwhile, so two
/// replicas starting at once migrate one after the other).
pub(crate) async fn migrate(pool: &AnyPool) -> Result<(), StoreError> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

/// Makes the database itself refuse to update or delete an audit event, so not even a bug
/// or a hand-typed statement through the product's own login can rewrite the trail. The
/// trigger syntax differs between the two databases, so this runs after the portable
/// migrations; on PostgreSQL under a transaction-scoped advisory lock (replicas start together).
pub(crate) async fn make_audit_append_only(
    pool: &AnyPool,
    backend: super::Backend,
) -> Result<(), StoreError> {
    let statements: &[&str] = match backend {
        super::Backend::Sqlite => &[
            "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events \
             BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events \
             BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        ],
        super::Backend::Postgres => &[
            "SELECT pg_advisory_xact_lock(7140001)",
            "CREATE OR REPLACE FUNCTION ikm_audit_append_only() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql",
            "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
             FOR EACH ROW EXECUTE FUNCTION ikm_audit_append_only()",
        ],
    };
    let mut tx = pool.begin().await?;
    for statement in statements {
        sqlx::query(AssertSqlSafe(*statement))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Rebuilds the per-day tables whose time zones are not `zones`, and fills `module_answers`
/// once for responses stored before it existed. Each in one transaction that first takes the
/// row numbering responses: no response is stored meanwhile (by any process), and a second
/// replica starting at the same time waits, then finds the work done.
pub(crate) async fn ensure_derived_tables(pool: &AnyPool, zones: &Zones) -> Result<(), StoreError> {
    let wanted = zones.fingerprint();
    let columns = count_columns().join(", ");
    let counts = [format!(
        "INSERT INTO daily_counts ({DAILY_KEY}, respondents, {columns}) \
         SELECT {}, COALESCE(unit, ''), service, COALESCE(counter, ''), gender, {}, education, occupation, \
         COUNT(*), {} FROM responses WHERE excluded_reason IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        zones.local_day_sql("period_at", "unit"),
        age_band_sql(),
        counted_scores()
    )];
    rebuild(pool, &["daily_counts"], &counts, COUNTS_OFFSET_KEY, &wanted).await?;
    fill_module_answers(pool).await?;
    let dimensions = format!(
        "{}, COALESCE(r.unit, ''), r.service, COALESCE(r.counter, ''), m.module",
        zones.local_day_sql("r.period_at", "r.unit")
    );
    let modules = [
        format!(
            "INSERT INTO daily_module_counts (day, unit, service, counter, module, item, score, answers) \
             SELECT {dimensions}, m.item, m.score, COUNT(*) FROM module_answers m \
             JOIN responses r ON r.id = m.response_id WHERE r.excluded_reason IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7"
        ),
        format!(
            "INSERT INTO daily_module_respondents (day, unit, service, counter, module, respondents) \
             SELECT {dimensions}, COUNT(DISTINCT m.response_id) FROM module_answers m \
             JOIN responses r ON r.id = m.response_id WHERE r.excluded_reason IS NULL GROUP BY 1, 2, 3, 4, 5"
        ),
    ];
    rebuild(
        pool,
        &["daily_module_counts", "daily_module_respondents"],
        &modules,
        MODULE_COUNTS_OFFSET_KEY,
        &wanted,
    )
    .await
}

async fn meta(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, StoreError> {
    let mut sql = Sql::new("SELECT value FROM meta WHERE key = ");
    sql.bind(key.to_string());
    let row = sql.query()?.fetch_optional(&mut *conn).await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

async fn set_meta(conn: &mut AnyConnection, key: &str, value: &str) -> Result<(), StoreError> {
    let mut sql = Sql::new("DELETE FROM meta WHERE key = ");
    sql.bind(key.to_string());
    sql.query()?.execute(&mut *conn).await?;
    let mut sql = Sql::new("INSERT INTO meta (key, value) VALUES (");
    sql.bind(key.to_string())
        .push(", ")
        .bind(value.to_string())
        .push(")");
    sql.query()?.execute(&mut *conn).await?;
    Ok(())
}

/// Empties `tables` and refills them with `inserts` unless `meta_key` already says `wanted`.
async fn rebuild(
    pool: &AnyPool,
    tables: &[&'static str],
    inserts: &[String],
    meta_key: &str,
    wanted: &str,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if meta(&mut tx, meta_key).await?.as_deref() == Some(wanted) {
        return Ok(());
    }
    hold_response_numbers(&mut tx).await?;
    if meta(&mut tx, meta_key).await?.as_deref() == Some(wanted) {
        // Another replica rebuilt them while this one waited.
        return Ok(());
    }
    for table in tables {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    for insert in inserts {
        sqlx::query(AssertSqlSafe(insert.clone()))
            .execute(&mut *tx)
            .await?;
    }
    set_meta(&mut tx, meta_key, wanted).await?;
    tx.commit().await?;
    Ok(())
}

/// Fills `module_answers` once from the bodies of responses stored before it existed.
async fn fill_module_answers(pool: &AnyPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if meta(&mut tx, MODULES_FILLED_KEY).await?.is_some() {
        return Ok(());
    }
    hold_response_numbers(&mut tx).await?;
    if meta(&mut tx, MODULES_FILLED_KEY).await?.is_some() {
        return Ok(());
    }
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM responses WHERE body LIKE '%\"spkp\"%' OR body LIKE '%\"spak\"%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for body in bodies {
        if let Ok(submission) = Submission::from_json(&body) {
            store_module_answers(&mut tx, &submission).await?;
        }
    }
    set_meta(&mut tx, MODULES_FILLED_KEY, "1").await?;
    tx.commit().await?;
    Ok(())
}

/// Files the office records kept under no unit (`''`) under `unit`: a single office that
/// now names its unit, or an office database joining a deployment as its one unit.
pub(crate) async fn adopt_unnamed_records(pool: &AnyPool, unit: &str) -> Result<(), StoreError> {
    if unit.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    for table in [
        "populations",
        "period_closures",
        "period_events",
        "follow_ups",
    ] {
        let mut sql = Sql::new(&format!("UPDATE {table} SET unit = "));
        sql.bind(unit.to_string()).push(" WHERE unit = ''");
        sql.query()?.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
