//! Shared by the collector's integration tests: fresh databases of each backend under test,
//! a collector router over one, and submissions that vary with a seed.
#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unreachable_pub
)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use ikm_core::time::parse_rfc3339;
use ikm_core::{Element, Lang, OfficeConfig, Submission};
use ikm_server::api::App;
use ikm_server::rate_limit::ClientLimiter;
use ikm_server::serve::router;
use ikm_server::store::Store;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

pub const TOKEN: &str = "test-token-0123456789";
/// The collector's clock in these tests: 15 November 2026, 10:00 WIB.
pub fn fixed_now() -> i64 {
    parse_rfc3339("2026-11-15T03:00:00Z").unwrap()
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A database URL of each backend under test, each a fresh, empty database.
pub async fn databases() -> Vec<String> {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    // The pid and a random part: a process id is reused, and a database left by an earlier
    // run on the same PostgreSQL must never be taken for a fresh one.
    let pid = std::process::id();
    let nonce = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let dir = std::env::temp_dir().join(format!("ikm-collector-{pid}-{n}-{nonce}"));
    let mut urls = vec![format!("sqlite://{}/ikm.db", dir.display())];
    match std::env::var("IKM_TEST_POSTGRES_URL") {
        Ok(base) => {
            sqlx::any::install_default_drivers();
            let name = format!("ikm_test_{pid}_{n}_{nonce}");
            let admin = sqlx::AnyPool::connect(&base)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let (prefix, _) = base.rsplit_once('/').unwrap();
            urls.push(format!("{prefix}/{name}"));
        }
        Err(_) if std::env::var("IKM_REQUIRE_POSTGRES").is_ok() => {
            panic!("IKM_REQUIRE_POSTGRES is set but IKM_TEST_POSTGRES_URL is not")
        }
        Err(_) => eprintln!("IKM_TEST_POSTGRES_URL unset: PostgreSQL is not tested in this run"),
    }
    urls
}

pub struct Collector {
    pub router: Router,
    pub store: Store,
}

pub async fn collector(db: &str, limiter: Option<ClientLimiter>, cors: &[String]) -> Collector {
    let config = OfficeConfig {
        office_name: "Kantor Uji".into(),
        ..OfficeConfig::default()
    };
    collector_with(db, config, limiter, cors).await
}

/// A collector over `db` for an office configured as `config`.
pub async fn collector_with(
    db: &str,
    config: OfficeConfig,
    limiter: Option<ClientLimiter>,
    cors: &[String],
) -> Collector {
    collector_at(db, config, limiter, cors, fixed_now).await
}

/// The same with the collector's clock reading `now`.
pub async fn collector_at(
    db: &str,
    config: OfficeConfig,
    limiter: Option<ClientLimiter>,
    cors: &[String],
    now: fn() -> i64,
) -> Collector {
    collector_tuned(db, config, cors, |app| {
        app.limiter = limiter;
        app.now = now;
    })
    .await
}

/// A collector over `db` for `config`, its state changed by `tune` (limits, clock) first.
pub async fn collector_tuned(
    db: &str,
    config: OfficeConfig,
    cors: &[String],
    tune: impl FnOnce(&mut App),
) -> Collector {
    let store = Store::open(db, ikm_core::time::UtcOffset::WIB)
        .await
        .unwrap();
    let mut app = App::new(store.clone(), config, Some(TOKEN.into()));
    app.now = fixed_now;
    tune(&mut app);
    let app = Arc::new(app);
    Collector {
        router: router(app, Path::new("../../dist"), cors),
        store,
    }
}

impl Collector {
    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn post(
        &self,
        body: &str,
        key: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut request =
            Request::post("/api/v1/responses").header(header::CONTENT_TYPE, "application/json");
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// A request with a JSON body and the admin token.
    pub async fn admin_json(
        &self,
        method: &str,
        uri: &str,
        body: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// An `/admin` form post as a browser sends it from the collector's own page.
    pub async fn admin_form(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "ikm.test");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// The survey page's form posted as a browser on the collector's own page sends it.
    pub async fn survey_post(
        &self,
        path: &str,
        fields: &[(String, String)],
    ) -> (StatusCode, String) {
        let (status, _, page) = self.survey_post_headers(path, fields).await;
        (status, page)
    }

    /// The same, with the answer's headers.
    pub async fn survey_post_headers(
        &self,
        path: &str,
        fields: &[(String, String)],
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn get(
        &self,
        uri: &str,
        token: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut request = Request::get(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }
}

/// A valid submission whose answers and profile vary with `seed`.
pub fn submission(seed: u64, submitted_at: &str) -> Submission {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..].copy_from_slice(&(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes());
    let mut s = Submission::blank(if seed % 3 == 0 { Lang::En } else { Lang::Id });
    s.id = Submission::id_from_random_bytes(bytes);
    s.submitted_at = submitted_at.into();
    s.unit = Some("kanim-bengkulu".into());
    s.service =
        Some(["paspor-baru", "paspor-penggantian", "izin-tinggal"][(seed % 3) as usize].into());
    s.counter = (seed % 2 == 0).then(|| format!("loket-{}", seed % 4));
    let education = ["SD", "SMP", "SMA", "D1-D3", "D4-S1", "S2", "S3"][(seed % 7) as usize];
    let occupation = ["PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA"][(seed % 5) as usize];
    s.respondent = ikm_core::submission::Respondent::from_json(
        &serde_json::json!({
            "gender": if seed % 2 == 0 { "L" } else { "P" },
            "age": 17 + (seed * 7) % 60,
            "education": education,
            "occupation": occupation,
        })
        .to_string(),
    )
    .unwrap();
    for (i, e) in Element::ALL.into_iter().enumerate() {
        s.answers
            .set(e, Some((1 + (seed + i as u64 * 3 + seed / 5) % 4) as u8));
    }
    if seed % 4 == 0 {
        s.suggestion = Some(format!("Saran {seed}: antrean, \"loket\"\nbaris baru; é ✓"));
    }
    s
}

pub fn json(s: &Submission) -> String {
    serde_json::to_string(s).unwrap()
}

/// Percent-encodes a form value.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The password every test account gets.
pub const PASSWORD: &str = "kata-sandi-yang-panjang";

/// Adds an account exactly as `ikm user add` does (`scope`: its flags, e.g. `--unit ID`) and
/// returns an API token for it.
pub async fn account(
    db: &str,
    name: &str,
    role: ikm_server::accounts::Role,
    scope: &[&str],
) -> String {
    use clap::Parser;
    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        scope: ikm_server::account_cli::ScopeArgs,
    }
    let args = Args::try_parse_from(std::iter::once("x").chain(scope.iter().copied())).unwrap();
    ikm_server::account_cli::add_user(
        db,
        name,
        role,
        &args.scope,
        format!("{PASSWORD}\n").as_bytes(),
    )
    .await
    .unwrap();
    ikm_server::account_cli::create_token(db, name)
        .await
        .unwrap()
}

/// A JSON API call with a bearer token; the status and the body.
pub async fn call(
    c: &Collector,
    method: &str,
    uri: &str,
    token: &str,
    body: &str,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, body) = c.send(request).await;
    (status, body)
}

/// The hosted form's fields for one complete response under `id`, scoring every element `score`.
pub fn form_fields(id: &str, score: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("id", id),
        ("lang", "id"),
        ("service", "paspor-baru"),
        ("respondent.gender", "L"),
        ("respondent.age", "44"),
        ("respondent.education", "SMA"),
        ("respondent.occupation", "PNS"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for e in ikm_core::Element::ALL {
        fields.push((format!("answers.{}", e.key()), score.to_string()));
    }
    fields
}
