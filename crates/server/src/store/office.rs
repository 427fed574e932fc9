//! The office's own records: the monthly population, closed periods with their history, and
//! the follow-up plan. Each write is one job with its own reply.

use super::audit::{record, Actor, AuditAction};
use super::error::{StoreError, StoreErrorKind};
use super::responses::hold_response_numbers;
use super::sql::{count, Sql};
use super::writer::{WriteContext, WriteJob};
use super::Snapshot;
use ikm_core::config::Slug;
use ikm_core::followup::{FollowUp, FollowUpInput};
use ikm_core::period::Period;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// A closed period: its recap is frozen at the response stored as number `last_seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub period: Period,
    pub closed_at: i64,
    pub last_seq: i64,
    /// The period's respondents when it was closed.
    pub respondents: u64,
}

/// What was done to a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodAction {
    Close,
    Reopen,
}

impl PeriodAction {
    /// The stored and published name.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodAction::Close => "close",
            PeriodAction::Reopen => "reopen",
        }
    }

    fn parse(text: &str) -> Result<PeriodAction, StoreError> {
        match text {
            "close" => Ok(PeriodAction::Close),
            "reopen" => Ok(PeriodAction::Reopen),
            other => Err(StoreError::new(
                StoreErrorKind::Data,
                format!("stored period action `{other}` is not close or reopen"),
            )),
        }
    }
}

/// One close or reopen, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodEvent {
    pub period: Period,
    pub action: PeriodAction,
    pub at: i64,
    pub respondents: u64,
    pub note: Option<String>,
}

/// Records the number of service users of a month (for a service, or none: the office,
/// stored as service `''`). An upsert: writing the same figure twice leaves one row.
pub(crate) struct SetPopulation {
    pub(crate) month: Period,
    pub(crate) service: Option<Slug>,
    pub(crate) population: u64,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

impl SetPopulation {
    /// The `populations.service` column: the id, or `''` for the whole office.
    fn service_column(&self) -> String {
        self.service
            .as_ref()
            .map_or_else(String::new, Slug::to_string)
    }
}

impl WriteJob for SetPopulation {
    type Reply = ();

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<(), StoreError> {
        let mut sql = Sql::new("SELECT population FROM populations WHERE unit = ");
        sql.bind(self.by.unit.clone())
            .push(" AND month = ")
            .bind(self.month.key())
            .push(" AND service = ")
            .bind(self.service_column());
        let before: Option<i64> = match sql.query()?.fetch_optional(&mut *conn).await? {
            Some(row) => Some(row.try_get(0)?),
            None => None,
        };
        let mut sql = Sql::new(
            "INSERT INTO populations (unit, month, service, population, updated_at) VALUES (",
        );
        sql.bind(self.by.unit.clone())
            .push(", ")
            .bind(self.month.key())
            .push(", ")
            .bind(self.service_column())
            .push(", ")
            .bind(i64::try_from(self.population).unwrap_or(i64::MAX))
            .push(", ")
            .bind(self.at)
            .push(
                ") ON CONFLICT (unit, month, service) DO UPDATE SET population = excluded.population, \
                 updated_at = excluded.updated_at",
            );
        sql.query()?.execute(&mut *conn).await?;
        let target = match &self.service {
            None => self.month.key(),
            Some(service) => format!("{}/{service}", self.month.key()),
        };
        record(
            conn,
            &self.by,
            AuditAction::PopulationSet,
            &target,
            before.map(|n| json!({ "population": n })),
            Some(json!({ "population": self.population })),
            self.at,
        )
        .await
    }
}

/// Closes a period: freezes its recap at the last response stored now. Closing a closed
/// period answers its first closure.
pub(crate) struct ClosePeriod {
    pub(crate) period: Period,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

impl WriteJob for ClosePeriod {
    type Reply = Closure;

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteContext,
    ) -> Result<Closure, StoreError> {
        // First holds the numbering: a closing of the same period elsewhere waits, then
        // finds it closed.
        let last_seq = hold_response_numbers(conn).await?;
        let unit = &self.by.unit;
        if let Some(existing) = closure_on(conn, unit, self.period).await? {
            return Ok(existing);
        }
        let (start, end) = self.period.span(ctx.zones.offset_of(Some(unit)));
        let mut sql = Sql::new(
            "SELECT COUNT(*) FROM responses WHERE excluded_reason IS NULL AND period_at >= ",
        );
        sql.bind(start).push(" AND period_at < ").bind(end);
        if ctx.zones.is_multi() {
            sql.push(" AND unit = ").bind(unit.clone());
        }
        let respondents = count(&sql.query()?.fetch_one(&mut *conn).await?, 0)?;
        let mut sql = Sql::new(
            "INSERT INTO period_closures (unit, period, closed_at, last_seq, respondents) VALUES (",
        );
        sql.bind(unit.clone())
            .push(", ")
            .bind(self.period.key())
            .push(", ")
            .bind(self.at)
            .push(", ")
            .bind(last_seq)
            .push(", ")
            .bind(i64::try_from(respondents).unwrap_or(i64::MAX))
            .push(")");
        sql.query()?.execute(&mut *conn).await?;
        let closure = Closure {
            period: self.period,
            closed_at: self.at,
            last_seq,
            respondents,
        };
        record_event(conn, unit, &closure, PeriodAction::Close, self.at, None).await?;
        record(
            conn,
            &self.by,
            AuditAction::PeriodClose,
            &self.period.key(),
            None,
            Some(closure_json(&closure)),
            self.at,
        )
        .await?;
        Ok(closure)
    }
}

/// Reopens a period, recording why; answers the closure it removed (None: it was open).
pub(crate) struct ReopenPeriod {
    pub(crate) period: Period,
    pub(crate) at: i64,
    pub(crate) note: Option<String>,
    pub(crate) by: Actor,
}

impl WriteJob for ReopenPeriod {
    type Reply = Option<Closure>;

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        _: &WriteContext,
    ) -> Result<Option<Closure>, StoreError> {
        let unit = &self.by.unit;
        let Some(closure) = closure_on(conn, unit, self.period).await? else {
            return Ok(None);
        };
        let mut sql = Sql::new("DELETE FROM period_closures WHERE unit = ");
        sql.bind(unit.clone())
            .push(" AND period = ")
            .bind(self.period.key());
        sql.query()?.execute(&mut *conn).await?;
        record_event(
            conn,
            unit,
            &closure,
            PeriodAction::Reopen,
            self.at,
            self.note.clone(),
        )
        .await?;
        record(
            conn,
            &self.by,
            AuditAction::PeriodReopen,
            &self.period.key(),
            Some(closure_json(&closure)),
            Some(json!({ "note": self.note })),
            self.at,
        )
        .await?;
        Ok(Some(closure))
    }
}

