//! HTTP handlers of the collector: the submission endpoint, reports, export and the office config.

use crate::auth::Viewer;
use crate::csv_export::responses_csv;
use crate::error::ApiError;
use crate::rate_limit::{ClientKeys, ClientLimiter, LoginGuard};
use crate::report::{build_report, parse_request, ReportRequest};
use crate::store::{Insert, NewResponse, Store};
use crate::survey_page::Assets;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::period::reporting_instant;
use ikm_core::submission::SCHEMA;
use ikm_core::time::parse_rfc3339;
use ikm_core::validate::validate;
use ikm_core::{OfficeConfig, Submission};
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// Shared state of every handler.
pub struct App {
    pub store: Store,
    pub config: OfficeConfig,
    /// `config` as JSON, written once: every survey page and prerendered form embeds it.
    pub config_json: String,
    /// `IKM_ADMIN_TOKEN`; None only on a loopback address, where reports are open to local users.
    pub admin_token: Option<String>,
    /// Submissions per client; None when turned off.
    pub limiter: Option<ClientLimiter>,
    /// The anonymous per-client keys both limits use.
    pub client_keys: ClientKeys,
    /// Failed admin logins per client.
    pub logins: LoginGuard,
    /// The clock, replaceable in tests.
    pub now: fn() -> i64,
    /// The widget build the survey page links to; None when it was not built.
    pub assets: Option<Assets>,
    /// Served over HTTPS by this process: session cookies are `Secure`.
    pub https: bool,
    /// `--trusted-proxy`: the only peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl App {
    /// The state for `store` and `config` with the default limits and the system clock.
    pub fn new(store: Store, config: OfficeConfig, admin_token: Option<String>) -> App {
        App {
            store,
            config_json: serde_json::to_string(&config).unwrap_or_default(),
            config,
            admin_token,
            limiter: None,
            client_keys: ClientKeys::default(),
            logins: LoginGuard::new(),
            now: system_now,
            assets: None,
            https: false,
            trusted_proxies: Vec::new(),
        }
    }
}

impl App {
    /// Takes one of this client's submission tokens (a JSON post or a form post alike).
    pub fn check_rate(
        &self,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check(self.client_keys.key(self.client_ip(extensions, headers)))
            .map_err(|retry_after| ApiError::RateLimited { retry_after })
    }

    /// The address of the client a request comes from (used only to key the limits, never stored).
    pub fn client_ip(
        &self,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> Option<std::net::IpAddr> {
        let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
        Some(crate::proxy::client_address(
            peer,
            headers,
            &self.trusted_proxies,
        ))
    }

    /// Whether the browser reached us over HTTPS: this process serves TLS, or a trusted
    /// proxy in front says so.
    pub fn is_https(&self, extensions: &axum::http::Extensions, headers: &HeaderMap) -> bool {
        self.https
            || extensions
                .get::<ConnectInfo<SocketAddr>>()
                .is_some_and(|peer| {
                    crate::proxy::forwarded_https(peer.0.ip(), headers, &self.trusted_proxies)
                })
    }

    /// The unit this server's office reports are for (`""` when the config names none).
    pub fn unit(&self) -> &str {
        self.config.unit.as_deref().unwrap_or_default()
    }

    /// Each region with its units, for account scopes.
    pub fn regions(&self) -> impl Iterator<Item = (&str, &[String])> {
        std::iter::empty()
    }

    /// Which admin token a session opened with it belongs to (a digest prefix), so sessions
    /// end when the token changes.
    pub fn admin_token_key(&self) -> Option<String> {
        self.admin_token
            .as_deref()
            .map(|t| crate::accounts::digest(t).chars().take(16).collect())
    }
}

pub type Shared = Arc<App>;

/// The current Unix time from the system clock.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whether a request declares a JSON body (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads an `ikm-response/1` body: well-formed JSON without duplicate or unknown keys, the
/// right schema, a canonical id, and the `Idempotency-Key` (when sent) equal to that id.
pub fn parse_submission(body: &[u8], headers: &HeaderMap) -> Result<Submission, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::Malformed("the body is not UTF-8".into()))?;
    let submission = Submission::from_json(text).map_err(|e| {
        let at = if e.path.is_empty() {
            String::new()
        } else {
            format!(" at `{}`", e.path)
        };
        ApiError::Malformed(format!("{e}{at}"))
    })?;
    if submission.schema != SCHEMA {
        return Err(ApiError::UnsupportedSchema);
    }
    if !ikm_core::submission::is_canonical_id(&submission.id) {
        return Err(ApiError::InvalidId);
    }
    if let Some(key) = headers.get("idempotency-key") {
        if key.to_str().map(str::trim).ok() != Some(submission.id.as_str()) {
            return Err(ApiError::IdempotencyKeyMismatch);
        }
    }
    Ok(submission)
}

