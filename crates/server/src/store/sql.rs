//! Building SQL with bound values, and the column lists every query of the store shares.
//!
//! Why not sqlx's `QueryBuilder`: with the `Any` driver it writes `?` placeholders (the
//! default of `Arguments::format_placeholder`, which `AnyArguments` does not override), and
//! PostgreSQL accepts only `$n`. [`Sql`] is the same idea (text pushed, values bound in
//! order) writing `$n`, which SQLite accepts too; nobody numbers a placeholder by hand.
//!
//! Every dynamic SQL string is assembled from constant fragments and element keys; values
//! are always bound.

use super::error::{StoreError, StoreErrorKind};
use ikm_core::profile::AGE_BANDS;
use ikm_core::time::{Date, UtcOffset};
use ikm_core::{Element, ScoreTally};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments, AssertSqlSafe, Encode, Row, Type};

/// SQL text with its bound values in placeholder order.
pub(crate) struct Sql {
    text: String,
    arguments: AnyArguments,
    /// The first value that could not be encoded (none of ours can fail; kept, not unwrapped).
    failed: Option<String>,
}

impl Sql {
    /// Starts a statement with constant text.
    pub(crate) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            arguments: AnyArguments::default(),
            failed: None,
        }
    }

    /// Appends constant text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`, bound in order.
    pub(crate) fn bind<T>(&mut self, value: T) -> &mut Sql
    where
        T: Encode<'static, Any> + Type<Any>,
    {
        if let Err(e) = self.arguments.add(value) {
            self.failed.get_or_insert(e.to_string());
        }
        let n = self.arguments.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    /// Appends `values` as a comma-separated list of placeholders.
    pub(crate) fn bind_list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Sql
    where
        T: Encode<'static, Any> + Type<Any>,
    {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// The statement, ready to run.
    pub(crate) fn query(
        self,
    ) -> Result<sqlx::query::Query<'static, Any, AnyArguments>, StoreError> {
        if let Some(e) = self.failed {
            return Err(StoreError::new(
                StoreErrorKind::Data,
                format!("a value cannot be bound: {e}"),
            ));
        }
        Ok(sqlx::query_with(AssertSqlSafe(self.text), self.arguments))
    }

    /// The text so far, for tests.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

/// How an absent unit or counter is stored in the key columns of the per-day tables (a
/// primary key cannot hold NULL on PostgreSQL): the empty text, read back as None.
pub(crate) fn key_text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

/// The reverse of [`key_text`].
pub(crate) fn from_key_text(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// Column names of the nine elements, in form order (they equal the element keys).
pub(crate) fn element_columns() -> String {
    Element::ALL
        .iter()
        .map(|e| e.key())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `daily_counts` columns of every element's score counts: `persyaratan_1` … `pengaduan_4`.
pub(crate) fn count_columns() -> Vec<String> {
    Element::ALL
        .iter()
        .flat_map(|e| (1..=4).map(move |score| format!("{}_{score}", e.key())))
        .collect()
}

/// The select list summing every count column of `daily_counts`.
pub(crate) fn summed_counts() -> String {
    // PostgreSQL sums BIGINT into NUMERIC; the cast keeps one integer type on both databases.
    count_columns()
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The select list counting every element's scores straight from `responses`.
pub(crate) fn counted_scores() -> String {
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

/// `CASE … END` giving a response's age band from its `age` column: [`AGE_BANDS`] (the rule
/// `ikm_core::profile::age_band` applies) written as SQL, for set-based rebuilds.
pub(crate) fn age_band_sql() -> String {
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

/// [`UtcOffset::local_day`] of the instant in `column`, written as SQL for set-based
/// rebuilds and late-arrival queries. SQL's integer division truncates where `local_day`
/// floors; they agree for every instant after 1970, the only ones a response can carry.
pub(crate) fn local_day_sql(column: &str, offset: UtcOffset) -> String {
    format!("(({column} + {}) / 86400)", i64::from(offset.minutes) * 60)
}

/// The time zone of every unit a store serves: a response's day and month follow its own
/// unit's zone (a response of no configured unit follows the first unit's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zones {
    /// The first unit's offset, for responses of no configured unit.
    pub default: UtcOffset,
    /// Each configured unit id with its offset (none for a single office without a `unit`).
    pub units: Vec<(String, UtcOffset)>,
}

impl Zones {
    /// One zone for everything: a single office.
    pub fn single(offset: UtcOffset) -> Zones {
        Zones {
            default: offset,
            units: Vec::new(),
        }
    }

    /// The offset of `unit` (the default for an unknown or absent unit).
    pub fn offset_of(&self, unit: Option<&str>) -> UtcOffset {
        unit.and_then(|u| self.units.iter().find(|(id, _)| id == u))
            .map_or(self.default, |(_, offset)| *offset)
    }

    /// Whether this serves more than one unit: then responses are counted per unit.
    pub fn is_multi(&self) -> bool {
        self.units.len() > 1
    }

    /// Whether every unit shares the default zone.
    fn is_uniform(&self) -> bool {
        self.units.iter().all(|(_, o)| *o == self.default)
    }

    /// What the derived tables were built for, as the meta table records it: the offset in
    /// minutes alone when every unit shares it (as a single office always wrote), else each
    /// unit's too.
    pub(crate) fn fingerprint(&self) -> String {
        let mut text = self.default.minutes.to_string();
        if !self.is_uniform() {
            for (unit, offset) in &self.units {
                text.push_str(&format!(";{unit}={}", offset.minutes));
            }
        }
        text
    }

    /// [`local_day_sql`] of `column` in the zone of the unit in `unit_column`. Unit ids are
    /// checked slugs (lowercase letters, digits, hyphens), so they are safe as SQL literals.
    pub(crate) fn local_day_sql(&self, column: &str, unit_column: &str) -> String {
        if self.is_uniform() {
            return local_day_sql(column, self.default);
        }
        let arms: String = self
            .units
            .iter()
            .filter(|(id, _)| ikm_core::config::is_slug(id))
            .map(|(id, o)| format!(" WHEN '{id}' THEN {}", i64::from(o.minutes) * 60))
            .collect();
        format!(
            "(({column} + CASE {unit_column}{arms} ELSE {} END) / 86400)",
            i64::from(self.default.minutes) * 60
        )
    }
}

/// A tally from an aggregate row: the respondents at column `start`, then every element's
/// counts of scores 1 … 4 in form order.
pub(crate) fn read_tally(row: &AnyRow, start: usize) -> Result<ScoreTally, StoreError> {
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

/// Rows of (office-local day, tally) in day order, summed into months.
pub(crate) fn fold_months(rows: &[AnyRow]) -> Result<Vec<(Date, ScoreTally)>, StoreError> {
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

/// A count read from the database as the unsigned number it is.
pub(crate) fn count(row: &AnyRow, index: usize) -> Result<u64, StoreError> {
    Ok(u64::try_from(row.try_get::<i64, _>(index)?).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(1_i64)
            .push(" AND b IN (")
            .bind_list(["x", "y"].map(String::from))
            .push(")");
        assert_eq!(sql.text(), "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn absent_keys_round_trip() {
        assert_eq!(from_key_text(key_text(None)), None);
        assert_eq!(
            from_key_text(key_text(Some("loket-1"))),
            Some("loket-1".to_string())
        );
    }

    #[tokio::test]
    async fn the_sql_day_is_the_rust_day() {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        for minutes in [0, 420, 480, 540, -300] {
            let offset = UtcOffset { minutes };
            for at in [
                0_i64,
                1,
                86_399,
                1_764_547_199,
                1_764_547_200,
                1_764_522_000,
            ] {
                let mut sql = Sql::new("SELECT ");
                sql.push(&local_day_sql("x", offset)).push(" FROM (SELECT ");
                sql.bind(at).push(" AS x) AS t");
                let row = sql
                    .query()
                    .expect("query")
                    .fetch_one(&mut conn)
                    .await
                    .expect("row");
                let day: i64 = row.try_get(0).expect("day");
                if at + i64::from(minutes) * 60 >= 0 {
                    assert_eq!(day, offset.local_day(at), "{at} at {minutes} min");
                }
            }
        }
    }
}
