//! Many units in one deployment, on every database under test: each unit's own time zone,
//! records, survey address and scope; recaps across a region and the whole deployment.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{account, call, databases, json, submission, Collector, TOKEN};
use ikm_core::time::parse_rfc3339;
use ikm_core::Deployment;
use ikm_server::accounts::Role;
use ikm_server::api::App;
use ikm_server::serve::{router, zones_of};
use ikm_server::store::Store;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

const DEPLOYMENT: &str = r#"{
  "units": [
    {"office_name": "Kantor Imigrasi Bengkulu", "unit": "kanim-bengkulu",
     "services": [{"id": "paspor-baru", "label": {"id": "Paspor baru"}}]},
    {"office_name": "Kantor Imigrasi Denpasar", "unit": "kanim-denpasar",
     "time_zone": "Asia/Makassar",
     "services": [{"id": "paspor-baru", "label": {"id": "Paspor baru"}},
                  {"id": "izin-tinggal", "label": {"id": "Izin tinggal"}}]},
    {"office_name": "Kantor Imigrasi Jakarta Pusat", "unit": "kanim-jakpus",
     "services": [{"id": "paspor-baru", "label": {"id": "Paspor baru"}}]}
  ],
  "regions": [{"id": "kanwil-x", "label": {"id": "Kanwil X"},
               "units": ["kanim-bengkulu", "kanim-denpasar"]}]
}"#;

/// 1 December 2026, 07:00 WIB, 08:00 WITA.
fn december_first() -> i64 {
    parse_rfc3339("2026-12-01T00:00:00Z").unwrap()
}

async fn deployment_collector(db: &str) -> Collector {
    let deployment = Deployment::from_json(DEPLOYMENT).unwrap();
    let store = Store::open_zones(db, zones_of(&deployment)).await.unwrap();
    let mut app = App::for_deployment(store.clone(), deployment, Some(TOKEN.into()));
    app.now = december_first;
    Collector {
        router: router(Arc::new(app), Path::new("../../dist"), &[]),
        store,
    }
}

