//! HTTP handlers of the collector: the submission endpoint, reports, export and the office config.

use crate::auth::{Reader, Subject, Viewer};
use crate::codes::{check_code, CodeSecret};
use crate::csv_export::responses_csv;
use crate::error::ApiError;
use crate::param::Param;
use crate::proof::Sender;
use crate::rate_limit::{ClientKeys, ClientLimiter, LoginGuard};
use crate::report::{
    add_suggestions, build_region_report, build_report, parse_request, ReportQuery, ReportRequest,
};
use crate::store::{Insert, NewResponse, Store};
use crate::survey_page::Assets;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::config::Slug;
use ikm_core::period::reporting_instant;
use ikm_core::submission::SCHEMA;
use ikm_core::time::parse_rfc3339;
use ikm_core::validate::{field, validate};
use ikm_core::{Deployment, ErrorCode, FieldError, OfficeConfig, Region, Submission};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

/// One unit this collector serves: its office configuration and what is derived from it once.
pub struct Site {
    pub config: OfficeConfig,
    /// `config` as JSON, written once: every survey page and prerendered form embeds it.
    pub config_json: String,
}

impl Site {
    pub fn new(config: OfficeConfig) -> Site {
        Site {
            config_json: serde_json::to_string(&config).unwrap_or_default(),
            config,
        }
    }

    /// The unit id its office records are kept under (`""` when a single office names none).
    pub fn key(&self) -> &str {
        self.config.unit.as_deref().unwrap_or_default()
    }
}

/// What a report or page is about: one unit, a region's units, or every unit.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    Unit(&'a Site),
    Region(&'a Region),
    All,
}

/// Shared state of every handler.
pub struct App {
    pub store: Store,
    /// The first configured unit: the office of a single-office setup.
    primary: Site,
    /// The other units, in configured order.
    others: Vec<Site>,
    /// The regions grouping the units.
    pub regions: Vec<Region>,
    /// `IKM_ADMIN_TOKEN`; None only on a loopback address, where reports are open to local users.
    pub admin_token: Option<String>,
    /// Submissions per client; None when turned off.
    pub limiter: Option<ClientLimiter>,
    /// Moves between screens without JavaScript per client, apart from the submissions so
    /// that one respondent's screens never use those up; None when turned off.
    pub moves: Option<ClientLimiter>,
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
    /// `IKM_CODE_SECRET`: the units' service-code keys come from it; None turns codes off.
    pub codes: Option<CodeSecret>,
    /// Signs proof-of-work challenges (docs/review.md); shared by replicas through the code secret.
    pub proofs: crate::proof::ProofKey,
}

impl App {
    /// The state for `store` and `config` with the default limits and the system clock.
    pub fn new(store: Store, config: OfficeConfig, admin_token: Option<String>) -> App {
        App::for_deployment(store, Deployment::single(config), admin_token)
    }

