//! Review (docs/review.md): an admin of the unit excludes responses from the recap with a
//! reason, or takes them back in, through the API or the `/admin` page's forms.

use crate::admin::{back_to, AdminForm};
use crate::api::{App, Shared};
use crate::auth::{Caller, Editor};
use crate::error::ApiError;
use crate::office_api::json_body;
use crate::param::Param;
use crate::store::{ReviewChange, ReviewOutcome};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::json::{self, Value};
use ikm_core::period::Period;
use serde_json::json;

/// Most responses one review names (a flagged group is far smaller).
pub const MAX_REVIEWED: usize = 1000;

/// A reason for an exclusion: 3 to 300 characters of plain text, trimmed.
pub fn check_reason(reason: &str) -> Result<String, String> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if !(3..=300).contains(&n) || !ikm_core::validate::is_clean_text(reason) {
        return Err("`reason` must be 3 to 300 characters of plain text".into());
    }
    Ok(reason.to_string())
}

/// Response ids as a list: 1 to [`MAX_REVIEWED`] canonical ids.
fn check_ids(ids: Vec<String>) -> Result<Vec<String>, ApiError> {
    if ids.is_empty() || ids.len() > MAX_REVIEWED {
        return Err(ApiError::Unprocessable(format!(
            "`responses` must name 1 to {MAX_REVIEWED} response ids"
        )));
    }
    if let Some(bad) = ids
        .iter()
        .find(|id| !ikm_core::submission::is_canonical_id(id))
    {
        return Err(ApiError::Unprocessable(format!(
            "`responses`: `{bad}` is not a response id"
        )));
    }
    Ok(ids)
}

/// Carries out one review for `unit`; the ids changed and those that had the status already.
pub async fn apply_review(
    app: &App,
    caller: &Caller,
    unit: &str,
    ids: Vec<String>,
    change: ReviewChange,
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let ids = check_ids(ids)?;
    let outcome = app
        .store
        .review(ids, change, (app.now)(), caller.acting_for(unit))
        .await?;
    match outcome {
        ReviewOutcome::Done { changed, unchanged } => Ok((changed, unchanged)),
        ReviewOutcome::Unknown(ids) => Err(ApiError::NotFound(format!(
            "no response of this unit has the id {}",
            ids.join(", ")
        ))),
        ReviewOutcome::Closed { id, period } => Err(ApiError::PeriodClosed(format!(
            "response {id} belongs to the closed period {}: reopen it first",
            period.key()
        ))),
    }
}

/// Reads `{"responses": [ids], "reason"?: text}`.
fn read_body(body: &[u8], with_reason: bool) -> Result<(Vec<String>, Option<String>), ApiError> {
    let value = json_body(body)?;
    let mut ids = Vec::new();
    let mut reason = None;
    json::read_object!(&value, |v| {
        "responses" (required) => ids = v.list(Value::string)?,
        "reason" => reason = Some(v.string()?),
    })?;
    if !with_reason && reason.is_some() {
        return Err(ApiError::Unprocessable(
            "taking responses back in needs no `reason`".into(),
        ));
    }
    Ok((ids, reason))
}

/// `POST /api/v1/exclusions` with `{"responses": [ids], "reason": text}`.
pub async fn post_exclusions(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (ids, reason) = read_body(&body, true)?;
    let reason = check_reason(reason.as_deref().unwrap_or("")).map_err(ApiError::Unprocessable)?;
    let (changed, unchanged) =
        apply_review(&app, &caller, &unit, ids, ReviewChange::Exclude { reason }).await?;
    Ok(Json(json!({ "excluded": changed, "unchanged": unchanged })).into_response())
}

/// `POST /api/v1/exclusions/undo` with `{"responses": [ids]}`: counted again.
pub async fn post_exclusions_undo(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (ids, _) = read_body(&body, false)?;
    let (changed, unchanged) =
        apply_review(&app, &caller, &unit, ids, ReviewChange::Include).await?;
    Ok(Json(json!({ "included": changed, "unchanged": unchanged })).into_response())
}

/// `DELETE /api/v1/exclusions/{id}`: one response counted again.
pub async fn delete_exclusion(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (changed, unchanged) =
        apply_review(&app, &caller, &unit, vec![id], ReviewChange::Include).await?;
    Ok(Json(json!({ "included": changed, "unchanged": unchanged })).into_response())
}

/// The ids of a form field: separated by spaces, commas or new lines.
fn form_ids(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /admin/exclusions`'s fields (and the undo's, without a reason): the response ids
/// separated by spaces, commas or lines, and the period to go back to.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExclusionFields {
    pub responses: Option<String>,
    pub reason: Option<String>,
    pub period: Param<Period>,
}

/// `POST /admin/exclusions` (fields `responses`, `reason`, `period`), back to `/admin`.
pub async fn post_exclusions_form(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, .. }: AdminForm<ExclusionFields>,
) -> Result<Response, ApiError> {
    let reason =
        check_reason(form.reason.as_deref().unwrap_or("")).map_err(ApiError::BadRequest)?;
    let ids = form_ids(form.responses.as_deref().unwrap_or(""));
    apply_review(&app, &caller, &unit, ids, ReviewChange::Exclude { reason }).await?;
    Ok(back_to(&app, &unit, &form.period))
}

/// `POST /admin/exclusions/undo` (fields `responses`, `period`), back to `/admin`.
pub async fn post_exclusions_undo_form(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, .. }: AdminForm<ExclusionFields>,
) -> Result<Response, ApiError> {
    let ids = form_ids(form.responses.as_deref().unwrap_or(""));
    apply_review(&app, &caller, &unit, ids, ReviewChange::Include).await?;
    Ok(back_to(&app, &unit, &form.period))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_short_plain_text() {
        assert_eq!(
            check_reason("  Uji coba petugas ").unwrap(),
            "Uji coba petugas"
        );
        assert!(check_reason("ab").is_err());
        assert!(check_reason(&"x".repeat(301)).is_err());
    }

    #[test]
    fn form_ids_split_on_spaces_commas_and_lines() {
        assert_eq!(form_ids("a, b\nc  d"), ["a", "b", "c", "d"]);
        assert!(form_ids(" \n").is_empty());
    }
}
