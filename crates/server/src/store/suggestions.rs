//! Suggestions put to work (docs/suggestions.md): staff mark one as a complaint that needs an
//! answer, or approve it for the waiting-room screen. A mark changes no figure of the index;
//! each change is in the audit trail.

use super::audit::{record, Actor, AuditAction};
use super::error::StoreError;
use super::sql::{key_text, Sql};
use super::writer::{WriteContext, WriteJob};
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// The marks of one suggestion; a `None` field is left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SuggestionMarks {
    pub complaint: Option<bool>,
    pub on_tv: Option<bool>,
}

/// What marking did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkOutcome {
    /// The marks as they now stand, and whether anything changed (a repeat is harmless).
    Done {
        complaint: bool,
        on_tv: bool,
        changed: bool,
    },
    /// No response of the unit has this id.
    Unknown,
    /// The response has no suggestion to mark.
    NoSuggestion,
}

/// One mark write on the response `id` of `by.unit`.
pub(crate) struct MarkSuggestion {
    pub(crate) id: String,
    pub(crate) marks: SuggestionMarks,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

impl WriteJob for MarkSuggestion {
    type Reply = MarkOutcome;

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        ctx: &WriteContext,
    ) -> Result<MarkOutcome, StoreError> {
        let mut sql = Sql::new(
            "SELECT unit, suggestion, CAST(suggestion_complaint AS BIGINT), \
             CAST(suggestion_on_tv AS BIGINT) FROM responses WHERE id = ",
        );
        sql.bind(self.id.clone());
        let Some(row) = sql.query()?.fetch_optional(&mut *conn).await? else {
            return Ok(MarkOutcome::Unknown);
        };
        let row_unit: Option<String> = row.try_get(0)?;
        if ctx.zones.is_multi() && key_text(row_unit.as_deref()) != self.by.unit {
            return Ok(MarkOutcome::Unknown);
        }
        let suggestion: Option<String> = row.try_get(1)?;
        if suggestion.is_none() {
            return Ok(MarkOutcome::NoSuggestion);
        }
        let before = (
            row.try_get::<i64, _>(2)? == 1,
            row.try_get::<i64, _>(3)? == 1,
        );
        let after = (
            self.marks.complaint.unwrap_or(before.0),
            self.marks.on_tv.unwrap_or(before.1),
        );
        let changed = after != before;
        if changed {
            let mut sql = Sql::new("UPDATE responses SET suggestion_complaint = ");
            sql.bind(i16::from(after.0))
                .push(", suggestion_on_tv = ")
                .bind(i16::from(after.1))
                .push(" WHERE id = ")
                .bind(self.id.clone());
            sql.query()?.execute(&mut *conn).await?;
            record(
                conn,
                &self.by,
                AuditAction::SuggestionMark,
                &self.id,
                Some(json!({ "complaint": before.0, "on_tv": before.1 })),
                Some(json!({ "complaint": after.0, "on_tv": after.1 })),
                self.at,
            )
            .await?;
        }
        Ok(MarkOutcome::Done {
            complaint: after.0,
            on_tv: after.1,
            changed,
        })
    }
}
