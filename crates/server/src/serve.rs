//! `ikm serve`: the router and the server's start-up checks.

use crate::admin::{admin_page, admin_stylesheet};
use crate::api::{
    admin_csv, get_csv, get_report, office_json, post_response, system_now, App, Shared,
};
use crate::rate_limit::RateLimiter;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use ikm_core::submission::MAX_BODY_BYTES;
use ikm_core::OfficeConfig;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

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
}

/// The office configuration from a file, or the built-in defaults.
pub fn load_config(path: Option<&Path>) -> Result<OfficeConfig, String> {
    match path {
        None => Ok(OfficeConfig {
            office_name: "Unit Pelayanan Publik".into(),
            ..OfficeConfig::default()
        }),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            OfficeConfig::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

/// The collector's routes; the widget and demo page are served from `dist`.
pub fn router(app: Shared, dist: &Path, cors_origins: &[String]) -> Router {
    let api = Router::new()
        .route("/api/v1/responses", post(post_response))
        .route("/api/v1/report", get(get_report))
        .route("/api/v1/responses.csv", get(get_csv))
        .route("/office.json", get(office_json))
        .route("/admin", get(admin_page))
        .route("/admin/style.css", get(admin_stylesheet))
        .route("/admin/responses.csv", get(admin_csv))
        .route("/healthz", get(|| async { "ok" }))
        // Browsers ask for an icon on every page; answer without a 404 in the console.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app);
    let router = api.fallback_service(ServeDir::new(dist).append_index_html_on_directories(true));
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
            ])
            .expose_headers([header::RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(86_400)),
    )
}

/// Builds the shared state: opens and migrates the database, sets up the limiter.
pub async fn build_app(options: &ServeOptions, config: OfficeConfig) -> Result<Shared, String> {
    let store = Store::open(&options.db, config.offset())
        .await
        .map_err(|e| e.to_string())?;
    let limiter = (options.rate_per_minute > 0)
        .then(|| RateLimiter::new(options.rate_per_minute, options.rate_burst));
    Ok(Arc::new(App {
        store,
        config,
        admin_token: options.admin_token.clone(),
        limiter,
        now: system_now,
    }))
}

/// Runs the collector until Ctrl-C or SIGTERM.
pub async fn serve(options: ServeOptions) -> Result<(), String> {
    if !options.addr.ip().is_loopback() && options.admin_token.is_none() {
        return Err(format!(
            "refusing to listen on {} without IKM_ADMIN_TOKEN: reports would be open to the network; \
             set IKM_ADMIN_TOKEN or listen on 127.0.0.1",
            options.addr
        ));
    }
    let config = load_config(options.config.as_deref())?;
    let app = build_app(&options, config).await?;
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let stored = app.store.count().await.map_err(|e| e.to_string())?;
    println!(
        "ikm serve: {} database {} ({stored} responses stored)",
        app.store.backend, options.db
    );
    println!("ikm serve: survey    http://{addr}/");
    println!("ikm serve: report    http://{addr}/admin");
    println!("ikm serve: endpoint  http://{addr}/api/v1/responses");
    if app.admin_token.is_none() {
        println!(
            "ikm serve: no IKM_ADMIN_TOKEN set: reports are open to users of this machine only"
        );
    }
    let router = router(app, &options.dist, &options.cors_origins);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
