//! The survey page the QR codes at the counters point to (`/?layanan=…&loket=…&lang=…`).
//!
//! The whole form arrives as HTML, rendered here by the widget's own components, so a
//! respondent can answer before any script or wasm has arrived; the widget then takes the
//! form over. Without JavaScript (or WebAssembly) the form posts back to this page, which
//! validates with the core rules and stores through the same path as the JSON endpoint, or
//! shows the form again with every problem next to its field.

use crate::api::{store_submission, App, Shared, Site};
use crate::charts;
use crate::error::ApiError;
use crate::origin::{is_from_this_site, OriginPolicy};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use ikm_core::config::SurveyMode;
use ikm_core::delivery::Outcome;
use ikm_core::form;
use ikm_core::i18n::ui;
use ikm_core::submission::is_canonical_id;
use ikm_core::{Lang, OfficeConfig, Submission};
use ikm_survey::options::{resolve_setup, wants_steps, MountOptions, Page};
use ikm_survey::state::{Action, Failure, Phase, Setup, SurveyState};
use ikm_survey::steps::{self, Flow, Move, Position};
use maud::{html, Markup, PreEscaped};
use std::collections::HashMap;
use std::path::Path;

/// The content-hashed files of the widget build (`dist/manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    /// The element's module, which loads the build each survey's mode needs.
    pub module: String,
    /// The one-page build: its module and wasm.
    pub form: (String, String),
    pub css: String,
    /// The build with one question per screen (module and wasm), when it was made.
    pub steps: Option<(String, String)>,
    /// The stylesheet's text, inlined in the page's head so no request blocks its first render.
    pub css_text: String,
    /// The page's Content-Security-Policy, allowing exactly that inline stylesheet by its hash.
    pub csp: String,
}

impl Assets {
    /// Reads `dist/manifest.json`; None when the widget was not built (the page then works
    /// as a plain form, without the widget).
    pub fn load(dist: &Path) -> Option<Assets> {
        let text = std::fs::read_to_string(dist.join("manifest.json")).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        let file = |key: &str| value.get(key)?.as_str().map(String::from);
        let css = file("css")?;
        let css_text = std::fs::read_to_string(dist.join(&css)).ok()?;
        let csp = survey_csp(&[&css_text, STEPS_CSS]);
        Some(Assets {
            module: file("module")?,
            form: file("form_module").zip(file("wasm"))?,
            steps: file("steps_module").zip(file("steps_wasm")),
            css,
            css_text,
            csp,
        })
    }
}

/// The styles of one question per screen, inlined only on those screens: the phone's
/// default widget (whose module carries the main stylesheet) stays without them.
pub const STEPS_CSS: &str = include_str!("../../../styles/ikm-steps.css");

/// The page's policy without the widget build: its own files and the step styles.
fn plain_csp() -> &'static str {
    static CSP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| survey_csp(&[STEPS_CSS]));
    &CSP
}

/// The page's policy with stylesheets inline: its own files, wasm compilation, and each of
/// those stylesheets by its SHA-256 (never `unsafe-inline`).
pub fn survey_csp(inline_css: &[&str]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let hashes: String = inline_css
        .iter()
        .map(|css| {
            let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css));
            format!(" 'sha256-{hash}'")
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'{hashes}; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'"
    )
}

/// A query parameter trimmed; None when missing or blank.
fn nonblank(query: &HashMap<String, String>, name: &str) -> Option<String> {
    query
        .get(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// What the page's address and the browser say: the QR link's parameters and the first
/// language of `Accept-Language` the survey speaks.
fn page_of(query: &HashMap<String, String>, headers: &HeaderMap) -> Page {
    let param = |name: &str| nonblank(query, name);
    let browser_lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|tag| Lang::from_code(tag.split(';').next().unwrap_or_default()))
        });
    Page {
        lang: param(form::LANG_PARAM),
        service: param(form::SERVICE_PARAM),
        counter: param(form::COUNTER_PARAM),
        code: form::page_code(param(form::CODE_PARAM).as_deref()),
        mode: param(form::MODE_PARAM),
        browser_lang,
        // Kiosk timers need the widget: the server's copy is the plain form, which the
        // widget takes over as a kiosk when the page says `?kiosk=1`.
        kiosk: false,
    }
}

