//! The collector against real databases: every status code of the contract, exactly-once
//! storage under concurrent replays, office-local periods, the report equal to `ikm score`
//! on the exported CSV, and the CSV round trip. Each test runs on SQLite and, when
//! `IKM_TEST_POSTGRES_URL` is set (`make test` starts a server), on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{collector, databases, form_fields, json, submission, TOKEN};
use ikm_core::{Element, Weights};
use ikm_server::csv_scores::score_csv;
use ikm_server::rate_limit::ClientLimiter;
use ikm_server::store::Store;
use serde_json::Value;
use std::sync::Arc;

#[tokio::test]
async fn every_status_code_of_the_contract() {
    for db in databases().await {
        let c = collector(&db, Some(ClientLimiter::new(60, 1000)), &[]).await;
        let s = submission(1, "2026-11-10T02:00:00Z");
        let (status, _, body) = c.post(&json(&s), Some(&s.id)).await;
        assert_eq!(status, StatusCode::CREATED, "{db}: {body}");
        assert_eq!(
            c.post(&json(&s), Some(&s.id)).await.0,
            StatusCode::OK,
            "{db}: a replay is 200"
        );

        let mut changed = s.clone();
        changed.answers.set(Element::Waktu, Some(1));
        assert_eq!(
            c.post(&json(&changed), None).await.0,
            StatusCode::CONFLICT,
            "{db}"
        );

        assert_eq!(c.post("{\"id\":", None).await.0, StatusCode::BAD_REQUEST);
        let mut wrong_schema = submission(2, "2026-11-10T02:00:00Z");
        wrong_schema.schema = "ikm-response/2".into();
        let (status, _, body) = c.post(&json(&wrong_schema), None).await;
        assert_eq!(
            (status, body.contains("unsupported_schema")),
            (StatusCode::BAD_REQUEST, true)
        );
        let other = submission(3, "2026-11-10T02:00:00Z");
        assert_eq!(
            c.post(&json(&other), Some(&s.id)).await.0,
            StatusCode::BAD_REQUEST,
            "key must equal id"
        );

        let mut big = submission(4, "2026-11-10T02:00:00Z");
        big.suggestion = Some("x".repeat(20_000));
        assert_eq!(
            c.post(&json(&big), None).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );

        let mut invalid = submission(5, "2026-11-10T02:00:00Z");
        invalid.answers.set(Element::Sarana, Some(5));
        invalid.respondent.age = Some(15);
        let (status, _, body) = c.post(&json(&invalid), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["errors"][0],
            serde_json::json!({"field": "respondent.age", "code": "too_young", "limit": 17})
        );
        assert_eq!(v["errors"][1]["field"], "answers.sarana");
        assert_eq!(v["errors"][1]["code"], "out_of_range");

        assert_eq!(
            c.store.count().await.unwrap(),
            1,
            "{db}: only the first valid response is stored"
        );

        assert_eq!(
            c.get("/api/v1/report", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            c.get("/api/v1/report", Some("wrong")).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            c.get("/api/v1/responses.csv", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (status, headers, _) = c.get("/admin", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        assert_eq!(c.get("/api/v1/report", Some(TOKEN)).await.0, StatusCode::OK);
        assert_eq!(
            c.get("/api/v1/report?from=2026-13-01", Some(TOKEN)).await.0,
            StatusCode::BAD_REQUEST
        );
        // A name given twice is ambiguous: the API's own 400, naming it, on every typed query.
        for uri in [
            "/api/v1/report?period=2026-10&period=2026-11",
            "/admin?period=2026-10&period=2026-11",
            "/admin/laporan?period=2026-10&period=2026-11",
            "/api/v1/responses.csv?period=2026-10&period=2026-11",
            "/api/v1/follow-ups?period=2026-10&period=2026-11",
            "/api/v1/audit?from=2026-10-01&from=2026-10-02",
            "/admin/qr?paper=a4&paper=a5",
        ] {
            let name = uri.split(['?', '=']).nth(1).unwrap_or_default();
            let (status, _, body) = c.get(uri, Some(TOKEN)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            let error: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(error["error"], "bad_request", "{uri}: {body}");
            assert!(body.contains(name), "{uri}: {body} names `{name}`");
        }
    }
}

#[tokio::test]
async fn a_flood_from_one_client_gets_429_with_retry_after() {
    for db in databases().await {
        let c = collector(&db, Some(ClientLimiter::new(60, 3)), &[]).await;
        let mut statuses = Vec::new();
        for seed in 0..5 {
            let (status, headers, _) = c
                .post(&json(&submission(100 + seed, "2026-11-10T02:00:00Z")), None)
                .await;
            statuses.push(status);
            if status == StatusCode::TOO_MANY_REQUESTS {
                assert!(
                    headers[header::RETRY_AFTER]
                        .to_str()
                        .unwrap()
                        .parse::<u64>()
                        .unwrap()
                        >= 1
                );
            }
        }
        assert_eq!(&statuses[..3], &[StatusCode::CREATED; 3]);
        assert_eq!(&statuses[3..], &[StatusCode::TOO_MANY_REQUESTS; 2]);
    }
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let db = databases().await.remove(0);
    let c = collector(&db, None, &["https://imigrasi.example.go.id".to_string()]).await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/v1/responses")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,idempotency-key",
            )
            .body(Body::empty())
            .unwrap()
    };
    let (_, headers, _) = c.send(preflight("https://imigrasi.example.go.id")).await;
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://imigrasi.example.go.id"
    );
    assert!(headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .contains("idempotency-key"));
    let (_, headers, _) = c.send(preflight("https://evil.example")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn a_hundred_concurrent_replays_store_one_row() {
    for db in databases().await {
        let c = Arc::new(collector(&db, None, &[]).await);
        let body = json(&submission(7, "2026-11-10T02:00:00Z"));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let c = c.clone();
                let body = body.clone();
                tokio::spawn(async move { c.post(&body, None).await.0 })
            })
            .collect();
        let mut created = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::CREATED => created += 1,
                StatusCode::OK => {}
                other => panic!("{db}: unexpected {other}"),
            }
        }
        assert_eq!(created, 1, "{db}: exactly one 201");
        assert_eq!(c.store.count().await.unwrap(), 1, "{db}: exactly one row");
    }
}

