//! `ikm serve`: the router, the accept loop and the server's start-up checks.
//!
//! The accept loop is our own (hyper's HTTP/1.1 connection builder) rather than `axum::serve`,
//! for what a collector on the open internet needs and `axum::serve` does not offer: a cap on
//! open connections, and a deadline for request headers so a client that sends half a request
//! is disconnected instead of holding a connection forever. Bodies and whole requests have
//! deadlines too (tower-http layers).

use crate::admin::{
    admin_page, admin_stylesheet, post_close_form, post_follow_up_delete, post_follow_up_edit,
    post_follow_up_form, post_population, post_reopen_form,
};
use crate::api::{get_csv, get_report, office_json, post_response, App, Shared};
use crate::audit_page::{audit_page, get_audit};
use crate::laporan::{laporan_page, laporan_stylesheet};
use crate::login::{get_login, post_login, post_logout};
use crate::office_api::{
    delete_follow_up, get_period, list_follow_ups, post_close, post_follow_up, post_reopen,
    put_follow_up, put_population,
};
use crate::public::{badge, results_page};
use crate::qr::{poster_stylesheet, qr_page, short_redirect, unit_short_redirect, Paper};
use crate::rate_limit::{self, ClientLimiter};
use crate::review_api;
use crate::store::{redact_url, Store, Zones};
use crate::survey_page::{
    form_fragment, submit_form, survey_page, unit_submit_form, unit_survey_page, Assets,
};
use crate::tls::{reload_on_hangup, ReloadingCert, ALPN_H2};
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::{header, HeaderName, HeaderValue, Method, Request};
use axum::routing::{delete, get, post, put};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use ikm_core::submission::MAX_BODY_BYTES;
use ikm_core::{Deployment, OfficeConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How long a client may take for each part of a request before it is cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// From the connection's first byte (or the end of the previous request) to the end of
    /// the request headers; also how long an idle keep-alive connection stays open.
    pub headers: Duration,
    /// For the request body, once the headers are in.
    pub body: Duration,
    /// For the whole request, from headers to response (408 after it).
    pub request: Duration,
}

impl Default for Deadlines {
    /// A client that sends half a request is disconnected within 30 seconds.
    fn default() -> Self {
        Deadlines {
            headers: Duration::from_secs(10),
            body: Duration::from_secs(20),
            request: Duration::from_secs(30),
        }
    }
}

/// Everything `ikm serve` needs, from flags and the environment.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub db: String,
    pub config: Option<PathBuf>,
    pub dist: PathBuf,
    pub cors_origins: Vec<String>,
    pub rate_per_minute: u32,
    pub rate_burst: u32,
    pub admin_token: Option<String>,
    /// Most connections open at once; more wait in the kernel's queue until one closes.
    pub max_connections: usize,
    /// `--tls-cert` and `--tls-key`: serve HTTPS from these PEM files.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `--trusted-proxy`: peers whose `Forwarded`/`X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `IKM_CODE_SECRET`: turns service codes on (docs/codes.md).
    pub code_secret: Option<crate::codes::CodeSecret>,
    pub deadlines: Deadlines,
}

/// Default cap on open connections: far more than an office's traffic, far less than the
/// process may open.
pub const DEFAULT_MAX_CONNECTIONS: usize = 2048;