/// How the page asks the questions: the address's `?mode=` (`form` or `steps`) over the
/// office's configured mode; an unknown word keeps the configured one (a link must not fail).
fn mode_of(query: &HashMap<String, String>, site: &Site) -> SurveyMode {
    address_mode(query).unwrap_or(site.config.mode)
}

/// The mode the address's `?mode=` names, if it names one.
fn address_mode(query: &HashMap<String, String>) -> Option<SurveyMode> {
    nonblank(query, form::MODE_PARAM).and_then(|code| SurveyMode::from_code(&code))
}

/// A blank response asked in `mode`.
fn blank_state(setup: Setup, mode: SurveyMode) -> SurveyState {
    let state = SurveyState::new(setup, new_id());
    match mode {
        SurveyMode::Form => state,
        SurveyMode::Steps => state.in_steps(),
    }
}

fn setup_of(site: &Site, page: &Page) -> Setup {
    let options = MountOptions {
        unit: site.config.unit.clone(),
        ..MountOptions::default()
    };
    resolve_setup(&options, page, site.config.clone())
}

/// The element's own attributes, as an embedding page forwards them (`service`, `counter`,
/// `unit`, `attr-lang`, `attr-mode`): the widget's precedence rules then run here, unchanged.
fn attributes_of(query: &HashMap<String, String>, site: &Site) -> MountOptions {
    let get = |name: &str| nonblank(query, name);
    MountOptions {
        unit: get("unit").or_else(|| site.config.unit.clone()),
        lang: get("attr-lang"),
        mode: get("attr-mode"),
        service: get("service"),
        counter: get("counter"),
        ..MountOptions::default()
    }
}

/// A fresh response id from the operating system's random source.
fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The full page around the survey's HTML; `heading` names what the page shows (one
/// question per screen: the step) before the survey's title.
fn page(
    app: &App,
    site: &Site,
    lang: Lang,
    survey: String,
    takeover: bool,
    heading: Option<String>,
) -> Markup {
    // Inside <script>: no `</script>` can end it early.
    let config = site.config_json.replace('<', "\\u003c");
    let assets = app.assets.as_ref();
    let steps = heading.is_some();
    // One question per screen is taken over by its own build of the widget, whose module and
    // wasm the element's module would otherwise ask for only once it runs.
    let build = assets.and_then(|a| {
        if steps {
            a.steps.clone()
        } else {
            Some(a.form.clone())
        }
    });
    let module = assets.map(|a| a.module.clone());
    let worker = if steps { "/sw.js?mode=steps" } else { "/sw.js" };
    let head = html! {
        @if let Some(a) = assets {
            // Inline: the first render waits for no request (the CSP allows it by its hash).
            style { (PreEscaped(&a.css_text)) }
        }
        @if heading.is_some() {
            style { (PreEscaped(STEPS_CSS)) }
        }
    };
    let body = html! {
        main {
            div.ikm-host id="ikm-survey" data-ikm-takeover[takeover] data-mode=[steps.then_some("steps")]
                data-sw=(worker) data-endpoint="/api/v1/responses"
                data-unit=[site.config.unit.as_deref()] data-config-id="ikm-config" {
                (PreEscaped(survey))
            }
        }
        script type="application/json" id="ikm-config" { (PreEscaped(config)) }
        // The form works before these arrive, and they must not slow its first paint: named
        // last, they start once the form's HTML is in, instead of sharing a slow link with it.
        @if let (Some(module), Some((build, wasm)), true) = (&module, &build, takeover) {
            link rel="preload" as="fetch" crossorigin="anonymous" fetchpriority="low" href={ "/" (wasm) };
            link rel="modulepreload" fetchpriority="low" href={ "/" (build) };
            script type="module" src={ "/" (module) } fetchpriority="low" {}
        }
    };
    let mut title = format!("{} — {}", ui::TITLE.get(lang), site.config.office_name);
    if let Some(heading) = heading {
        title = format!("{heading} — {title}");
    }
    charts::document_with_head(lang, &title, head, body)
}