#[tokio::test]
async fn periods_are_office_local_months() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        // 00:30 WIB on 1 November is 17:30 UTC on 31 October.
        c.post(&json(&submission(11, "2026-10-31T17:30:00Z")), None)
            .await;
        c.post(&json(&submission(12, "2026-10-31T16:59:59Z")), None)
            .await;
        // A device clock far in the future falls back to the collector's receive time (15 November).
        c.post(&json(&submission(13, "2027-03-01T00:00:00Z")), None)
            .await;
        let count = |body: String| {
            serde_json::from_str::<Value>(&body).unwrap()["respondents"]
                .as_u64()
                .unwrap()
        };
        let nov = c
            .get("/api/v1/report?from=2026-11-01&to=2026-11-30", Some(TOKEN))
            .await
            .2;
        let oct = c.get("/api/v1/report?month=2026-10", Some(TOKEN)).await.2;
        assert_eq!((count(nov), count(oct)), (2, 1), "{db}");
    }
}

#[tokio::test]
async fn the_report_equals_ikm_score_on_the_exported_csv() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        for seed in 0..240 {
            let day = 1 + seed % 28;
            let (status, _, body) = c
                .post(
                    &json(&submission(
                        1000 + seed,
                        &format!("2026-11-{day:02}T04:00:00Z"),
                    )),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, _, body) = c
            .get(
                "/api/v1/report?from=2026-11-01&to=2026-11-30&population=1000",
                Some(TOKEN),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let report: Value = serde_json::from_str(&body).unwrap();
        let (status, headers, csv) = c
            .get(
                "/api/v1/responses.csv?from=2026-11-01&to=2026-11-30",
                Some(TOKEN),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let recap = score_csv(csv.as_bytes()).unwrap().recap(Weights::Exact);
        assert_eq!(report["respondents"].as_u64(), Some(240));
        assert_eq!(recap.respondents, 240);
        for e in Element::ALL {
            assert_eq!(
                report["nrr"][e.key()].as_f64(),
                *recap.nrr.get(e),
                "{db}: {}",
                e.key()
            );
        }
        assert_eq!(report["ni"].as_f64(), recap.ni);
        assert_eq!(report["ikm"].as_f64(), recap.ikm);
        assert_eq!(report["mutu"], serde_json::to_value(recap.mutu).unwrap());
        assert_eq!(
            report["sample"],
            serde_json::json!({"population": 1000, "target": 278, "respondents": 240, "reached": false, "months_missing": []})
        );
        let profile_total: u64 = report["profile"]["gender"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|row| row["count"].as_u64())
            .sum();
        assert_eq!(profile_total, 240);
        let per_service: u64 = report["services"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(Value::as_u64)
            .sum();
        assert_eq!(per_service, 240);
        let legacy: Value = serde_json::from_str(
            &c.get("/api/v1/report?month=2026-11&weights=0.111", Some(TOKEN))
                .await
                .2,
        )
        .unwrap();
        assert_eq!(
            legacy["ikm"].as_f64(),
            score_csv(csv.as_bytes())
                .unwrap()
                .recap(Weights::Legacy0111)
                .ikm
        );
        let filtered: Value = serde_json::from_str(
            &c.get(
                "/api/v1/report?month=2026-11&service=izin-tinggal",
                Some(TOKEN),
            )
            .await
            .2,
        )
        .unwrap();
        assert_eq!(filtered["respondents"].as_u64(), Some(80));
    }
}

#[tokio::test]
async fn the_csv_keeps_suggestions_intact() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let mut sent = Vec::new();
        for seed in [20, 24, 28] {
            let s = submission(seed, "2026-11-05T01:00:00Z");
            c.post(&json(&s), None).await;
            sent.push(s);
        }
        let csv = c
            .get("/api/v1/responses.csv?month=2026-11", Some(TOKEN))
            .await
            .2;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        rows.sort_by_key(|r| r[column("id")].to_string());
        sent.sort_by_key(|s| s.id.clone());
        assert_eq!(rows.len(), 3);
        for (row, s) in rows.iter().zip(&sent) {
            assert_eq!(&row[column("id")], s.id);
            assert_eq!(&row[column("suggestion")], s.suggestion.as_deref().unwrap());
            assert!(
                row[column("suggestion")].contains('\n') && row[column("suggestion")].contains('"')
            );
            assert_eq!(
                row[column("waktu")].parse::<u8>().ok(),
                s.answers.get(Element::Waktu)
            );
            assert_eq!(&row[column("service")], s.service.as_deref().unwrap());
        }
    }
}

