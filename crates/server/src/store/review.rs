//! Review (docs/review.md): leaving a response out of the recap with a reason, and taking it
//! back in. The row stays; the per-day tables lose (or regain) its counts in the same
//! transaction, and every change is in the audit trail. A response of a closed period cannot
//! change: closing a period freezes its exclusions with it.

use super::audit::{record, Actor, AuditAction};
use super::error::{StoreError, StoreErrorKind};
use super::responses::{add_to_counts, adjust_module_counts, stored_submission, DayKey, Exclusion};
use super::sql::{key_text, Sql};
use super::writer::{WriteContext, WriteJob};
use super::{Filter, Snapshot};
use ikm_core::period::Period;
use ikm_core::{Element, Submission};
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// What a review does to each response it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewChange {
    /// Leave it out of the recap, for this reason.
    Exclude { reason: String },
    /// Count it again.
    Include,
}

/// What a review did. Nothing changes unless every response was found and none is in a
/// closed period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// `changed` now have the wanted status; `unchanged` had it already (a repeat is harmless).
    Done {
        changed: Vec<String>,
        unchanged: Vec<String>,
    },
    /// These ids are no response of the unit.
    Unknown(Vec<String>),
    /// This response belongs to a closed period: reopen it first.
    Closed { id: String, period: Period },
}

/// One review write: the same change to a list of responses of `by.unit`.
pub(crate) struct Review {
    pub(crate) ids: Vec<String>,
    pub(crate) change: ReviewChange,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

/// A response as the review reads it.
struct Reviewed {
    id: String,
    submission: Submission,
    period_at: i64,
    excluded: Option<Exclusion>,
}

impl WriteJob for Review {
    type Reply = ReviewOutcome;

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteContext,
    ) -> Result<ReviewOutcome, StoreError> {
        let mut ids = self.ids.clone();
        ids.sort();
        ids.dedup();
        let mut found = Vec::with_capacity(ids.len());
        let mut unknown = Vec::new();
        for id in ids {
            match reviewed(conn, &id, &self.by.unit, ctx).await? {
                Some(r) => found.push(r),
                None => unknown.push(id),
            }
        }
        if !unknown.is_empty() {
            return Ok(ReviewOutcome::Unknown(unknown));
        }
        let closed = closed_periods(conn, &self.by.unit).await?;
        let offset = ctx.zones.offset_of(Some(&self.by.unit));
        for r in &found {
            let day = offset.local_date(r.period_at);
            if let Some(period) = closed.iter().find(|p| p.contains(day)) {
                return Ok(ReviewOutcome::Closed {
                    id: r.id.clone(),
                    period: *period,
                });
            }
        }
        let (mut changed, mut unchanged) = (Vec::new(), Vec::new());
        for r in found {
            let wanted_excluded = matches!(self.change, ReviewChange::Exclude { .. });
            if r.excluded.is_some() == wanted_excluded {
                unchanged.push(r.id);
                continue;
            }
            let key = DayKey::of(&r.submission, r.period_at, ctx);
            let delta = if wanted_excluded { -1 } else { 1 };
            add_to_counts(conn, &r.submission, &key, delta).await?;
            adjust_module_counts(conn, &r.submission, &key, delta).await?;
            let mut sql = Sql::new("UPDATE responses SET excluded_reason = ");
            let (action, before, after) = match &self.change {
                ReviewChange::Exclude { reason } => {
                    sql.bind(Some(reason.clone()))
                        .push(", excluded_by = ")
                        .bind(Some(self.by.name.clone()))
                        .push(", excluded_at = ")
                        .bind(Some(self.at));
                    (
                        AuditAction::ResponseExclude,
                        json!({ "status": "counted" }),
                        json!({ "status": "excluded", "reason": reason }),
                    )
                }
                ReviewChange::Include => {
                    sql.bind(None::<String>)
                        .push(", excluded_by = ")
                        .bind(None::<String>)
                        .push(", excluded_at = ")
                        .bind(None::<i64>);
                    let was = r.excluded.as_ref();
                    (
                        AuditAction::ResponseInclude,
                        json!({
                            "status": "excluded",
                            "reason": was.map(|e| e.reason.clone()),
                            "by": was.map(|e| e.by.clone()),
                        }),
                        json!({ "status": "counted" }),
                    )
                }
            };
            sql.push(" WHERE id = ").bind(r.id.clone());
            sql.query()?.execute(&mut *conn).await?;
            record(
                conn,
                &self.by,
                action,
                &r.id,
                Some(before),
                Some(after),
                self.at,
            )
            .await?;
            changed.push(r.id);
        }
        Ok(ReviewOutcome::Done { changed, unchanged })
    }
}