/// A rendered page with its status and headers.
fn reply(app: &App, status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let csp = app
        .assets
        .as_ref()
        .and_then(|a| HeaderValue::from_str(&a.csp).ok())
        .or_else(|| HeaderValue::from_str(plain_csp()).ok())
        .unwrap_or_else(|| HeaderValue::from_static("default-src 'self'"));
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Renders `state` into the page. The one-page form is taken over by the widget; one
/// question per screen by the widget's steps build, on its first screen (a respondent who
/// moved on before it arrived goes on without it: each move a post that stores nothing);
/// the end screens stay as they are.
fn render_page(app: &App, site: &Site, state: SurveyState, status: StatusCode) -> Response {
    let lang = state.setup.lang;
    let open = state.done_screen().is_none();
    let takeover = open
        && match state.flow {
            None => true,
            Some(flow) => flow == Flow::START && state.errors.is_empty(),
        };
    let heading = state
        .flow
        .filter(|_| open)
        .map(|flow| steps::title(&state.setup, flow.position));
    let survey = ikm_survey::render::render(state);
    reply(
        app,
        status,
        page(app, site, lang, survey, takeover, heading),
    )
}

/// `GET /api/v1/form`: the same server-rendered form as a fragment, for `<ikm-survey
/// prerender>` on an office website, which shows it inside the element before its wasm has
/// arrived (one round trip to a fillable form). Query: the page's `layanan`, `loket`,
/// `lang`, `mode` and the element's `service`, `counter`, `unit`, `attr-lang`, `attr-mode`. The office
/// configuration comes along in `data-config`, so the widget needs no second request.
pub async fn form_fragment(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let site = app.site(query.get("unit").map(String::as_str))?;
    let page = page_of(&query, &headers);
    let attributes = attributes_of(&query, site);
    let setup = resolve_setup(&attributes, &page, site.config.clone());
    let unit = setup.unit.clone();
    // The page's `?mode=`, then the element's `mode`: what the loader read to pick its build,
    // never the office's configuration, which it cannot know before the wasm is in.
    let mode = if wants_steps(&attributes, &page) {
        SurveyMode::Steps
    } else {
        SurveyMode::Form
    };
    let survey = ikm_survey::render::render(blank_state(setup, mode));
    let mut response = takeover_host(site, unit.as_deref(), &survey, false).into_response();
    // A fresh response id each time: never cached.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The plain one-page form of `config` as a static file (`ikm form`), for an office website
/// whose endpoint is not `ikm serve`: `<ikm-survey prerender="/ikm/form.html">` shows it
/// before the wasm as `/api/v1/form` would. It carries no response id (each respondent's
/// widget draws its own, so a shared file can never merge two responses) and is marked
/// `data-ikm-static`: the element uses it only where the widget would show exactly this form
/// (no QR-link or attribute that changes it), else the wasm draws it. A configuration the
/// widget would open on another form for (no `default_lang`: the browser's language would
/// decide; a kiosk) has none, and the reason is the error.
pub fn static_fragment(config: OfficeConfig) -> Result<String, String> {
    if config.default_lang.is_none() {
        return Err("set `default_lang` (\"id\" or \"en\") in the configuration: the static form is in that language, and the widget then opens in it on every browser".into());
    }
    if config.kiosk.enabled {
        return Err("this configuration is a kiosk (`kiosk.enabled`), which draws its own screens: a static form would not match them".into());
    }
    let site = Site::new(config);
    let setup = setup_of(&site, &Page::default());
    let unit = setup.unit.clone();
    let survey = ikm_survey::render::render(SurveyState::new(setup, String::new()));
    Ok(takeover_host(&site, unit.as_deref(), &survey, true).into_string())
}

/// A rendered survey in the host the widget takes over, with the unit and the configuration
/// it needs (so no second request); `fixed` marks a static copy.
fn takeover_host(site: &Site, unit: Option<&str>, survey: &str, fixed: bool) -> Markup {
    html! {
        div.ikm-host data-ikm-takeover data-ikm-static[fixed] data-unit=[unit] data-config=(site.config_json) {
            (PreEscaped(survey))
        }
    }
}

/// The unit a survey address is for: `/u/{unit}/` or `?unit=`, else the single office.
/// None with many units and none named (the page then lists the units).
fn survey_site<'a>(
    app: &'a App,
    path_unit: Option<&str>,
    query: &HashMap<String, String>,
) -> Result<Option<&'a Site>, ApiError> {
    let named = path_unit
        .map(String::from)
        .or_else(|| nonblank(query, "unit"));
    match named {
        None if app.is_multi_unit() => Ok(None),
        named => app.site(named.as_deref()).map(Some),
    }
}

