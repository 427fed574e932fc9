//! HTTP handlers of the collector: the submission endpoint, reports, export and the office config.

use crate::auth::authorised;
use crate::rate_limit::RateLimiter;
use crate::report::{build_report, parse_request, ReportRequest};
use crate::store::{Insert, NewResponse, Store};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::delivery::ErrorReply;
use ikm_core::questionnaire::Choice;
use ikm_core::submission::SCHEMA;
use ikm_core::time::parse_rfc3339;
use ikm_core::validate::validate;
use ikm_core::{Element, OfficeConfig, Submission};
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// Shared state of every handler.
pub struct App {
    pub store: Store,
    pub config: OfficeConfig,
    /// `IKM_ADMIN_TOKEN`; None only on a loopback address, where reports are open to local users.
    pub admin_token: Option<String>,
    pub limiter: Option<RateLimiter>,
    /// The clock, replaceable in tests.
    pub now: fn() -> i64,
}

/// Device clocks may run a little fast; beyond this a submission time in the future is not trusted.
const CLOCK_SKEW_SECS: i64 = 300;

pub type Shared = Arc<App>;

fn error(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": code, "detail": detail.into() })),
    )
        .into_response()
}

/// The current Unix time from the system clock.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `POST /api/v1/responses`: validates with the core crate and stores each id exactly once.
pub async fn post_response(
    State(app): State<Shared>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(limiter) = &app.limiter {
        let client = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Err(wait) = limiter.check(client, Instant::now()) {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many submissions; try again later",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            return response;
        }
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return error(rejection.status(), "unreadable_body", rejection.body_text())
        }
    };
    let submission: Submission = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", e.to_string()),
    };
    if submission.schema != SCHEMA {
        return error(
            StatusCode::BAD_REQUEST,
            "unsupported_schema",
            format!("expected schema `{SCHEMA}`"),
        );
    }
    if let Some(key) = headers.get("idempotency-key") {
        if key.to_str().map(str::trim).ok() != Some(submission.id.as_str()) {
            return error(
                StatusCode::BAD_REQUEST,
                "idempotency_key_mismatch",
                "Idempotency-Key must equal the payload's id",
            );
        }
    }
    let errors = validate(&submission, &app.config);
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ErrorReply { errors }),
        )
            .into_response();
    }
    let received_at = (app.now)();
    let submitted_at = parse_rfc3339(&submission.submitted_at).unwrap_or(received_at);
    let period_at = if submitted_at > received_at + CLOCK_SKEW_SECS {
        received_at
    } else {
        submitted_at
    };
    let body = match serde_json::to_string(&submission) {
        Ok(b) => b,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()),
    };
    let id = submission.id.clone();
    let new = NewResponse {
        submission,
        body,
        submitted_at,
        received_at,
        period_at,
    };
    match app.store.insert(new).await {
        Ok(Insert::Stored) => (
            StatusCode::CREATED,
            Json(json!({ "id": id, "status": "stored" })),
        )
            .into_response(),
        Ok(Insert::AlreadyStored) => (
            StatusCode::OK,
            Json(json!({ "id": id, "status": "already_stored" })),
        )
            .into_response(),
        Ok(Insert::Conflict) => error(
            StatusCode::CONFLICT,
            "conflict",
            "this id is already stored with different answers",
        ),
        Err(e) => {
            eprintln!("ikm serve: storing a response failed: {e}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is unavailable; try again later",
            )
        }
    }
}

/// Checks the admin token; Some(reply) to send when it is missing or wrong.
pub fn require_admin(app: &App, headers: &HeaderMap, challenge: &'static str) -> Option<Response> {
    let token = app.admin_token.as_ref()?;
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if authorised(header, token) {
        return None;
    }
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "send Authorization: Bearer $IKM_ADMIN_TOKEN",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    Some(response)
}

/// The checked request of an admin JSON/CSV call, or the 401/400 reply to send instead.
fn admin_request(
    app: &App,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    challenge: &'static str,
) -> Result<ReportRequest, Box<Response>> {
    if let Some(denied) = require_admin(app, headers, challenge) {
        return Err(Box::new(denied));
    }
    parse_request(params, &app.config, (app.now)())
        .map_err(|why| Box::new(error(StatusCode::BAD_REQUEST, "bad_request", why)))
}

/// `GET /api/v1/report`: the recap of a period as JSON.
pub async fn get_report(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let request = match admin_request(&app, &headers, &params, "Bearer") {
        Ok(r) => r,
        Err(reply) => return *reply,
    };
    match build_report(&app.store, &app.config, &request).await {
        Ok(report) => Json(report).into_response(),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            e.to_string(),
        ),
    }
}

/// Columns of the export, in order; the nine element keys let `ikm score` read it back.
pub fn csv_header() -> Vec<&'static str> {
    let mut columns = vec![
        "id",
        "submitted_at",
        "received_at",
        "unit",
        "service",
        "counter",
        "lang",
        "gender",
        "age",
        "education",
        "occupation",
        "occupation_other",
    ];
    columns.extend(Element::ALL.iter().map(|e| e.key()));
    columns.push("suggestion");
    columns
}

/// `GET /api/v1/responses.csv`: one row per response, UTF-8, quoted as needed.
pub async fn get_csv(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    csv_export(&app, &headers, &params, "Bearer").await
}

/// `GET /admin/responses.csv`: the same export under /admin, where the browser resends its Basic login.
pub async fn admin_csv(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    csv_export(&app, &headers, &params, "Basic realm=\"IKM admin\"").await
}

async fn csv_export(
    app: &App,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    challenge: &'static str,
) -> Response {
    let request = match admin_request(app, headers, params, challenge) {
        Ok(r) => r,
        Err(reply) => return *reply,
    };
    let rows = match app.store.rows(&request.filter).await {
        Ok(rows) => rows,
        Err(e) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            )
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<(), csv::Error> {
        out.write_record(csv_header())?;
        for row in &rows {
            let s = &row.submission;
            let r = &s.respondent;
            let mut record: Vec<String> = vec![
                s.id.clone(),
                s.submitted_at.clone(),
                ikm_core::time::format_rfc3339(row.received_at),
                s.unit.clone().unwrap_or_default(),
                s.service.clone().unwrap_or_default(),
                s.counter.clone().unwrap_or_default(),
                s.lang.code().into(),
                r.gender.map_or("", Choice::code).into(),
                r.age.map(|a| a.to_string()).unwrap_or_default(),
                r.education.map_or("", Choice::code).into(),
                r.occupation.map_or("", Choice::code).into(),
                r.occupation_other.clone().unwrap_or_default(),
            ];
            record.extend(
                Element::ALL
                    .iter()
                    .map(|e| s.answers.get(*e).map(|v| v.to_string()).unwrap_or_default()),
            );
            record.push(s.suggestion.clone().unwrap_or_default());
            out.write_record(&record)?;
        }
        out.flush()?;
        Ok(())
    };
    if let Err(e) = write() {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string());
    }
    let bytes = out.into_inner().unwrap_or_default();
    let filename = format!(
        "attachment; filename=\"ikm-responses-{}-{}.csv\"",
        request.from, request.to
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&filename) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `GET /office.json`: the collector's own configuration, so the widget it serves agrees with it.
pub async fn office_json(State(app): State<Shared>) -> Response {
    Json(&app.config).into_response()
}
