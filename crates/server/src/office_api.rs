//! The office's own writes as a JSON API (admin token): the monthly population, closing and
//! reopening a period, and the follow-up plan. `/admin`'s forms call the same functions.

use crate::api::{App, Params, Shared, UnitQuery};
use crate::auth::{unit_for, Caller, Editor, Viewer};
use crate::error::ApiError;
use crate::param::{Month, Param};
use crate::report::{cited_texts, FollowUpView, ReportQuery};
use crate::store::Closure;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::config::Slug;
use ikm_core::followup::{read_strings, FollowUp, FollowUpInput};
use ikm_core::json::{self, Value};
use ikm_core::period::Period;
use ikm_core::time::format_rfc3339;
use ikm_core::Lang;
use serde_json::json;

/// The largest population accepted: more than any unit serves in a month.
pub const MAX_POPULATION: u64 = 100_000_000;

/// A month key (`2026-11`) in a URL path, read as the query's `month` is.
pub fn parse_month(text: &str) -> Result<Period, String> {
    Param::<Month>::read(Some(text))
        .required("month")
        .map(|month| month.0)
}

/// A period key in a URL path, read as the query's `period` is.
pub fn parse_period(text: &str) -> Result<Period, String> {
    Param::<Period>::read(Some(text))
        .required("period")
        .copied()
}

/// Checks a population typed into a form (`population`, `service`: blank or absent is the
/// whole office); the figure and the service as an id (none: the office).
pub fn check_population(
    app: &App,
    unit: &str,
    population: &Param<u64>,
    service: &Param<Slug>,
) -> Result<(u64, Option<Slug>), String> {
    let n = *population.required("population")?;
    check_population_figure(app, unit, n, service.as_sent().unwrap_or_default())
}

/// Checks a population figure (from JSON or a form) and the service it is for: a blank
/// service is the whole office, any other must be one of the unit's configured services.
pub fn check_population_figure(
    app: &App,
    unit: &str,
    n: u64,
    service: &str,
) -> Result<(u64, Option<Slug>), String> {
    if n > MAX_POPULATION {
        return Err(format!("`population` must be at most {MAX_POPULATION}"));
    }
    if service.is_empty() {
        return Ok((n, None));
    }
    match Slug::parse(service) {
        Some(id) if app.site_by_key(unit).config.service(service).is_some() => Ok((n, Some(id))),
        _ => Err(format!(
            "`service` `{service}` is not one of the configured services"
        )),
    }
}

/// Closes `period`, freezing its recap (idempotent: a closed period keeps its first closing).
pub async fn close(
    app: &App,
    caller: &Caller,
    unit: &str,
    period: Period,
) -> Result<Closure, ApiError> {
    Ok(app
        .store
        .close_period(period, (app.now)(), caller.acting_for(unit))
        .await?)
}

/// The JSON of a closure.
fn closure_json(c: &Closure) -> serde_json::Value {
    json!({
        "period": c.period.key(),
        "label": c.period.label(Lang::Id),
        "closed": true,
        "closed_at": format_rfc3339(c.closed_at),
        "respondents": c.respondents,
    })
}

/// Reads a JSON object body, or says what is wrong with it.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::Malformed("the body is not UTF-8".into()))?;
    json::parse(text).map_err(|e| {
        let (line, column) = e.line_column(text);
        ApiError::Malformed(format!("{e} at line {line}, column {column}"))
    })
}

/// `PUT /api/v1/population/{YYYY-MM}` with `{"population": N, "service"?: id, "unit"?: id}`
/// (the unit may also be `?unit=`; with a single unit it may be left out).
pub async fn put_population(
    caller: Caller,
    State(app): State<Shared>,
    Path(month): Path<String>,
    Params(params): Params<UnitQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let month = parse_month(&month).map_err(ApiError::NotFound)?;
    let value = json_body(&body)?;
    let mut population = None;
    let mut service = String::new();
    let mut unit = params.unit.as_sent().map(str::to_string);
    json::read_object!(&value, |v| {
        "population" (required) => population = Some(v.i64()?),
        "service" => service = v.string()?,
        "unit" => unit = Some(v.string()?),
    })?;
    let unit = unit_for(&app, &caller, unit.as_deref(), true)?;
    let population =
        population.ok_or_else(|| ApiError::Unprocessable("`population` is missing".into()))?;
    let population = u64::try_from(population).map_err(|_| {
        ApiError::Unprocessable(format!(
            "`population` must be a whole number, got `{population}`"
        ))
    })?;
    let (n, service) = check_population_figure(&app, &unit, population, &service)
        .map_err(ApiError::Unprocessable)?;
    app.store
        .set_population(
            month,
            service.as_ref(),
            n,
            (app.now)(),
            caller.acting_for(&unit),
        )
        .await?;
    let unit = (!unit.is_empty()).then_some(unit);
    Ok(
        Json(json!({ "month": month.key(), "unit": unit, "service": service, "population": n }))
            .into_response(),
    )
}

/// `POST /api/v1/periods/{period}/close`: freezes the period's recap.
pub async fn post_close(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(period): Path<String>,
) -> Result<Response, ApiError> {
    let period = parse_period(&period).map_err(ApiError::NotFound)?;
    let closure = close(&app, &caller, &unit, period).await?;
    Ok(Json(closure_json(&closure)).into_response())
}