/// `POST /api/v1/responses`: validates with the core crate and stores each id exactly once;
/// 201/200 only after the response is durably committed.
pub async fn post_response(
    State(app): State<Shared>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    app.check_rate(&extensions, &headers)?;
    // Without a JSON content type a browser would post cross-site without a CORS preflight.
    if !is_json(&headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = body.map_err(|rejection| ApiError::UnreadableBody {
        status: rejection.status(),
        detail: rejection.body_text(),
    })?;
    let submission = parse_submission(&body, &headers)?;
    let (reply, insert) = store_submission(&app, submission).await?;
    let status = match insert {
        Insert::Stored => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((status, reply).into_response())
}

/// Validates and stores one parsed submission; shared by the JSON endpoint and the plain form.
/// The reply is the 201/200 JSON answer of the endpoint contract.
pub async fn store_submission(
    app: &App,
    submission: Submission,
) -> Result<(Json<serde_json::Value>, Insert), ApiError> {
    let errors = validate(&submission, &app.config);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let received_at = (app.now)();
    let submitted_at = parse_rfc3339(&submission.submitted_at).unwrap_or(received_at);
    let period_at = reporting_instant(submitted_at, received_at);
    let body =
        ikm_core::json::to_string(&submission).map_err(|e| ApiError::Malformed(e.to_string()))?;
    let id = submission.id.clone();
    let new = NewResponse {
        submission,
        body,
        submitted_at,
        received_at,
        period_at,
    };
    let insert = app.store.insert(new).await?;
    let status = match insert {
        Insert::Stored => "stored",
        Insert::AlreadyStored => "already_stored",
        Insert::Conflict => return Err(ApiError::Conflict),
    };
    Ok((Json(json!({ "id": id, "status": status })), insert))
}

/// The checked query of an admin JSON/CSV call.
fn report_request(app: &App, params: &HashMap<String, String>) -> Result<ReportRequest, ApiError> {
    parse_request(params, &app.config, (app.now)()).map_err(ApiError::BadRequest)
}

/// `GET /api/v1/report`: the recap of a period as JSON.
pub async fn get_report(
    _: Viewer,
    State(app): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let request = report_request(&app, &params)?;
    let mut snapshot = app.store.snapshot().await?;
    let report = build_report(&mut snapshot, &app.config, &request).await?;
    Ok(Json(report).into_response())
}

/// `GET /api/v1/responses.csv` and `/admin/responses.csv`: one row per response, UTF-8.
pub async fn get_csv(
    _: Viewer,
    State(app): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let request = report_request(&app, &params)?;
    let rows = app.store.snapshot().await?.rows(&request.filter).await?;
    let bytes = responses_csv(&rows, &app.config.modules);
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
    Ok(response)
}

/// `GET /office.json`: the collector's own configuration, so the widget it serves agrees with it.
pub async fn office_json(State(app): State<Shared>) -> Response {
    Json(&app.config).into_response()
}