/// The deployment from `--config` (a deployment file or one office's configuration), or the
/// built-in defaults.
pub fn load_deployment(path: Option<&Path>) -> Result<Deployment, String> {
    match path {
        None => Ok(Deployment::single(OfficeConfig::default())),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Deployment::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

/// One office's configuration from `--config`: the file's only office, or with a deployment
/// file of many units the one `unit` names.
pub fn load_config(path: Option<&Path>, unit: Option<&str>) -> Result<OfficeConfig, String> {
    let deployment = load_deployment(path)?;
    match unit {
        Some(id) => deployment.unit(id).cloned().ok_or_else(|| {
            let ids: Vec<&str> = deployment
                .units
                .iter()
                .filter_map(|u| u.unit.as_deref())
                .collect();
            format!(
                "--unit `{id}` is not a unit of the file (units: {})",
                ids.join(", ")
            )
        }),
        None if deployment.is_multi_unit() => Err(format!(
            "the file lists {} units: choose one with --unit ID",
            deployment.units.len()
        )),
        None => deployment
            .units
            .into_iter()
            .next()
            .ok_or_else(|| "the file lists no unit".to_string()),
    }
}

/// Each unit's time zone, for the store.
pub fn zones_of(deployment: &Deployment) -> Zones {
    let default = deployment
        .units
        .first()
        .map_or(OfficeConfig::default().offset(), OfficeConfig::offset);
    Zones {
        default,
        units: deployment
            .units
            .iter()
            .filter_map(|u| Some((u.unit.clone()?, u.offset())))
            .collect(),
    }
}

/// Headers on every admin page and export: never cached, never framed, never sniffed, and a
/// policy that lets the page load nothing but its own stylesheet.
fn admin_headers(router: Router<Shared>) -> Router<Shared> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
}

/// The collector's routes; the widget and demo page are served from `dist`.
pub fn router(app: Shared, dist: &Path, cors_origins: &[String]) -> Router {
    let admin = admin_headers(
        Router::new()
            .route("/api/v1/report", get(get_report))
            .route("/api/v1/responses.csv", get(get_csv))
            .route("/api/v1/population/{month}", put(put_population))
            .route("/api/v1/codes", post(crate::codes_api::post_codes))
            .route("/api/v1/exclusions", post(review_api::post_exclusions))
            .route(
                "/api/v1/exclusions/undo",
                post(review_api::post_exclusions_undo),
            )
            .route(
                "/api/v1/exclusions/{id}",
                delete(review_api::delete_exclusion),
            )
            .route(
                "/api/v1/suggestions/{id}",
                put(crate::suggestions_api::put_suggestion),
            )
            .route("/api/v1/periods/{period}", get(get_period))
            .route("/api/v1/periods/{period}/close", post(post_close))
            .route("/api/v1/periods/{period}/reopen", post(post_reopen))
            .route(
                "/api/v1/follow-ups",
                get(list_follow_ups).post(post_follow_up),
            )
            .route(
                "/api/v1/follow-ups/{id}",
                put(put_follow_up).delete(delete_follow_up),
            )
            .route("/admin", get(admin_page))
            .route("/admin/laporan", get(laporan_page))
            .route("/admin/qr", get(qr_page))
            .route("/admin/population", post(post_population))
            .route("/admin/periods/close", post(post_close_form))
            .route("/admin/periods/reopen", post(post_reopen_form))
            .route("/admin/follow-ups", post(post_follow_up_form))
            .route("/admin/exclusions", post(review_api::post_exclusions_form))
            .route(
                "/admin/exclusions/undo",
                post(review_api::post_exclusions_undo_form),
            )
            .route(
                "/admin/suggestions",
                post(crate::suggestions_api::post_suggestion_form),
            )
            .route("/admin/follow-ups/{id}", post(post_follow_up_edit))
            .route("/admin/follow-ups/{id}/delete", post(post_follow_up_delete))
            .route("/admin/responses.csv", get(get_csv))
            .route("/api/v1/audit", get(get_audit))
            .route("/admin/audit", get(audit_page))
            .route("/login", get(get_login).post(post_login))
            .route("/logout", post(post_logout)),
    );
    // Pages made per request are compressed per request (the files in `dist` already are).
    let pages = Router::new()
        .route("/", get(survey_page).post(submit_form))
        .route("/u/{unit}", get(unit_survey_page).post(unit_submit_form))
        .route("/u/{unit}/", get(unit_survey_page).post(unit_submit_form))
        .route("/api/v1/form", get(form_fragment))
        .layer(CompressionLayer::new());
    let api = Router::new()
        .merge(pages)
        .route("/api/v1/responses", post(post_response))
        .route("/office.json", get(office_json))
        .route("/admin/style.css", get(admin_stylesheet))
        .route("/admin/laporan.css", get(laporan_stylesheet))
        .route(
            "/admin/poster-a4.css",
            get(|| async { poster_stylesheet(Paper::A4) }),
        )
        .route(
            "/admin/poster-a5.css",
            get(|| async { poster_stylesheet(Paper::A5) }),
        )
        .route("/s/{counter}/{service}", get(short_redirect))
        .route("/u/{unit}/s/{counter}/{service}", get(unit_short_redirect))
        .route("/hasil", get(results_page))
        .route("/badge.svg", get(badge))
        .route("/tv", get(crate::tv::tv_page))
        .route("/tv.css", get(crate::tv::tv_stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        // Browsers ask for an icon on every page; answer without a 404 in the console.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .merge(admin)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app);
    let router = api.fallback_service(static_files(dist));
    if cors_origins.is_empty() {
        return router;
    }
    let origins = if cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    router.layer(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static(crate::proof::PROOF_HEADER),
            ])
            .expose_headers([header::RETRY_AFTER])
            .max_age(Duration::from_secs(86_400)),
    )
}

/// Whether a file name carries its content hash (`ikm-survey.3f9a1c2b4d.wasm`): such a file
/// never changes, so browsers may keep it for a year.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.split('.');
    let (Some(_), Some(hash), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The widget's files, served like a CDN would: brotli or gzip made once by `make dist` and
/// chosen by `Accept-Encoding`; hashed files cached for a year, everything else revalidated.
fn static_files(dist: &Path) -> Router {
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_policy))
}

