//! Service codes against the real collector, on every database under test: minted through the
//! API, accepted once, refused the second time, forged and expired codes refused, the
//! verified share and the two IKMs in the report, the code never stored in the clear.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::StatusCode;
use common::{call, databases, fixed_now, json, submission, Collector, TOKEN};
use ikm_core::codes::{Code, CodeFields};
use ikm_core::time::Date;
use ikm_core::OfficeConfig;
use ikm_server::api::App;
use ikm_server::codes::CodeSecret;
use ikm_server::serve::router;
use ikm_server::store::Store;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

const SECRET: &str = "a-deployment-secret-of-forty-characters!";

fn config() -> OfficeConfig {
    OfficeConfig::from_json(
        r#"{"office_name": "Kantor Imigrasi Bengkulu", "unit": "kanim-bengkulu",
            "survey_url": "https://survei.example.go.id",
            "services": [{"id": "paspor-baru", "label": {"id": "Paspor baru"}},
                         {"id": "izin-tinggal", "label": {"id": "Izin tinggal"}}]}"#,
    )
    .unwrap()
}

async fn coded_collector(db: &str, config: OfficeConfig) -> Collector {
    let store = Store::open(db, ikm_core::time::UtcOffset::WIB)
        .await
        .unwrap();
    let mut app = App::new(store.clone(), config, Some(TOKEN.into()));
    app.now = fixed_now;
    app.codes = CodeSecret::from_env(Some(SECRET.into())).unwrap();
    Collector {
        router: router(Arc::new(app), Path::new("../../dist"), &[]),
        store,
    }
}

/// Mints `count` codes of `service` through `POST /api/v1/codes`.
async fn mint(c: &Collector, service: &str, count: u32, day: &str) -> Vec<String> {
    let (status, body) = call(
        c,
        "POST",
        "/api/v1/codes",
        TOKEN,
        &format!(r#"{{"service": "{service}", "count": {count}, "day": "{day}"}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let issued = ikm_core::time::Date::parse(day).unwrap();
    let last = ikm_core::time::Date::from_days_since_epoch(issued.days_since_epoch() + 14);
    assert_eq!(
        v["valid_until"],
        last.to_string(),
        "the default 14 days: {body}"
    );
    v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let url = c["url"].as_str().unwrap();
            let code = c["code"].as_str().unwrap();
            assert_eq!(
                url,
                format!(
                    "https://survei.example.go.id?kode={}",
                    code.replace('-', "")
                )
            );
            code.to_string()
        })
        .collect()
}