/// `POST /api/v1/periods/{period}/reopen` with an optional `{"note": "why"}`.
pub async fn post_reopen(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(period): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let period = parse_period(&period).map_err(ApiError::NotFound)?;
    let mut note = None;
    if !body.iter().all(u8::is_ascii_whitespace) {
        let value = json_body(&body)?;
        let fields = read_strings(&value, &["note"]).map_err(ApiError::Unprocessable)?;
        note = fields.into_iter().next().map(|(_, v)| v);
    }
    let note = check_note(note).map_err(ApiError::Unprocessable)?;
    let removed = app
        .store
        .reopen_period(period, (app.now)(), note, caller.acting_for(&unit))
        .await?;
    Ok(Json(json!({
        "period": period.key(),
        "closed": false,
        "reopened": removed.is_some(),
    }))
    .into_response())
}

/// A reopening's reason: optional, at most 500 clean characters.
pub fn check_note(note: Option<String>) -> Result<Option<String>, String> {
    let Some(note) = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if note.chars().count() > 500 || !ikm_core::validate::is_clean_text(&note) {
        return Err("`note` must be at most 500 characters of plain text".into());
    }
    Ok(Some(note))
}

/// `GET /api/v1/periods/{period}`: whether it is closed, and every close and reopen.
pub async fn get_period(
    Viewer(_, unit): Viewer,
    State(app): State<Shared>,
    Path(period): Path<String>,
) -> Result<Response, ApiError> {
    let period = parse_period(&period).map_err(ApiError::NotFound)?;
    let mut snapshot = app.store.snapshot().await?;
    snapshot.for_unit(&unit);
    let closure = snapshot.closure(period).await?;
    let events: Vec<_> = snapshot
        .period_events(period)
        .await?
        .into_iter()
        .map(|e| {
            json!({ "action": e.action.as_str(), "at": format_rfc3339(e.at), "respondents": e.respondents, "note": e.note })
        })
        .collect();
    Ok(Json(json!({
        "period": period.key(),
        "label": period.label(Lang::Id),
        "closed": closure.is_some(),
        "closed_at": closure.as_ref().map(|c| format_rfc3339(c.closed_at)),
        "events": events,
    }))
    .into_response())
}

/// `GET /api/v1/follow-ups[?period=…&lang=en]`: every action, or for a period its plan and
/// the unfinished actions carried from earlier periods.
pub async fn list_follow_ups(
    Viewer(_, unit): Viewer,
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let lang = params.lang().map_err(ApiError::BadRequest)?;
    let mut snapshot = app.store.snapshot().await?;
    let all = snapshot.for_unit(&unit).follow_ups().await?;
    let texts = cited_texts(&mut snapshot, &all).await?;
    let view = |f: &FollowUp| FollowUpView::new(f, lang, &texts);
    let body = match params
        .period
        .checked("period")
        .map_err(ApiError::BadRequest)?
    {
        None => json!({ "follow_ups": all.iter().map(view).collect::<Vec<_>>() }),
        Some(period) => {
            let (first, last) = (period.first_day(), period.last_day());
            json!({
                "period": period.key(),
                "plan": all.iter().filter(|f| f.planned_within(first, last)).map(view).collect::<Vec<_>>(),
                "carried": all.iter().filter(|f| f.carried_into(first)).map(view).collect::<Vec<_>>(),
            })
        }
    };
    Ok(Json(body).into_response())
}

/// Stores a new action; shared by the API and `/admin`'s form.
pub async fn create_follow_up(
    app: &App,
    caller: &Caller,
    unit: &str,
    input: FollowUpInput,
) -> Result<FollowUp, ApiError> {
    let now = (app.now)();
    let follow_up = FollowUp {
        id: uuid::Uuid::new_v4().to_string(),
        input,
        created_at: now,
        updated_at: now,
    };
    app.store
        .create_follow_up(follow_up.clone(), caller.acting_for(unit))
        .await?;
    Ok(follow_up)
}

fn body_text(body: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|_| ApiError::Malformed("the body is not UTF-8".into()))
}

/// `POST /api/v1/follow-ups`: 201 with the stored action.
pub async fn post_follow_up(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = FollowUpInput::from_json(body_text(&body)?).map_err(ApiError::Unprocessable)?;
    let stored = create_follow_up(&app, &caller, &unit, input).await?;
    let mut snapshot = app.store.snapshot().await?;
    let texts = cited_texts(snapshot.for_unit(&unit), std::slice::from_ref(&stored)).await?;
    Ok((
        StatusCode::CREATED,
        Json(FollowUpView::new(&stored, Lang::Id, &texts)),
    )
        .into_response())
}

/// `PUT /api/v1/follow-ups/{id}`: replaces the action's fields (send all of them).
pub async fn put_follow_up(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = FollowUpInput::from_json(body_text(&body)?).map_err(ApiError::Unprocessable)?;
    if !app
        .store
        .update_follow_up(&id, input, (app.now)(), caller.acting_for(&unit))
        .await?
    {
        return Err(ApiError::NotFound(format!("no follow-up action `{id}`")));
    }
    let mut snapshot = app.store.snapshot().await?;
    let stored = snapshot.for_unit(&unit).follow_ups().await?;
    let updated = stored
        .iter()
        .find(|f| f.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("no follow-up action `{id}`")))?;
    let texts = cited_texts(&mut snapshot, std::slice::from_ref(updated)).await?;
    Ok(Json(FollowUpView::new(updated, Lang::Id, &texts)).into_response())
}

/// `DELETE /api/v1/follow-ups/{id}`: 204.
pub async fn delete_follow_up(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if !app
        .store
        .delete_follow_up(&id, (app.now)(), caller.acting_for(&unit))
        .await?
    {
        return Err(ApiError::NotFound(format!("no follow-up action `{id}`")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
