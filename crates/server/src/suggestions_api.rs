//! Suggestions put to work (docs/suggestions.md): an admin of the unit marks a suggestion as
//! a complaint that needs an answer, or approves it for the waiting-room screen, through the
//! API or the `/admin` page's buttons. Each change is audited as `suggestion.mark`.

use crate::admin::{back_to, AdminForm};
use crate::api::{App, Shared};
use crate::auth::{Caller, Editor};
use crate::error::ApiError;
use crate::office_api::json_body;
use crate::param::Param;
use crate::store::{MarkOutcome, SuggestionMarks};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::json;
use ikm_core::period::Period;
use serde_json::json;

/// The marks of a suggestion as they stand after a mark, and whether it changed them.
struct Marked {
    complaint: bool,
    on_tv: bool,
    changed: bool,
}

/// Marks the suggestion of response `id` of `unit`.
async fn mark(
    app: &App,
    caller: &Caller,
    unit: &str,
    id: String,
    marks: SuggestionMarks,
) -> Result<Marked, ApiError> {
    if !ikm_core::submission::is_canonical_id(&id) {
        return Err(ApiError::Unprocessable(format!(
            "`{id}` is not a response id"
        )));
    }
    if marks == SuggestionMarks::default() {
        return Err(ApiError::Unprocessable(
            "give `complaint`, `on_tv` or both (true or false)".into(),
        ));
    }
    let outcome = app
        .store
        .mark_suggestion(id.clone(), marks, (app.now)(), caller.acting_for(unit))
        .await?;
    match outcome {
        MarkOutcome::Unknown => Err(ApiError::NotFound(format!(
            "no response of this unit has the id {id}"
        ))),
        MarkOutcome::NoSuggestion => Err(ApiError::Unprocessable(format!(
            "response {id} has no suggestion to mark"
        ))),
        MarkOutcome::Done {
            complaint,
            on_tv,
            changed,
        } => Ok(Marked {
            complaint,
            on_tv,
            changed,
        }),
    }
}

/// `PUT /api/v1/suggestions/{id}` with `{"complaint"?: bool, "on_tv"?: bool}`.
pub async fn put_suggestion(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = json_body(&body)?;
    let mut marks = SuggestionMarks::default();
    json::read_object!(&value, |v| {
        "complaint" => marks.complaint = Some(v.bool()?),
        "on_tv" => marks.on_tv = Some(v.bool()?),
    })?;
    let m = mark(&app, &caller, &unit, id.clone(), marks).await?;
    Ok(Json(json!({
        "id": id,
        "complaint": m.complaint,
        "on_tv": m.on_tv,
        "changed": m.changed,
    }))
    .into_response())
}

/// `POST /admin/suggestions`'s fields: the response, the marks as `1`/`0`, and the period
/// to go back to.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SuggestionFields {
    pub response: Option<String>,
    pub complaint: Param<bool>,
    pub on_tv: Param<bool>,
    pub period: Param<Period>,
}

/// `POST /admin/suggestions` (fields `response`, `complaint` or `on_tv` as `1`/`0`, `period`),
/// back to `/admin`.
pub async fn post_suggestion_form(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, .. }: AdminForm<SuggestionFields>,
) -> Result<Response, ApiError> {
    let flag = |name: &str, value: &Param<bool>| -> Result<Option<bool>, ApiError> {
        Ok(value.checked(name).map_err(ApiError::BadRequest)?.copied())
    };
    let marks = SuggestionMarks {
        complaint: flag("complaint", &form.complaint)?,
        on_tv: flag("on_tv", &form.on_tv)?,
    };
    let id = form.response.clone().unwrap_or_default();
    mark(&app, &caller, &unit, id, marks).await?;
    Ok(back_to(&app, &unit, &form.period))
}
