//! The audit trail: every change made through the product, appended in the same transaction
//! as the change itself (so there is no change without its event and no event without its
//! change). Nothing here updates or deletes an event.

use super::error::{StoreError, StoreErrorKind};
use super::sql::Sql;
use super::writer::{WriteContext, WriteJob};
use super::Snapshot;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// What was done; the stored and published names are `area.verb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    PeriodClose,
    PeriodReopen,
    PopulationSet,
    FollowUpCreate,
    FollowUpUpdate,
    FollowUpDelete,
    UserAdd,
    UserRemove,
    TokenCreate,
    LoginSuccess,
    LoginFailed,
    Logout,
    CodesMint,
    ResponseExclude,
    ResponseInclude,
    SuggestionMark,
}

impl AuditAction {
    /// Every action, for documentation and tests.
    pub const ALL: [AuditAction; 16] = [
        AuditAction::PeriodClose,
        AuditAction::PeriodReopen,
        AuditAction::PopulationSet,
        AuditAction::FollowUpCreate,
        AuditAction::FollowUpUpdate,
        AuditAction::FollowUpDelete,
        AuditAction::UserAdd,
        AuditAction::UserRemove,
        AuditAction::TokenCreate,
        AuditAction::LoginSuccess,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::CodesMint,
        AuditAction::ResponseExclude,
        AuditAction::ResponseInclude,
        AuditAction::SuggestionMark,
    ];

    /// The stored and published name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::PeriodClose => "period.close",
            AuditAction::PeriodReopen => "period.reopen",
            AuditAction::PopulationSet => "population.set",
            AuditAction::FollowUpCreate => "followup.create",
            AuditAction::FollowUpUpdate => "followup.update",
            AuditAction::FollowUpDelete => "followup.delete",
            AuditAction::UserAdd => "user.add",
            AuditAction::UserRemove => "user.remove",
            AuditAction::TokenCreate => "token.create",
            AuditAction::LoginSuccess => "login.success",
            AuditAction::LoginFailed => "login.failed",
            AuditAction::Logout => "logout",
            AuditAction::CodesMint => "codes.mint",
            AuditAction::ResponseExclude => "response.exclude",
            AuditAction::ResponseInclude => "response.include",
            AuditAction::SuggestionMark => "suggestion.mark",
        }
    }
}

/// Who makes a change, and for which unit (`""`: none in particular, e.g. a login).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub unit: String,
}

impl Actor {
    /// `name` acting for `unit`.
    pub fn new(name: &str, unit: &str) -> Actor {
        Actor {
            name: name.into(),
            unit: unit.into(),
        }
    }
}

/// One recorded event, as stored and as `GET /api/v1/audit` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub unit: String,
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends one event inside the caller's transaction, numbered from the locked `audit` row.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    by: &Actor,
    action: AuditAction,
    target: &str,
    before: Option<Value>,
    after: Option<Value>,
    at: i64,
) -> Result<(), StoreError> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE sequences SET last = last + 1 WHERE name = 'audit' RETURNING last",
    )
    .fetch_one(&mut *conn)
    .await?;
    let json = |v: Option<Value>| v.map(|v| v.to_string());
    let mut sql = Sql::new(
        "INSERT INTO audit_events (seq, at, actor, action, unit, target, before_json, after_json) VALUES (",
    );
    sql.bind_list([seq, at])
        .push(", ")
        .bind_list([
            by.name.clone(),
            action.as_str().to_string(),
            by.unit.clone(),
            target.to_string(),
        ])
        .push(", ")
        .bind_list([json(before), json(after)])
        .push(")");
    sql.query()?.execute(&mut *conn).await?;
    Ok(())
}

/// An event with no other change (a login, a failed login, a logout).
pub(crate) struct RecordEvent {
    pub(crate) by: Actor,
    pub(crate) action: AuditAction,
    pub(crate) target: String,
    pub(crate) at: i64,
}

impl WriteJob for RecordEvent {
    type Reply = ();

    async fn apply(&self, conn: &mut AnyConnection, _: &WriteContext) -> Result<(), StoreError> {
        record(
            conn,
            &self.by,
            self.action,
            &self.target,
            None,
            None,
            self.at,
        )
        .await
    }
}

/// Which events to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only these units' events (`""` is the events of no unit); None: every unit.
    pub units: Option<Vec<String>>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    /// At most this many, newest first.
    pub limit: u32,
}

impl Snapshot {
    /// The events `query` asks for, newest first.
    pub async fn audit_events(
        &mut self,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let mut sql = Sql::new(
            "SELECT seq, at, actor, action, unit, target, before_json, after_json FROM audit_events WHERE 1 = 1",
        );
        if let Some(units) = &query.units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            sql.push(" AND unit IN (")
                .bind_list(units.iter().cloned())
                .push(")");
        }
        if let Some(from) = query.from {
            sql.push(" AND at >= ").bind(from);
        }
        if let Some(to) = query.to {
            sql.push(" AND at < ").bind(to);
        }
        sql.push(" ORDER BY seq DESC LIMIT ")
            .bind(i64::from(query.limit));
        let rows = sql.query()?.fetch_all(self.conn()).await?;
        rows.iter().map(read_event).collect()
    }
}

fn read_event(row: &AnyRow) -> Result<AuditEvent, StoreError> {
    let json = |i: usize| -> Result<Option<Value>, StoreError> {
        row.try_get::<Option<String>, _>(i)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    StoreError::new(
                        StoreErrorKind::Data,
                        format!("stored audit value is not JSON: {e}"),
                    )
                })
            })
            .transpose()
    };
    Ok(AuditEvent {
        seq: row.try_get(0)?,
        at: row.try_get(1)?,
        actor: row.try_get(2)?,
        action: row.try_get(3)?,
        unit: row.try_get(4)?,
        target: row.try_get(5)?,
        before: json(6)?,
        after: json(7)?,
    })
}