async fn report(c: &Collector, query: &str, token: &str) -> Value {
    let (status, body) = call(c, "GET", &format!("/api/v1/report?{query}"), token, "").await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Posts a response of `unit` sent at `at`; returns the status.
async fn post_for(c: &Collector, seed: u64, unit: Option<&str>, at: &str) -> (StatusCode, String) {
    let mut s = submission(seed, at);
    s.unit = unit.map(String::from);
    s.counter = None;
    s.service = Some("paspor-baru".into());
    let (status, _, body) = c.post(&json(&s), None).await;
    (status, body)
}

#[tokio::test]
async fn each_unit_keeps_its_own_days_records_and_survey_address() {
    for db in databases().await {
        let c = deployment_collector(&db).await;
        // 23:30 WIB on 30 November is already 00:30 WITA on 1 December.
        let at = "2026-11-30T16:30:00Z";
        for (seed, unit) in [
            (1, "kanim-bengkulu"),
            (2, "kanim-denpasar"),
            (3, "kanim-jakpus"),
        ] {
            let (status, body) = post_for(&c, seed, Some(unit), at).await;
            assert_eq!(status, StatusCode::CREATED, "{db}: {body}");
        }
        let (status, body) = post_for(&c, 4, Some("kanim-bogor"), at).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db}: {body}");
        assert!(body.contains(r#""field":"unit""#), "{body}");
        let (status, body) = post_for(&c, 5, None, at).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db}: {body}");
        assert!(
            body.contains(r#""field":"unit""#) && body.contains("required"),
            "{body}"
        );

        let n = |v: &Value| v["respondents"].as_u64().unwrap();
        let bengkulu_nov = report(&c, "unit=kanim-bengkulu&period=2026-11", TOKEN).await;
        assert_eq!(n(&bengkulu_nov), 1, "{db}");
        assert_eq!(bengkulu_nov["office"], "Kantor Imigrasi Bengkulu");
        assert_eq!(bengkulu_nov["period"]["time_zone"], "Asia/Jakarta");
        let denpasar_nov = report(&c, "unit=kanim-denpasar&period=2026-11", TOKEN).await;
        assert_eq!(n(&denpasar_nov), 0, "{db}: its day is 1 December");
        let denpasar_dec = report(&c, "unit=kanim-denpasar&period=2026-12", TOKEN).await;
        assert_eq!(n(&denpasar_dec), 1, "{db}");
        assert_eq!(denpasar_dec["period"]["time_zone"], "Asia/Makassar");
        let (status, body) = call(&c, "GET", "/api/v1/report?unit=kanim-bogor", TOKEN, "").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        // A unit that is not even an id is refused as such; one not configured is not found.
        let (status, body) = call(&c, "GET", "/api/v1/report?unit=Kanim+Bogor", TOKEN, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("`unit` must be an id"), "{body}");
        let (status, body) =
            call(&c, "GET", "/api/v1/follow-ups?region=Bali+Nusra", TOKEN, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("`region` must be an id"), "{body}");
        // Which unit is meant must be plain: a unit named twice is refused before any
        // handler runs, on a route whose own query has no `unit` too, and nothing changes.
        for uri in [
            "/api/v1/follow-ups?unit=kanim-bengkulu&unit=kanim-denpasar",
            "/api/v1/periods/2026-11/close?unit=kanim-denpasar&unit=kanim-bengkulu",
        ] {
            let method = if uri.contains("close") { "POST" } else { "GET" };
            let (status, body) = call(&c, method, uri, TOKEN, "").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{db}: {uri}: {body}");
            assert!(body.contains("unit"), "{db}: {body}");
        }

        // Records are per unit: a closing, a population, a follow-up action.
        let (status, body) = call(
            &c,
            "POST",
            "/api/v1/periods/2026-11/close?unit=kanim-bengkulu",
            TOKEN,
            "",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{db}: {body}");
        let (status, body) = call(&c, "POST", "/api/v1/periods/2026-11/close", TOKEN, "").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "which unit? {body}"
        );
        let closed = |unit: &str| {
            let uri = format!("/api/v1/periods/2026-11?unit={unit}");
            let c = &c;
            async move {
                let (_, body) = call(c, "GET", &uri, TOKEN, "").await;
                serde_json::from_str::<Value>(&body).unwrap()["closed"].clone()
            }
        };
        assert_eq!(closed("kanim-bengkulu").await, true, "{db}");
        assert_eq!(closed("kanim-denpasar").await, false, "{db}");
        let (status, body) = call(
            &c,
            "PUT",
            "/api/v1/population/2026-12",
            TOKEN,
            r#"{"population": 400, "unit": "kanim-denpasar"}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{db}: {body}");
        assert!(body.contains("kanim-denpasar"), "{body}");
        let denpasar = report(&c, "unit=kanim-denpasar&period=2026-12", TOKEN).await;
        assert_eq!(denpasar["sample"]["population"], 400, "{db}");
        let bengkulu = report(&c, "unit=kanim-bengkulu&period=2026-12", TOKEN).await;
        assert!(bengkulu["sample"].is_null(), "{db}: {bengkulu}");
        let action = r#"{"period": "2026-12", "element": "waktu", "action": "Tambah loket",
            "responsible": "Kasi Lantaskim", "due": "2026-12-20", "status": "planned"}"#;
        let (status, body) = call(
            &c,
            "POST",
            "/api/v1/follow-ups?unit=kanim-denpasar",
            TOKEN,
            action,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{db}: {body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let list = |unit: &'static str| {
            let c = &c;
            async move {
                let uri = format!("/api/v1/follow-ups?unit={unit}");
                let (_, body) = call(c, "GET", &uri, TOKEN, "").await;
                serde_json::from_str::<Value>(&body).unwrap()["follow_ups"]
                    .as_array()
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(
            (list("kanim-denpasar").await, list("kanim-bengkulu").await),
            (1, 0)
        );
        let (status, _) = call(
            &c,
            "DELETE",
            &format!("/api/v1/follow-ups/{id}?unit=kanim-bengkulu"),
            TOKEN,
            "",
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{db}: another unit's action");

        // The audit trail files each change under its unit.
        let (_, body) = call(&c, "GET", "/api/v1/audit?unit=kanim-bengkulu", TOKEN, "").await;
        let events: Value = serde_json::from_str(&body).unwrap();
        let actions: Vec<&str> = events["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["period.close"], "{db}: {body}");

        // Each unit has its own survey address and short links.
        let get = |uri: &'static str| {
            let c = &c;
            async move { c.send(Request::get(uri).body(Body::empty()).unwrap()).await }
        };
        let (status, _, page) = get("/u/kanim-denpasar/?layanan=izin-tinggal").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Kantor Imigrasi Denpasar"), "{page}");
        assert!(page.contains(r#"data-unit="kanim-denpasar""#));
        let (status, _, page) = get("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"href="/u/kanim-bengkulu/""#), "{page}");
        assert!(page.contains("Kantor Imigrasi Jakarta Pusat"));
        let (status, headers, _) = get("/u/kanim-denpasar/s/-/izin-tinggal").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            headers[header::LOCATION],
            "/u/kanim-denpasar/?layanan=izin-tinggal"
        );
        let (status, _, _) = get("/u/kanim-bogor/").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, badge) = get("/badge.svg?unit=kanim-bengkulu").await;
        assert_eq!(status, StatusCode::OK, "{badge}");
        assert!(
            badge.contains("Bengkulu") && badge.contains("November 2026"),
            "{badge}"
        );
    }
}

#[tokio::test]
async fn a_region_recap_pools_its_units_and_ranks_them() {
    for db in databases().await {
        let c = deployment_collector(&db).await;
        let at = "2026-12-01T01:00:00Z";
        let mut seed = 10;
        for (unit, count) in [
            ("kanim-bengkulu", 3),
            ("kanim-denpasar", 1),
            ("kanim-jakpus", 2),
        ] {
            for _ in 0..count {
                seed += 1;
                let (status, body) = post_for(&c, seed, Some(unit), at).await;
                assert_eq!(status, StatusCode::CREATED, "{db}: {body}");
            }
        }
        let region = report(&c, "region=kanwil-x&period=2026-12", TOKEN).await;
        assert_eq!(region["region"], "kanwil-x");
        assert_eq!(region["respondents"], 4, "{db}: {region}");
        let per_unit = region["per_unit"].as_object().unwrap();
        let keys: Vec<&String> = per_unit.keys().collect();
        assert_eq!(keys, ["kanim-bengkulu", "kanim-denpasar"], "{db}");
        assert_eq!(per_unit["kanim-bengkulu"]["respondents"], 3);
        assert_eq!(
            per_unit["kanim-bengkulu"]["label"],
            "Kantor Imigrasi Bengkulu"
        );
        // The mean of the units' IKM beside the pooled IKM, which weighs every respondent.
        let unit_ikm = |u: &str| per_unit[u]["ikm"].as_f64().unwrap();
        let mean = (unit_ikm("kanim-bengkulu") + unit_ikm("kanim-denpasar")) / 2.0;
        let shown = region["mean_of_units"]["ikm"].as_f64().unwrap();
        assert!((shown - mean).abs() < 0.011, "{shown} vs {mean}");
        assert_eq!(region["mean_of_units"]["units"], 2);
        assert!(region["ikm_rounded"].as_f64().is_some());

        let all = report(&c, "all=1&period=2026-12", TOKEN).await;
        assert_eq!(all["respondents"], 6, "{db}");
        assert!(all["region"].is_null());
        assert_eq!(all["per_unit"].as_object().unwrap().len(), 3);

        // A unit's exclusion leaves the region's figures and is stated there, by reason.
        let id = submission(11, at).id;
        let body =
            serde_json::json!({ "responses": [id], "reason": "Uji coba petugas" }).to_string();
        let (status, answer) = call(
            &c,
            "POST",
            "/api/v1/exclusions?unit=kanim-bengkulu",
            TOKEN,
            &body,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{db}: {answer}");
        let region = report(&c, "region=kanwil-x&period=2026-12", TOKEN).await;
        assert_eq!(region["respondents"], 3, "{db}");
        assert_eq!(region["excluded"]["respondents"], 1);
        assert_eq!(
            region["excluded"]["reasons"][0]["reason"],
            "Uji coba petugas"
        );
        let bengkulu = &region["per_unit"]["kanim-bengkulu"];
        assert_eq!(
            (
                bengkulu["respondents"].as_u64(),
                bengkulu["excluded"].as_u64()
            ),
            (Some(2), Some(1))
        );
        assert_eq!(region["per_unit"]["kanim-denpasar"]["excluded"], 0);
        let (status, _) = call(
            &c,
            "POST",
            "/api/v1/exclusions?unit=kanim-denpasar",
            TOKEN,
            &body,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another unit's response is not found there"
        );

        // Scopes: a head of office sees only their office; the Kanwil's viewer the region.
        let head = account(
            &db,
            "kepala.bengkulu",
            Role::Admin,
            &["--unit", "kanim-bengkulu"],
        )
        .await;
        let kanwil = account(&db, "kanwil.x", Role::Viewer, &["--region", "kanwil-x"]).await;
        let own = report(&c, "period=2026-12", &head).await;
        assert_eq!(
            own["office"], "Kantor Imigrasi Bengkulu",
            "{db}: the caller's own unit"
        );
        for (uri, token) in [
            ("/api/v1/report?unit=kanim-denpasar", head.as_str()),
            ("/api/v1/report?region=kanwil-x", head.as_str()),
            ("/api/v1/report?all=1", kanwil.as_str()),
            ("/api/v1/report?unit=kanim-jakpus", kanwil.as_str()),
            ("/api/v1/responses.csv?unit=kanim-denpasar", head.as_str()),
        ] {
            let (status, body) = call(&c, "GET", uri, token, "").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{db}: {uri}: {body}");
        }
        let (status, body) = call(
            &c,
            "POST",
            "/api/v1/periods/2026-12/close?unit=kanim-denpasar",
            &head,
            "",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{db}: {body}");
        let (status, body) = call(
            &c,
            "POST",
            "/api/v1/periods/2026-12/close?unit=kanim-bengkulu",
            &kanwil,
            "",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{db}: a viewer: {body}");
        let (status, body) = call(
            &c,
            "PUT",
            "/api/v1/population/2026-12",
            &head,
            r#"{"population": 10, "unit": "kanim-denpasar"}"#,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{db}: {body}");
        let by_default = report(&c, "period=2026-12", &kanwil).await;
        assert_eq!(
            by_default["region"], "kanwil-x",
            "{db}: the viewer's own region"
        );

        // /admin of a region viewer is the ranking, best first, each unit linked.
        let request = Request::get("/admin?period=2026-12")
            .header(header::AUTHORIZATION, format!("Bearer {kanwil}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, page) = c.send(request).await;
        assert_eq!(status, StatusCode::OK, "{db}: {page}");
        assert!(page.contains("Peringkat unit"), "{page}");
        assert!(
            page.contains("/admin?unit=kanim-denpasar&amp;period=2026-12"),
            "{page}"
        );
        assert!(!page.contains("Jakarta Pusat"), "{page}");
        let (b, d) = (
            page.find("Kantor Imigrasi Bengkulu").unwrap(),
            page.find("Kantor Imigrasi Denpasar").unwrap(),
        );
        let better_first = if unit_ikm("kanim-bengkulu") >= unit_ikm("kanim-denpasar") {
            b < d
        } else {
            d < b
        };
        assert!(better_first, "{page}");
    }
}