/// Posts response `seed` for `service` with `code`; the status and the body.
async fn post(c: &Collector, seed: u64, service: &str, code: Option<&str>) -> (StatusCode, Value) {
    let mut s = submission(seed, "2026-11-15T02:00:00Z");
    s.service = Some(service.into());
    s.counter = None;
    s.code = code.map(String::from);
    let (status, _, body) = c.post(&json(&s), None).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn error_code(body: &Value) -> (&str, &str) {
    let e = &body["errors"][0];
    (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())
}

async fn report(c: &Collector) -> Value {
    let (status, body) = call(c, "GET", "/api/v1/report?period=2026-11", TOKEN, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_code_counts_once_and_forged_or_expired_codes_are_refused() {
    for db in databases().await {
        let c = coded_collector(&db, config()).await;
        let codes = mint(&c, "paspor-baru", 3, "2026-11-15").await;
        assert_eq!(codes.len(), 3);
        let more = mint(&c, "paspor-baru", 2, "2026-11-15").await;
        assert!(more.iter().all(|m| !codes.contains(m)), "serials go on");

        // Accepted once; the same response again is a replay; another response is refused.
        assert_eq!(
            post(&c, 1, "paspor-baru", Some(&codes[0])).await.0,
            StatusCode::CREATED
        );
        assert_eq!(
            post(&c, 1, "paspor-baru", Some(&codes[0])).await.0,
            StatusCode::OK
        );
        let (status, body) = post(&c, 2, "paspor-baru", Some(&codes[0])).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"], "code_used");
        assert_eq!(error_code(&body), ("code", "code_used"));
        // Typed by hand in lower case with spaces: the same code, still used.
        let typed = codes[0].to_lowercase().replace('-', " ");
        assert_eq!(
            post(&c, 3, "paspor-baru", Some(&typed)).await.0,
            StatusCode::CONFLICT
        );

        // One character changed: the check character catches it; a code for another
        // service or a made-up one with a right check character fails the MAC.
        let mut chars: Vec<char> = codes[1].chars().collect();
        chars[0] = if chars[0] == '1' { '2' } else { '1' };
        let typo: String = chars.into_iter().collect();
        let (status, body) = post(&c, 4, "paspor-baru", Some(&typo)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_code(&body), ("code", "invalid_code"));
        let (status, body) = post(&c, 5, "izin-tinggal", Some(&codes[1])).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, ("code", "invalid_code"))
        );
        let forged = CodeFields {
            day: Date::parse("2026-11-15").unwrap(),
            service: 0,
            serial: 9,
        }
        .encode(&[0x5a; 32])
        .unwrap();
        assert!(Code::parse(&forged).is_ok(), "well formed");
        let (status, body) = post(&c, 6, "paspor-baru", Some(&forged)).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, ("code", "invalid_code"))
        );

        // A code from 1 November is past its 14 days on the 15th.
        let old = mint_at(&c, "paspor-baru", "2026-10-31").await;
        let (status, body) = post(&c, 7, "paspor-baru", Some(&old)).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, ("code", "code_expired"))
        );

        // The refused responses were not stored; a second good code and two without one are.
        assert_eq!(
            post(&c, 8, "paspor-baru", Some(&codes[2])).await.0,
            StatusCode::CREATED
        );
        assert_eq!(
            post(&c, 20, "paspor-baru", None).await.0,
            StatusCode::CREATED
        );
        assert_eq!(
            post(&c, 23, "izin-tinggal", None).await.0,
            StatusCode::CREATED
        );
        assert_eq!(c.store.count().await.unwrap(), 4);

        let r = report(&c).await;
        assert_eq!(r["respondents"], 4);
        assert_eq!(r["verified"]["respondents"], 2, "{}", r["verified"]);
        assert_eq!(r["verified"]["percent"], 50.0);
        let mut verified = ikm_core::ScoreTally::default();
        for seed in [1, 8] {
            verified.add(&submission(seed, "2026-11-15T02:00:00Z").scores());
        }
        let expected = verified.recap(ikm_core::Weights::Exact).ikm_rounded();
        assert_eq!(r["verified"]["ikm"].as_f64(), expected);
        assert_ne!(
            r["verified"]["ikm"], r["ikm_rounded"],
            "the two IKMs differ here"
        );

        // The code is not kept in the clear anywhere in the database.
        let mut snapshot = c.store.snapshot().await.unwrap();
        let stored = snapshot
            .response(&submission(1, "").id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.code, None);
        drop(snapshot);
        let dump = dump_text(&db).await;
        for code in &codes {
            assert!(
                !dump.contains(&code.replace('-', "")),
                "code stored in the clear"
            );
        }
    }
}