/// Where the survey of `site` lives on this collector: `/` for a single office, `/u/{unit}/`
/// in a deployment of many units.
pub fn survey_path(app: &App, site: &Site) -> String {
    if app.is_multi_unit() {
        format!("/u/{}/", site.key())
    } else {
        "/".to_string()
    }
}

/// `GET /` (or `/u/{unit}/`): a blank form for the QR link's service and counter; with many
/// units and none named, the list of the units' surveys.
pub async fn survey_page(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    blank_form(&app, None, &headers, &query)
}

/// `GET /u/{unit}/`: a unit's survey in a deployment of many units.
pub async fn unit_survey_page(
    State(app): State<Shared>,
    UrlPath(unit): UrlPath<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    blank_form(&app, Some(&unit), &headers, &query)
}

fn blank_form(
    app: &App,
    unit: Option<&str>,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let Some(site) = survey_site(app, unit, query)? else {
        return Ok(reply(app, StatusCode::OK, units_page(app)));
    };
    let setup = setup_of(site, &page_of(query, headers));
    let state = blank_state(setup, mode_of(query, site));
    Ok(render_page(app, site, state, StatusCode::OK))
}

/// The survey address of a deployment of many units: each unit's survey, by name.
fn units_page(app: &App) -> Markup {
    let lang = Lang::Id;
    let body = html! {
        main {
            h1 { (ui::TITLE.get(lang)) }
            ul {
                @for site in app.sites() {
                    li { a href=(survey_path(app, site)) { (site.config.office_name) } }
                }
            }
        }
    };
    charts::document_with_head(lang, ui::TITLE.get(lang), html! {}, body)
}