    /// The state for every unit and region of `deployment`.
    pub fn for_deployment(
        store: Store,
        deployment: Deployment,
        admin_token: Option<String>,
    ) -> App {
        let mut units = deployment.units.into_iter().map(Site::new);
        let primary = units
            .next()
            .unwrap_or_else(|| Site::new(OfficeConfig::default()));
        App {
            store,
            primary,
            others: units.collect(),
            regions: deployment.regions,
            admin_token,
            limiter: None,
            moves: None,
            client_keys: ClientKeys::default(),
            logins: LoginGuard::new(),
            now: system_now,
            assets: None,
            https: false,
            trusted_proxies: Vec::new(),
            codes: None,
            proofs: crate::proof::ProofKey::random(),
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
        self.check_sends(extensions, headers)
            .map_err(|retry_after| ApiError::RateLimited { retry_after })
    }

    /// The same, as the seconds to wait: the form without JavaScript answers with a page.
    pub fn check_sends(
        &self,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> Result<(), u64> {
        self.take(self.limiter.as_ref(), extensions, headers)
    }

    /// Takes one of this client's move tokens; `Err(seconds)` says how long to wait.
    pub fn check_moves(
        &self,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> Result<(), u64> {
        self.take(self.moves.as_ref(), extensions, headers)
    }

    /// Takes one of this client's tokens from `limiter`, if the limit is on.
    fn take(
        &self,
        limiter: Option<&ClientLimiter>,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> Result<(), u64> {
        match limiter {
            Some(limiter) => {
                limiter.check(self.client_keys.key(self.client_ip(extensions, headers)))
            }
            None => Ok(()),
        }
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

    /// Each region with its units, for account scopes.
    pub fn regions(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.regions
            .iter()
            .map(|r| (r.id.as_str(), r.units.as_slice()))
    }

    /// Whether more than one unit is served (then requests name their unit).
    pub fn is_multi_unit(&self) -> bool {
        !self.others.is_empty()
    }

    /// The first configured unit: the office of a single-office setup.
    pub fn first_site(&self) -> &Site {
        &self.primary
    }

    /// Every unit, in configured order.
    pub fn sites(&self) -> impl Iterator<Item = &Site> {
        std::iter::once(&self.primary).chain(&self.others)
    }

    /// The unit a request names (`unit=`, `"unit"`); with a single unit it may be left out.
    /// An unknown or (with many units) missing unit is a 422 naming `unit`.
    pub fn site(&self, unit: Option<&str>) -> Result<&Site, ApiError> {
        let unit = unit.map(str::trim).filter(|u| !u.is_empty());
        match unit {
            None if !self.is_multi_unit() => Ok(self.first_site()),
            None => Err(ApiError::Invalid(vec![FieldError::new(
                "unit",
                ErrorCode::Required,
            )])),
            Some(id) => self.sites().find(|s| s.key() == id).ok_or_else(|| {
                ApiError::Invalid(vec![FieldError::new("unit", ErrorCode::InvalidChoice)])
            }),
        }
    }

    /// The unit whose records are kept under `key` (a key checked by [`App::site`] before).
    pub fn site_by_key(&self, key: &str) -> &Site {
        self.sites()
            .find(|s| s.key() == key)
            .unwrap_or(&self.primary)
    }

    /// The units a [`Subject`] names.
    pub fn target(&self, subject: &Subject) -> Result<Target<'_>, ApiError> {
        Ok(match subject {
            Subject::Unit(key) => Target::Unit(self.site_by_key(key)),
            Subject::Region(id) => Target::Region(self.region(id)?),
            Subject::All => Target::All,
        })
    }

    /// The checked report query for `site`: its days in its time zone, and (with many units)
    /// only its responses.
    pub fn unit_request(
        &self,
        params: &ReportQuery,
        site: &Site,
    ) -> Result<ReportRequest, ApiError> {
        let mut request =
            parse_request(params, &site.config, (self.now)()).map_err(ApiError::BadRequest)?;
        request.filter.unit = self.is_multi_unit().then(|| site.key().to_string());
        Ok(request)
    }

    /// The region with this id, or a 422 naming `region`.
    pub fn region(&self, id: &str) -> Result<&Region, ApiError> {
        self.regions.iter().find(|r| r.id == id).ok_or_else(|| {
            ApiError::Invalid(vec![FieldError::new("region", ErrorCode::InvalidChoice)])
        })
    }

    /// The units of a target, in configured order.
    pub fn sites_of<'a>(&'a self, target: Target<'a>) -> Vec<&'a Site> {
        match target {
            Target::Unit(site) => vec![site],
            Target::Region(region) => self
                .sites()
                .filter(|s| region.units.iter().any(|u| u == s.key()))
                .collect(),
            Target::All => self.sites().collect(),
        }
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

/// `url` with `unit=KEY` added when the deployment has more than one unit (pages link and post
/// within their unit); unchanged for a single office.
pub fn with_unit(app: &App, unit: &str, url: &str) -> String {
    if !app.is_multi_unit() || unit.is_empty() {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}unit={unit}")
}

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
    let sender = Sender::Device {
        ip: app.client_ip(&extensions, &headers),
        proof: headers
            .get(crate::proof::PROOF_HEADER)
            .and_then(|v| v.to_str().ok()),
    };
    let (reply, insert) = store_submission(&app, submission, sender).await?;
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
    sender: Sender<'_>,
) -> Result<(Json<serde_json::Value>, Insert), ApiError> {
    // With many units a response names its own; its unit's rules and time zone apply.
    let site = if app.is_multi_unit() {
        app.site(submission.unit.as_deref())?
    } else {
        app.first_site()
    };
    let errors = validate(&submission, &site.config);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let received_at = (app.now)();
    let submitted_at = parse_rfc3339(&submission.submitted_at).unwrap_or(received_at);
    let period_at = reporting_instant(submitted_at, received_at);
    let mut submission = submission;
    // The code is checked and then left out of the stored body: only its digest is kept.
    let code_digest = match submission.code.take() {
        None => None,
        Some(text) => match check_submission_code(app, site, &submission, &text, period_at) {
            Ok(digest) => Some(digest),
            Err(code) => {
                // A device resending a response that was stored keeps its acknowledgement,
                // even once the code has expired since.
                if let Some(stored) = already_stored(app, &submission.id).await? {
                    return Ok(stored);
                }
                return Err(ApiError::Invalid(vec![FieldError::new(field::CODE, code)]));
            }
        },
    };
    // Without a code, a device may owe a proof of work (docs/review.md); a code never does.
    let proof = match sender {
        Sender::Device { ip, proof } if code_digest.is_none() => {
            let pow = &site.config.proof_of_work;
            if crate::proof::required(pow, ip) {
                match app.proofs.verify(proof, site.key(), received_at) {
                    Ok(solved) => Some(solved),
                    Err(why) => {
                        if let Some(stored) = already_stored(app, &submission.id).await? {
                            return Ok(stored);
                        }
                        return Err(proof_required(app, site, why.detail()));
                    }
                }
            } else {
                None
            }
        }
        _ => None,
    };
    let body =
        ikm_core::json::to_string(&submission).map_err(|e| ApiError::Malformed(e.to_string()))?;
    let id = submission.id.clone();
    let new = NewResponse {
        submission,
        body,
        submitted_at,
        received_at,
        period_at,
        code_digest,
        proof,
    };
    let insert = app.store.insert(new).await?;
    let status = match insert {
        Insert::Stored => "stored",
        Insert::AlreadyStored => "already_stored",
        Insert::Conflict => return Err(ApiError::Conflict),
        Insert::CodeUsed => return Err(ApiError::CodeUsed),
        Insert::ProofUsed => {
            return Err(proof_required(
                app,
                site,
                "this proof of work was used before",
            ))
        }
    };
    Ok((Json(json!({ "id": id, "status": status })), insert))
}

/// The acknowledgement of a response stored before under `id`, if it was.
async fn already_stored(
    app: &App,
    id: &str,
) -> Result<Option<(Json<serde_json::Value>, Insert)>, ApiError> {
    let stored = app.store.snapshot().await?.response(id).await?.is_some();
    Ok(stored.then(|| {
        (
            Json(json!({ "id": id, "status": "already_stored" })),
            Insert::AlreadyStored,
        )
    }))
}

/// A 428 with a fresh challenge of `site`'s difficulty.
fn proof_required(app: &App, site: &Site, detail: &'static str) -> ApiError {
    let max = site.config.proof_of_work.max_number;
    ApiError::ProofRequired {
        challenge: Box::new(app.proofs.challenge(site.key(), max, (app.now)())),
        detail,
    }
}

/// The digest of a response's valid service code, or why the code is refused. Without
/// `IKM_CODE_SECRET` no code can be checked, so every code is refused as unknown.
fn check_submission_code(
    app: &App,
    site: &Site,
    submission: &Submission,
    text: &str,
    period_at: i64,
) -> Result<String, ErrorCode> {
    let secret = app.codes.as_ref().ok_or(ErrorCode::InvalidCode)?;
    let unit = site.key();
    let today = site.config.offset().local_date(period_at);
    let service = submission.service.as_deref().unwrap_or_default();
    check_code(
        &secret.unit_key(unit),
        unit,
        &site.config,
        text,
        service,
        today,
    )
    .map(|checked| checked.digest)
}

/// `GET /api/v1/report`: the recap of a period as JSON: of one unit, or with `region=` or
/// `all=1` of many, with `per_unit`.
pub async fn get_report(
    Reader(_, subject): Reader,
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let mut snapshot = app.store.snapshot().await?;
    match app.target(&subject)? {
        Target::Unit(site) => {
            let request = app.unit_request(&params, site)?;
            snapshot.for_unit(site.key());
            let mut report = build_report(&mut snapshot, &site.config, &request).await?;
            add_suggestions(&mut report, &mut snapshot, &site.config, &request).await?;
            Ok(Json(report).into_response())
        }
        target => {
            let request = app.unit_request(&params, app.first_site())?;
            let report = build_region_report(&mut snapshot, &app, target, &request).await?;
            Ok(Json(report).into_response())
        }
    }
}

/// `GET /api/v1/responses.csv` and `/admin/responses.csv`: one row per response, UTF-8.
pub async fn get_csv(
    Viewer(_, unit): Viewer,
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let site = app.site_by_key(&unit);
    let request = app.unit_request(&params, site)?;
    let mut snapshot = app.store.snapshot().await?;
    let rows = snapshot.for_unit(site.key()).rows(&request.filter).await?;
    let bytes = responses_csv(&rows, &site.config.modules);
    let prefix = if unit.is_empty() {
        String::new()
    } else {
        format!("{unit}-")
    };
    let filename = format!(
        "attachment; filename=\"ikm-responses-{prefix}{}-{}.csv\"",
        request.from(),
        request.to()
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

/// `GET /office.json[?unit=…]`: a unit's configuration, so the widget it serves agrees with it.
pub async fn office_json(
    State(app): State<Shared>,
    Params(params): Params<UnitQuery>,
) -> Result<Response, ApiError> {
    let site = app.site(params.unit.as_sent())?;
    Ok(Json(&site.config).into_response())
}

/// A query string read into `T`: the names a handler reads, typed; other names ignored. One
/// that cannot be read (a name given twice, broken percent-encoding) is the API's own 400
/// naming the problem, not axum's plain text.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for Params<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Params<T>, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(query)) => Ok(Params(query)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// A query or form field holding a service or counter id, checked where it comes in: blank
/// (a form's "all" choice) is none, anything else must be an id or the request is a 400
/// that quotes it. Use as `#[serde(default, deserialize_with = "api::optional_id")]`.
pub fn optional_id<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Slug>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match Param::<Slug>::read(text.as_deref()) {
        Param::Absent => Ok(None),
        Param::Given(id) => Ok(Some(id)),
        Param::Malformed(text) => Err(serde::de::Error::custom(format!(
            "an id must be lowercase letters, digits and hyphens (at most 64), got `{text}`"
        ))),
    }
}

/// `?unit=…`, where that is all a query says.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct UnitQuery {
    pub unit: Param<Slug>,
}