/// The audit trail names who minted; a viewer may not mint; codes off without the secret.
#[tokio::test]
async fn minting_is_an_audited_admin_change() {
    for db in databases().await {
        let c = coded_collector(&db, config()).await;
        mint(&c, "izin-tinggal", 1, "2026-11-15").await;
        let (status, body) = call(&c, "GET", "/api/v1/audit", TOKEN, "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let event = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "codes.mint")
            .expect("a codes.mint event");
        assert_eq!(event["target"], "2026-11-15/izin-tinggal");
        assert_eq!(event["after"]["count"], 1);

        let viewer = common::account(
            &db,
            "pemantau",
            ikm_server::accounts::Role::Viewer,
            &["--unit", "kanim-bengkulu"],
        )
        .await;
        let (status, _) = call(
            &c,
            "POST",
            "/api/v1/codes",
            &viewer,
            r#"{"service": "paspor-baru", "count": 1}"#,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = call(
            &c,
            "POST",
            "/api/v1/codes",
            TOKEN,
            r#"{"service": "tidak-ada", "count": 1}"#,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("`service`"), "{body}");

        let store = Store::open(&db, ikm_core::time::UtcOffset::WIB)
            .await
            .unwrap();
        let plain = App::new(store.clone(), config(), Some(TOKEN.into()));
        let off = Collector {
            router: router(Arc::new(plain), Path::new("../../dist"), &[]),
            store,
        };
        let (status, body) = call(
            &off,
            "POST",
            "/api/v1/codes",
            TOKEN,
            r#"{"service": "paspor-baru", "count": 1}"#,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("IKM_CODE_SECRET"), "{body}");
    }
}

/// A unit that requires a code refuses a response without one.
#[tokio::test]
async fn a_unit_may_require_a_code() {
    for db in databases().await {
        let mut config = config();
        config.codes.required = true;
        let c = coded_collector(&db, config).await;
        let (status, body) = post(&c, 1, "paspor-baru", None).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, ("code", "required"))
        );
        let code = mint_at(&c, "paspor-baru", "2026-11-14").await;
        assert_eq!(
            post(&c, 1, "paspor-baru", Some(&code)).await.0,
            StatusCode::CREATED
        );
    }
}

async fn mint_at(c: &Collector, service: &str, day: &str) -> String {
    mint(c, service, 1, day).await.remove(0)
}

/// Every text value of the tables a code could land in.
async fn dump_text(db: &str) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(db).await.unwrap();
    let mut out = String::new();
    for query in [
        "SELECT body FROM responses",
        "SELECT digest FROM used_codes",
        "SELECT COALESCE(after_json, '') FROM audit_events",
    ] {
        for row in sqlx::query(query).fetch_all(&pool).await.unwrap() {
            let text: String = sqlx::Row::try_get(&row, 0).unwrap();
            out.push_str(&text);
            out.push('\n');
        }
    }
    pool.close().await;
    out
}

/// A complete response under `id` scoring every element 3, sent with the ticket's `code`.
fn form_fields(id: &str, code: &str) -> Vec<(String, String)> {
    let mut fields = common::form_fields(id, "3");
    fields.push(("code".into(), code.into()));
    fields
}

async fn post_form(c: &Collector, path: &str, fields: &[(String, String)]) -> (StatusCode, String) {
    c.survey_post(path, fields).await
}

/// Without JavaScript: the ticket's link shows and posts the code; a used code gets the form
/// back with its answers, the message, and a button that sends them without the code.
#[tokio::test]
async fn the_no_script_form_carries_the_code_and_recovers_from_a_used_one() {
    for db in databases().await {
        let c = coded_collector(&db, config()).await;
        let code = mint_at(&c, "izin-tinggal", "2026-11-15").await;
        let plain = code.replace('-', "");
        let request = axum::http::Request::get(format!("/?kode={}", plain.to_lowercase()))
            .body(axum::body::Body::empty())
            .unwrap();
        let (status, _, page) = c.send(request).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(&code), "the code is shown grouped");
        assert!(
            page.contains(&format!(
                "<input value=\"{plain}\" type=\"hidden\" name=\"code\">"
            )),
            "and posted: {page}"
        );
        assert!(
            page.contains("Izin tinggal"),
            "its service is fixed by the code"
        );

        let first = "6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40";
        let mut fields = form_fields(first, &plain);
        fields[2].1 = "izin-tinggal".into();
        let (status, page) = post_form(&c, "/", &fields).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Terima kasih"));

        let second = "0b7f3c1e-9d2a-4e5b-8c6d-1a2b3c4d5e6f";
        let mut fields = form_fields(second, &plain);
        fields[2].1 = "izin-tinggal".into();
        let (status, page) = post_form(&c, "/", &fields).await;
        assert_eq!(status, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("sudah dipakai"), "{page}");
        assert!(page.contains("name=\"tanpa_kode\""), "{page}");
        assert!(page.contains("value=\"44\""), "the answers are kept");

        fields.push(("tanpa_kode".into(), "1".into()));
        let (status, page) = post_form(&c, "/", &fields).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let r = report(&c).await;
        assert_eq!(r["respondents"], 2);
        assert_eq!(r["verified"]["respondents"], 1);
    }
}