/// Sets `Cache-Control` on a static file by its name (see [`static_files`]).
async fn cache_policy(
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let policy = if is_hashed(request.uri().path()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Builds the shared state: opens and migrates the database, sets up the limits.
pub async fn build_app(options: &ServeOptions, deployment: Deployment) -> Result<Shared, String> {
    let store = Store::open_zones(&options.db, zones_of(&deployment))
        .await
        .map_err(|e| e.to_string())?;
    if let (false, Some(unit)) = (
        deployment.is_multi_unit(),
        deployment.units.first().and_then(|u| u.unit.as_deref()),
    ) {
        store
            .adopt_unnamed_records(unit)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mut app = App::for_deployment(store, deployment, options.admin_token.clone());
    app.assets = Assets::load(&options.dist);
    app.limiter = (options.rate_per_minute > 0)
        .then(|| ClientLimiter::new(options.rate_per_minute, options.rate_burst));
    app.moves = (options.rate_per_minute > 0)
        .then(|| ClientLimiter::new(rate_limit::MOVES_PER_MINUTE, rate_limit::MOVES_BURST));
    app.https = options.tls.is_some();
    app.trusted_proxies = options.trusted_proxies.clone();
    app.codes = options.code_secret.clone();
    if let Some(secret) = &options.code_secret {
        app.proofs = crate::proof::ProofKey::from_code_secret(secret);
    }
    Ok(Arc::new(app))
}

/// Serves `router` on `listener` over plain HTTP/1.1 until `shutdown` resolves, then lets
/// open requests finish.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: Router,
    max_connections: usize,
    deadlines: Deadlines,
    shutdown: impl std::future::Future<Output = ()>,
) {
    serve_on(listener, router, max_connections, deadlines, None, shutdown).await;
}

/// Serves `router` on `listener`, over TLS when `tls` is given (HTTP/2 or HTTP/1.1 as the
/// client's ALPN chose), until `shutdown` resolves; then lets open requests finish.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    max_connections: usize,
    deadlines: Deadlines,
    tls: Option<TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let router = router
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            deadlines.request,
        ))
        .layer(RequestBodyTimeoutLayer::new(deadlines.body));
    let permits = Arc::new(Semaphore::new(max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(deadlines.headers);
    let mut http2 = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    http2
        .timer(TokioTimer::new())
        .max_concurrent_streams(100)
        .keep_alive_interval(Some(deadlines.headers))
        .keep_alive_timeout(deadlines.headers);
    let builders = Arc::new((http1, http2));
    tokio::pin!(shutdown);
    loop {
        // A permit before accepting: past the cap, new clients wait in the kernel's queue.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        ));
        let watcher = graceful.watcher();
        let builders = builders.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            // Errors here are clients going away or timing out: nothing to report.
            let Some(tls) = tls else {
                let _ = watcher
                    .watch(builders.0.serve_connection(TokioIo::new(stream), service))
                    .await;
                drop(permit);
                return;
            };
            // The handshake has the same deadline as request headers.
            let Ok(Ok(stream)) = tokio::time::timeout(deadlines.headers, tls.accept(stream)).await
            else {
                drop(permit);
                return;
            };
            let h2 = stream.get_ref().1.alpn_protocol() == Some(ALPN_H2);
            let io = TokioIo::new(stream);
            if h2 {
                let _ = watcher
                    .watch(builders.1.serve_connection(io, service))
                    .await;
            } else {
                let _ = watcher
                    .watch(builders.0.serve_connection(io, service))
                    .await;
            }
            drop(permit);
        });
    }
    // Requests under way finish (they may be waiting for their commit); then we stop.
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(deadlines.request) => {
            tracing::warn!("stopping with connections still open");
        },
    }
}