/// The response `id` if it belongs to `unit` (any response, for a single office).
async fn reviewed(
    conn: &mut AnyConnection,
    id: &str,
    unit: &str,
    ctx: &WriteContext,
) -> Result<Option<Reviewed>, StoreError> {
    let mut sql = Sql::new(
        "SELECT body, period_at, excluded_reason, excluded_by, excluded_at, unit \
         FROM responses WHERE id = ",
    );
    sql.bind(id.to_string());
    let Some(row) = sql.query()?.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let row_unit: Option<String> = row.try_get(5)?;
    if ctx.zones.is_multi() && key_text(row_unit.as_deref()) != unit {
        return Ok(None);
    }
    let body: String = row.try_get(0)?;
    let submission = stored_submission(&body)?;
    Ok(Some(Reviewed {
        id: id.to_string(),
        submission,
        period_at: row.try_get(1)?,
        excluded: Exclusion::read(&row, 2)?,
    }))
}

/// The unit's closed periods.
async fn closed_periods(conn: &mut AnyConnection, unit: &str) -> Result<Vec<Period>, StoreError> {
    let mut sql = Sql::new("SELECT period FROM period_closures WHERE unit = ");
    sql.bind(unit.to_string());
    let rows = sql.query()?.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let key: String = row.try_get(0)?;
            Period::parse(&key).ok_or_else(|| {
                StoreError::new(
                    StoreErrorKind::Data,
                    format!("stored period `{key}` is not a period"),
                )
            })
        })
        .collect()
}

/// One response as the flags read it: when, where, what it answered, and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: String,
    pub service: String,
    pub counter: Option<String>,
    /// The instant that decides its period (and its time of day).
    pub at: i64,
    /// The nine element scores, then gender, age, education and occupation: two responses
    /// with the same key gave the same answers and the same profile.
    pub answers: String,
    pub verified: bool,
    pub excluded: Option<Exclusion>,
}

impl Snapshot {
    /// How many responses in `filter` are excluded, per reason (most first).
    pub async fn excluded_counts(
        &mut self,
        filter: &Filter,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let mut sql = Sql::new("SELECT excluded_reason, COUNT(*) FROM responses WHERE ");
        filter.push_instants_all(&mut sql, self.offset());
        sql.push(" AND excluded_reason IS NOT NULL GROUP BY excluded_reason ORDER BY 2 DESC, 1");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, super::sql::count(row, 1)?)))
            .collect()
    }

    /// Every response in `filter`, excluded ones too, in the order they were answered.
    pub async fn review_rows(&mut self, filter: &Filter) -> Result<Vec<ReviewRow>, StoreError> {
        let elements: Vec<String> = Element::ALL
            .iter()
            .map(|e| format!("CAST({} AS BIGINT)", e.key()))
            .collect();
        let mut sql = Sql::new(&format!(
            "SELECT id, service, counter, period_at, CAST(verified AS BIGINT), excluded_reason, \
             excluded_by, excluded_at, gender, CAST(age AS BIGINT), education, occupation, {} \
             FROM responses WHERE ",
            elements.join(", ")
        ));
        filter.push_instants_all(&mut sql, self.offset());
        sql.push(" ORDER BY period_at, id");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter()
            .map(|row| {
                let mut answers = String::new();
                for i in 12..12 + Element::ALL.len() {
                    answers.push_str(&row.try_get::<i64, _>(i)?.to_string());
                }
                let age: i64 = row.try_get(9)?;
                answers = format!(
                    "{answers}|{}|{age}|{}|{}",
                    row.try_get::<String, _>(8)?,
                    row.try_get::<String, _>(10)?,
                    row.try_get::<String, _>(11)?
                );
                Ok(ReviewRow {
                    id: row.try_get(0)?,
                    service: row.try_get(1)?,
                    counter: row.try_get(2)?,
                    at: row.try_get(3)?,
                    answers,
                    verified: row.try_get::<i64, _>(4)? == 1,
                    excluded: Exclusion::read(row, 5)?,
                })
            })
            .collect()
    }
}