#[tokio::test]
async fn the_admin_page_shows_the_recap_and_escapes_suggestions() {
    let db = databases().await.remove(0);
    let c = collector(&db, None, &[]).await;
    let mut s = submission(40, "2026-11-06T01:00:00Z");
    s.suggestion = Some("<script>alert(1)</script> bagus".into());
    c.post(&json(&s), None).await;
    let (status, _, html) = c.get("/admin?month=2026-11", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Rekapitulasi IKM November 2026"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; bagus"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("<svg") && html.contains("Tren IKM 12 bulan"));
    let recap: Value =
        serde_json::from_str(&c.get("/api/v1/report?month=2026-11", Some(TOKEN)).await.2).unwrap();
    let ikm = format!("{:.2}", recap["ikm_rounded"].as_f64().unwrap()).replace('.', ",");
    assert!(
        html.contains(&format!("<strong>{ikm}</strong>")),
        "the page shows IKM {ikm}"
    );
}

#[tokio::test]
async fn changing_the_time_zone_rebuilds_the_daily_totals() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        // 00:30 WIB on 1 November = 17:30 UTC on 31 October.
        c.post(&json(&submission(50, "2026-10-31T17:30:00Z")), None)
            .await;
        let in_month = |store: Store, month: Date| async move {
            let filter = ikm_server::store::Filter::days(month, month.last_of_month());
            let mut snapshot = store.snapshot().await.unwrap();
            snapshot.aggregate(&filter).await.unwrap().tally.respondents
        };
        let november = Date::new(2026, 11, 1).unwrap();
        let october = Date::new(2026, 10, 1).unwrap();
        assert_eq!(
            in_month(c.store.clone(), november).await,
            1,
            "{db}: November in WIB"
        );
        let utc = Store::open(&db, ikm_core::time::UtcOffset { minutes: 0 })
            .await
            .unwrap();
        assert_eq!(
            in_month(utc.clone(), october).await,
            1,
            "{db}: October in UTC after the rebuild"
        );
        assert_eq!(in_month(utc, november).await, 0, "{db}");
    }
}

use ikm_core::time::Date;

async fn post_form(
    c: &common::Collector,
    path: &str,
    fields: &[(String, String)],
) -> (StatusCode, String) {
    c.survey_post(path, fields).await
}

#[tokio::test]
async fn a_changed_resend_of_the_no_script_form_says_the_change_was_not_recorded() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let id = "6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40";
        let (status, page) = post_form(&c, "/", &form_fields(id, "4")).await;
        assert_eq!(status, StatusCode::OK, "{db}: {page}");
        assert!(page.contains("Terima kasih"), "{db}");
        // The back button and the very same answers again, a minute later (so posted at
        // another time): thanked, counted once.
        let later = common::collector_at(
            &db,
            ikm_core::OfficeConfig {
                office_name: "Kantor Uji".into(),
                ..Default::default()
            },
            None,
            &[],
            || common::fixed_now() + 60,
        )
        .await;
        let (status, page) = post_form(&later, "/", &form_fields(id, "4")).await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(page.contains("Terima kasih"));
        later.store.close().await;
        // Back, an answer changed, sent again: not thanked; the form says so, answers kept.
        let (status, page) = post_form(&c, "/", &form_fields(id, "2")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{db}");
        assert!(!page.contains("Terima kasih"), "{db}: not thanked");
        assert!(
            page.contains(ikm_core::i18n::ui::ALREADY_SENT_CHANGED.get(ikm_core::Lang::Id)),
            "{db}: the reason, in Indonesian"
        );
        assert!(page.contains("<form"), "{db}: next to the form");
        assert_eq!(c.store.count().await.unwrap(), 1, "{db}");
        let mut english = form_fields(id, "1");
        english[1].1 = "en".into();
        let (status, page) = post_form(&c, "/?lang=en", &english).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(page.contains(ikm_core::i18n::ui::ALREADY_SENT_CHANGED.get(ikm_core::Lang::En)));
        let (_, _, body) = c.get("/api/v1/report?month=2026-11", Some(TOKEN)).await;
        let report: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(report["nrr"]["waktu"], 4.0, "{db}: the first answers stand");
    }
}