/// `POST /u/{unit}/`: a unit's form sent without JavaScript.
pub async fn unit_submit_form(
    State(app): State<Shared>,
    UrlPath(unit): UrlPath<String>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, ApiError> {
    submit(&app, Some(&unit), extensions, headers, query, form).await
}

/// `POST /`: the form sent without JavaScript. Valid: stored like any submission, then the
/// thank-you screen; a repeat of the same response (back button, double tap) is thanked
/// again and not counted twice, while a changed repeat (back, an answer changed, sent again)
/// gets the form again with a 409 saying the change was not recorded. Invalid: the form
/// again, with every problem on its field. One question per screen, a post that moves
/// (`step=next|back|N`) stores nothing: it answers the next screen (200) or the same one
/// with its problems (422), every answer carried along in the form.
pub async fn submit_form(
    State(app): State<Shared>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, ApiError> {
    submit(&app, None, extensions, headers, query, form).await
}

async fn submit(
    app: &App,
    unit: Option<&str>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    query: HashMap<String, String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, ApiError> {
    let site = survey_site(app, unit, &query)?.ok_or_else(|| {
        ApiError::Invalid(vec![ikm_core::FieldError::new(
            "unit",
            ikm_core::ErrorCode::Required,
        )])
    })?;
    if !is_from_this_site(&headers, OriginPolicy::Lenient) {
        return Ok(reply(
            app,
            StatusCode::FORBIDDEN,
            message_page(app, site, ui::SEND_REJECTED),
        ));
    }
    let Form(fields) = form.map_err(|rejection| ApiError::UnreadableBody {
        status: rejection.status(),
        detail: rejection.body_text(),
    })?;
    let page = page_of(&query, &headers);
    // A move between screens stores nothing and has its own allowance, so one respondent's
    // dozen screens never use up the sends'. Over either, the same screen comes back.
    let allowed = if Move::from_fields(&fields).is_some() {
        app.check_moves(&extensions, &headers)
    } else {
        app.check_sends(&extensions, &headers)
    };
    if let Err(wait_secs) = allowed {
        return Ok(too_fast(app, site, &page, &fields, wait_secs));
    }
    let at = ikm_core::time::format_rfc3339((app.now)());
    // The reducer's state holds the configuration by `Rc`: it is rendered or dropped in this
    // match, never held across an await.
    let submission = match read_post(site, &page, &fields, at) {
        Read::Page(status, state) => return Ok(render_page(app, site, *state, status)),
        Read::Whole(submission) => *submission,
    };
    let mut code_used = false;
    let sender = crate::proof::Sender::Device {
        ip: app.client_ip(&extensions, &headers),
        proof: None,
    };
    let outcome = match store_submission(app, submission.clone(), sender).await {
        Ok(_) => Outcome::Stored,
        // The ticket's code went with another response: the form again, its answers kept,
        // with the message and the button that sends them without the code.
        Err(ApiError::CodeUsed) => {
            code_used = true;
            Outcome::Invalid(vec![ikm_core::FieldError::new(
                ikm_core::validate::field::CODE,
                ikm_core::ErrorCode::CodeUsed,
            )])
        }
        Err(ApiError::Conflict) if same_answers_as_stored(app, &submission).await? => {
            Outcome::Stored
        }
        Err(ApiError::Conflict) => Outcome::Refused { status: 409 },
        // A proof of work needs JavaScript: the form again, answers kept, saying so.
        Err(ApiError::ProofRequired { .. }) => Outcome::Refused { status: 428 },
        Err(ApiError::Invalid(errors)) => Outcome::Invalid(errors),
        Err(ApiError::Store(e)) => {
            tracing::warn!(kind = ?e.kind, "a form post was not stored");
            let retry_after_secs = Some(crate::error::STORE_RETRY_AFTER_SECS as u32);
            Outcome::RetryLater {
                status: Some(503),
                retry_after_secs,
            }
        }
        Err(other) => return Err(other),
    };
    let status = match &outcome {
        Outcome::Stored => StatusCode::OK,
        Outcome::Invalid(_) if code_used => StatusCode::CONFLICT,
        Outcome::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Outcome::Refused { status: 428 } => StatusCode::PRECONDITION_REQUIRED,
        Outcome::Refused { .. } => StatusCode::CONFLICT,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let state = answered(site, &page, &fields, &submission, outcome);
    let mut response = render_page(app, site, state, status);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        let retry = HeaderValue::from(crate::error::STORE_RETRY_AFTER_SECS);
        response.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    Ok(response)
}

/// What a form post holds, read through the widget's reducer.
enum Read {
    /// A move between screens (one question per screen): the screen it leads to; or not a
    /// whole response yet: the form again, with its problems if any.
    Page(StatusCode, Box<SurveyState>),
    /// A response the reducer found whole, to be stored.
    Whole(Box<Submission>),
}

/// The answers a post without JavaScript carries, on the screen it was sent from.
fn restore(site: &Site, page: &Page, fields: &[(String, String)]) -> SurveyState {
    // The page sets the id; a missing or altered one gets a fresh id rather than a refusal.
    let mut state = SurveyState::restored(setup_of(site, page), fields);
    if !is_canonical_id(&state.draft.id) {
        state.draft.id = new_id();
    }
    state
}

/// A post over the client's allowance (429, `Retry-After`): the screen it came from, every
/// answer kept, saying to wait a moment.
fn too_fast(
    app: &App,
    site: &Site,
    page: &Page,
    fields: &[(String, String)],
    wait_secs: u64,
) -> Response {
    let mut state = restore(site, page, fields);
    state.phase = Phase::Failed(Failure::Temporary {
        status: Some(StatusCode::TOO_MANY_REQUESTS.as_u16()),
        retry_after_secs: Some(u32::try_from(wait_secs).unwrap_or(u32::MAX)),
    });
    let mut response = render_page(app, site, state, StatusCode::TOO_MANY_REQUESTS);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs));
    response
}

/// Reads a post without JavaScript: a move, a refused send, or a whole response.
fn read_post(site: &Site, page: &Page, fields: &[(String, String)], at: String) -> Read {
    let mut state = restore(site, page, fields);
    let status_of = |state: &SurveyState| {
        if state.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    if let Some(to) = Move::from_fields(fields) {
        state.flow.get_or_insert(Flow::START);
        state.apply(Action::Step(to));
        return Read::Page(status_of(&state), Box::new(state));
    }
    // The button under a used ticket code sends from whichever screen shows it.
    if fields.iter().any(|(name, _)| name == form::WITHOUT_CODE) {
        state.apply(Action::SendWithoutCode { at });
    } else {
        state.apply(Action::Submit { at });
    }
    // Only a response the reducer found whole is stored: a refused one, or (one question per
    // screen) a send from a screen before the review, shows the form again.
    if state.phase != Phase::Saving {
        return Read::Page(status_of(&state), Box::new(state));
    }
    Read::Whole(Box::new(state.draft))
}

/// Whether the response stored under this id has these very answers: the form stamps the
/// time of each post, so a resend of unchanged answers differs from the stored one only there.
async fn same_answers_as_stored(app: &App, submission: &Submission) -> Result<bool, ApiError> {
    let stored = app.store.snapshot().await?.response(&submission.id).await?;
    Ok(stored.is_some_and(|mut stored| {
        stored.submitted_at.clone_from(&submission.submitted_at);
        stored == *submission
    }))
}

/// The screen after the collector's answer, reached through the widget's own reducer: the
/// response was sent directly (there is no device outbox without JavaScript).
fn answered(
    site: &Site,
    page: &Page,
    fields: &[(String, String)],
    submission: &Submission,
    outcome: Outcome,
) -> SurveyState {
    let mut state = SurveyState::restored(setup_of(site, page), fields);
    state.draft = submission.clone();
    // One question per screen, the send came from the review (or the code's button).
    if let Some(flow) = state.flow.as_mut() {
        flow.position = Position::Review;
    }
    state.apply(Action::Submit {
        at: submission.submitted_at.clone(),
    });
    state.apply(Action::SaveFailed);
    state.apply(Action::Delivered(outcome));
    state
}

/// A short page with one message (a refused cross-site post).
fn message_page(app: &App, site: &Site, text: ikm_core::Text) -> Markup {
    let lang = Lang::Id;
    let body = html! { div.ikm { p.ikm-error role="alert" { (text.get(lang)) } } };
    page(app, site, lang, body.into_string(), false, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_is_the_first_the_survey_speaks() {
        let query = HashMap::new();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR, en;q=0.8, id;q=0.5"),
        );
        let page = page_of(&query, &headers);
        assert_eq!(page.browser_lang, Some(Lang::En));
        let query: HashMap<String, String> =
            [("layanan".to_string(), " paspor-baru ".to_string())].into();
        assert_eq!(
            page_of(&query, &HeaderMap::new()).service.as_deref(),
            Some("paspor-baru")
        );
    }
}