/// Stores a new follow-up action under its (new, random) id.
pub(crate) struct CreateFollowUp {
    pub(crate) follow_up: FollowUp,
    pub(crate) by: Actor,
}

impl WriteJob for CreateFollowUp {
    type Reply = ();

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<(), StoreError> {
        let f = &self.follow_up;
        let i = &f.input;
        let mut sql = Sql::new(
            "INSERT INTO follow_ups (id, unit, period, element, action, responsible, due, status, suggestions, created_at, updated_at) VALUES (",
        );
        sql.bind(f.id.clone())
            .push(", ")
            .bind(self.by.unit.clone())
            .push(", ")
            .bind_list([
                i.period.key(),
                i.element.key().to_string(),
                i.action.clone(),
                i.responsible.clone(),
                i.due.to_string(),
                i.status.as_str().to_string(),
                i.suggestions_text(),
            ])
            .push(", ")
            .bind_list([f.created_at, f.updated_at])
            .push(")");
        sql.query()?.execute(&mut *conn).await?;
        record(
            conn,
            &self.by,
            AuditAction::FollowUpCreate,
            &f.id,
            None,
            Some(follow_up_json(i)),
            f.created_at,
        )
        .await
    }
}

/// Replaces a follow-up action's fields; answers whether an action has this id.
pub(crate) struct UpdateFollowUp {
    pub(crate) id: String,
    pub(crate) input: FollowUpInput,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

impl WriteJob for UpdateFollowUp {
    type Reply = bool;

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<bool, StoreError> {
        let Some(before) = follow_up_on(conn, &self.by.unit, &self.id).await? else {
            return Ok(false);
        };
        let i = &self.input;
        let mut sql = Sql::new("UPDATE follow_ups SET period = ");
        sql.bind(i.period.key())
            .push(", element = ")
            .bind(i.element.key())
            .push(", action = ")
            .bind(i.action.clone())
            .push(", responsible = ")
            .bind(i.responsible.clone())
            .push(", due = ")
            .bind(i.due.to_string())
            .push(", status = ")
            .bind(i.status.as_str())
            .push(", suggestions = ")
            .bind(i.suggestions_text())
            .push(", updated_at = ")
            .bind(self.at)
            .push(" WHERE id = ")
            .bind(self.id.clone())
            .push(" AND unit = ")
            .bind(self.by.unit.clone());
        sql.query()?.execute(&mut *conn).await?;
        record(
            conn,
            &self.by,
            AuditAction::FollowUpUpdate,
            &self.id,
            Some(follow_up_json(&before.input)),
            Some(follow_up_json(i)),
            self.at,
        )
        .await?;
        Ok(true)
    }
}

/// Deletes a follow-up action; answers whether an action had this id.
pub(crate) struct DeleteFollowUp {
    pub(crate) id: String,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

impl WriteJob for DeleteFollowUp {
    type Reply = bool;

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<bool, StoreError> {
        let Some(before) = follow_up_on(conn, &self.by.unit, &self.id).await? else {
            return Ok(false);
        };
        let mut sql = Sql::new("DELETE FROM follow_ups WHERE id = ");
        sql.bind(self.id.clone())
            .push(" AND unit = ")
            .bind(self.by.unit.clone());
        sql.query()?.execute(&mut *conn).await?;
        record(
            conn,
            &self.by,
            AuditAction::FollowUpDelete,
            &self.id,
            Some(follow_up_json(&before.input)),
            None,
            self.at,
        )
        .await?;
        Ok(true)
    }
}

/// A closure as the audit trail shows it.
fn closure_json(c: &Closure) -> Value {
    json!({ "respondents": c.respondents, "last_seq": c.last_seq, "closed_at": c.closed_at })
}

/// A follow-up action's fields as the audit trail shows them.
fn follow_up_json(i: &FollowUpInput) -> Value {
    json!({
        "period": i.period.key(),
        "element": i.element.key(),
        "action": i.action,
        "responsible": i.responsible,
        "due": i.due.to_string(),
        "status": i.status.as_str(),
        "suggestions": i.suggestions,
    })
}

/// The follow-up action `id` of `unit` (another unit's action is as good as absent).
async fn follow_up_on(
    conn: &mut AnyConnection,
    unit: &str,
    id: &str,
) -> Result<Option<FollowUp>, StoreError> {
    let mut sql = Sql::new(FOLLOW_UP_COLUMNS);
    sql.push(" WHERE id = ")
        .bind(id.to_string())
        .push(" AND unit = ")
        .bind(unit.to_string());
    let row = sql.query()?.fetch_optional(&mut *conn).await?;
    row.as_ref().map(read_follow_up).transpose()
}

const FOLLOW_UP_COLUMNS: &str = "SELECT id, period, element, action, responsible, due, status, \
     suggestions, created_at, updated_at FROM follow_ups";

const CLOSURE_COLUMNS: &str =
    "SELECT period, closed_at, last_seq, respondents FROM period_closures";

async fn closure_on(
    conn: &mut AnyConnection,
    unit: &str,
    period: Period,
) -> Result<Option<Closure>, StoreError> {
    let mut sql = Sql::new(CLOSURE_COLUMNS);
    sql.push(" WHERE unit = ")
        .bind(unit.to_string())
        .push(" AND period = ")
        .bind(period.key());
    let row = sql.query()?.fetch_optional(&mut *conn).await?;
    row.as_ref().map(read_closure).transpose()
}

/// Records a close or reopen of a period.
async fn record_event(
    conn: &mut AnyConnection,
    unit: &str,
    closure: &Closure,
    action: PeriodAction,
    at: i64,
    note: Option<String>,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(
        "INSERT INTO period_events (unit, period, action, at, last_seq, respondents, note) VALUES (",
    );
    sql.bind(unit.to_string())
        .push(", ")
        .bind(closure.period.key())
        .push(", ")
        .bind(action.as_str())
        .push(", ")
        .bind_list([
            at,
            closure.last_seq,
            i64::try_from(closure.respondents).unwrap_or(i64::MAX),
        ])
        .push(", ")
        .bind(note)
        .push(")");
    sql.query()?.execute(&mut *conn).await?;
    Ok(())
}

fn read_period(key: &str) -> Result<Period, StoreError> {
    Period::parse(key).ok_or_else(|| {
        StoreError::new(
            StoreErrorKind::Data,
            format!("stored period `{key}` is not a period"),
        )
    })
}

fn read_closure(row: &AnyRow) -> Result<Closure, StoreError> {
    Ok(Closure {
        period: read_period(&row.try_get::<String, _>(0)?)?,
        closed_at: row.try_get(1)?,
        last_seq: row.try_get(2)?,
        respondents: count(row, 3)?,
    })
}

fn read_follow_up(row: &AnyRow) -> Result<FollowUp, StoreError> {
    // Columns 1 … 7 are the input's fields, in `FollowUpInput::FIELDS` order.
    let pairs: Vec<(&str, String)> = (1..)
        .zip(FollowUpInput::FIELDS)
        .map(|(i, name)| Ok((name, row.try_get::<String, _>(i)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let input = FollowUpInput::from_pairs(&pairs)
        .map_err(|e| StoreError::new(StoreErrorKind::Data, format!("stored follow-up: {e}")))?;
    Ok(FollowUp {
        id: row.try_get(0)?,
        input,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
    })
}

impl Snapshot {
    /// The stored population of each month in `months`, for `service` (`""`: the office, or
    /// when the office has no figure for a month, the sum of its services' figures).
    pub async fn populations(
        &mut self,
        months: &[Period],
        service: &str,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        let keys: Vec<String> = months.iter().map(|m| m.key()).collect();
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Ok(BTreeMap::new());
        };
        let mut sql = Sql::new("SELECT month, service, population FROM populations WHERE unit = ");
        sql.bind(self.unit.clone())
            .push(" AND month >= ")
            .bind(first.clone())
            .push(" AND month <= ")
            .bind(last.clone());
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        let mut own = BTreeMap::new();
        let mut summed: BTreeMap<String, u64> = BTreeMap::new();
        for row in &rows {
            let month: String = row.try_get(0)?;
            let row_service: String = row.try_get(1)?;
            let n = count(row, 2)?;
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
    pub async fn closure(&mut self, period: Period) -> Result<Option<Closure>, StoreError> {
        let unit = self.unit.clone();
        closure_on(self.conn(), &unit, period).await
    }

    /// Every closed period.
    pub async fn closures(&mut self) -> Result<Vec<Closure>, StoreError> {
        let mut sql = Sql::new(CLOSURE_COLUMNS);
        sql.push(" WHERE unit = ")
            .bind(self.unit.clone())
            .push(" ORDER BY period");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter().map(read_closure).collect()
    }

    /// Every close and reopen of `period`, oldest first.
    pub async fn period_events(&mut self, period: Period) -> Result<Vec<PeriodEvent>, StoreError> {
        let mut sql = Sql::new(
            "SELECT period, action, at, respondents, note FROM period_events WHERE unit = ",
        );
        sql.bind(self.unit.clone())
            .push(" AND period = ")
            .bind(period.key())
            .push(" ORDER BY at");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter()
            .map(|r| {
                Ok(PeriodEvent {
                    period: read_period(&r.try_get::<String, _>(0)?)?,
                    action: PeriodAction::parse(&r.try_get::<String, _>(1)?)?,
                    at: r.try_get(2)?,
                    respondents: count(r, 3)?,
                    note: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Every follow-up action, by period then creation.
    pub async fn follow_ups(&mut self) -> Result<Vec<FollowUp>, StoreError> {
        let mut sql = Sql::new(FOLLOW_UP_COLUMNS);
        sql.push(" WHERE unit = ")
            .bind(self.unit.clone())
            .push(" ORDER BY period, created_at, id");
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter().map(read_follow_up).collect()
    }
}