/// Runs the collector until Ctrl-C or SIGTERM.
pub async fn serve(options: ServeOptions) -> Result<(), String> {
    let shutdown = shutdown_signal();
    let deployment = load_deployment(options.config.as_deref())?;
    // The certificate first: a bad file stops the start before the database is touched.
    let tls = match &options.tls {
        Some((cert, key)) => Some(Arc::new(ReloadingCert::load(cert, key)?)),
        None => None,
    };
    if options.code_secret.is_none() {
        if let Some(unit) = deployment.units.iter().find(|u| u.codes.required) {
            return Err(format!(
                "unit `{}` requires service codes (`codes.required`), but IKM_CODE_SECRET is not set",
                unit.unit.as_deref().unwrap_or_default()
            ));
        }
    }
    for unit in &deployment.units {
        crate::proof::exempt_networks(&unit.proof_of_work)?;
    }
    let app = build_app(&options, deployment).await?;
    let has_accounts = app.store.has_accounts().await.map_err(|e| e.to_string())?;
    if !options.addr.ip().is_loopback() && options.admin_token.is_none() && !has_accounts {
        app.store.close().await;
        return Err(format!(
            "refusing to listen on {} without IKM_ADMIN_TOKEN or accounts: reports would be open \
             to the network; add an account (`ikm user add`), set IKM_ADMIN_TOKEN or listen on 127.0.0.1",
            options.addr
        ));
    }
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let stored = app.store.count().await.map_err(|e| e.to_string())?;
    println!(
        "ikm serve: {} database {} ({stored} responses stored)",
        app.store.backend,
        redact_url(&options.db)
    );
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("ikm serve: survey    {scheme}://{addr}/");
    println!("ikm serve: report    {scheme}://{addr}/admin");
    println!("ikm serve: endpoint  {scheme}://{addr}/api/v1/responses");
    println!("ikm serve: login     {scheme}://{addr}/login");
    if app.admin_token.is_none() && !has_accounts {
        println!(
            "ikm serve: no IKM_ADMIN_TOKEN set: reports are open to users of this machine only"
        );
    }
    let store = app.store.clone();
    let mut router = router(app, &options.dist, &options.cors_origins);
    let acceptor = match tls {
        Some(cert) => {
            let acceptor = cert.acceptor()?;
            reload_on_hangup(cert);
            // Browsers then never try plain HTTP for this host again (a year).
            router = router.layer(SetResponseHeaderLayer::overriding(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            ));
            Some(acceptor)
        }
        None => None,
    };
    serve_on(
        listener,
        router,
        options.max_connections,
        options.deadlines,
        acceptor,
        shutdown,
    )
    .await;
    // Every acknowledged write is committed already; this closes the database cleanly.
    store.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called (not when
/// first awaited), so a signal that arrives right after start-up is not lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        #[cfg(unix)]
        {
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(terminate) => {},
                () = wait(interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed("/ikm-survey.3f9a1c2b4d.wasm"));
        assert!(is_hashed("ikm-survey.a9968a9f8e.css"));
        assert!(!is_hashed("/ikm-survey.js"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/ikm-survey.3f9a1c2b4d.wasm.br"));
        assert!(!is_hashed("/ikm-survey.notahexhash.js"));
    }
}
