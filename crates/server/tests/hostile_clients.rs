//! What careless or hostile clients try, and what the collector answers: duplicate keys, odd
//! ids, control characters, other content types, device clocks that lie, formulas in the
//! export, password guessing, and pages that must not be cached or framed. On SQLite and,
//! when `IKM_TEST_POSTGRES_URL` is set, PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{collector, databases, json, submission, TOKEN};
use ikm_core::Element;
use ikm_server::csv_scores::score_csv;
use serde_json::Value;

fn code(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn duplicate_keys_anywhere_are_malformed() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let s = submission(1, "2026-11-10T02:00:00Z");
        let text = json(&s);
        for (what, from, to) in [
            (
                "an element",
                "\"persyaratan\":",
                "\"persyaratan\":null,\"persyaratan\":",
            ),
            (
                "a top-level field",
                "\"survey\":",
                "\"survey\":\"x\",\"survey\":",
            ),
            (
                "a respondent field",
                "\"gender\":",
                "\"gender\":\"P\",\"gender\":",
            ),
        ] {
            let tampered = text.replacen(from, to, 1);
            assert_ne!(tampered, text);
            let (status, _, body) = c.post(&tampered, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{db}: {what}: {body}");
            assert_eq!(code(&body), "malformed");
            assert!(body.contains("duplicate field"), "{body}");
        }
        assert_eq!(c.store.count().await.unwrap(), 0, "{db}");
    }
}

#[tokio::test]
async fn only_the_canonical_spelling_of_an_id_is_accepted() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let s = submission(2, "2026-11-10T02:00:00Z");
        for id in [
            s.id.to_uppercase(),
            s.id.replace('-', ""),
            format!("{{{}}}", s.id),
            format!("urn:uuid:{}", s.id),
            format!(" {}", s.id),
        ] {
            let mut other = s.clone();
            other.id = id.clone();
            let (status, _, body) = c.post(&json(&other), None).await;
            assert_eq!(
                (status, code(&body).as_str()),
                (StatusCode::BAD_REQUEST, "invalid_id"),
                "{db}: {id}"
            );
        }
        assert_eq!(c.post(&json(&s), Some(&s.id)).await.0, StatusCode::CREATED);
        assert_eq!(
            c.store.count().await.unwrap(),
            1,
            "{db}: one response, one row"
        );
    }
}

#[tokio::test]
async fn control_characters_in_free_text_are_a_422_naming_the_field() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let mut s = submission(4, "2026-11-10T02:00:00Z");
        s.suggestion = Some("bagus\u{0}sekali".into());
        let (status, _, body) = c.post(&json(&s), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["errors"],
            serde_json::json!([{"field": "suggestion", "code": "invalid_character"}])
        );
        // Tabs and line breaks are text; the response is stored as it was written.
        s.suggestion = Some("baris satu\r\nbaris dua\n\tdan tab".into());
        assert_eq!(c.post(&json(&s), None).await.0, StatusCode::CREATED, "{db}");
    }
}

#[tokio::test]
async fn a_post_that_is_not_declared_json_is_415() {
    let db = databases().await.remove(0);
    let c = collector(&db, None, &[]).await;
    let s = submission(5, "2026-11-10T02:00:00Z");
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut request = Request::post("/api/v1/responses");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let (status, _, _) = c.send(request.body(Body::from(json(&s))).unwrap()).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
    }
    let request = Request::post("/api/v1/responses")
        .header(header::CONTENT_TYPE, "Application/JSON; charset=utf-8")
        .body(Body::from(json(&s)))
        .unwrap();
    assert_eq!(c.send(request).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn a_device_clock_cannot_move_a_response_into_an_old_period() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        // The collector's clock says 15 November 2026.
        for (seed, at) in [
            (11, "0001-01-01T00:00:00Z"),
            (12, "2023-11-15T03:00:00Z"),
            (13, "2025-09-01T00:00:00Z"),
            // Late but plausible: a phone held it since August.
            (14, "2026-08-01T03:00:00Z"),
        ] {
            let (status, _, body) = c.post(&json(&submission(seed, at)), None).await;
            assert_eq!(status, StatusCode::CREATED, "{db}: {body}");
        }
        let count = |body: String| {
            serde_json::from_str::<Value>(&body).unwrap()["respondents"]
                .as_u64()
                .unwrap()
        };
        let nov = c.get("/api/v1/report?month=2026-11", Some(TOKEN)).await.2;
        let aug = c.get("/api/v1/report?month=2026-08", Some(TOKEN)).await.2;
        let old = c
            .get("/api/v1/report?from=2000-01-01&to=2025-12-31", Some(TOKEN))
            .await
            .2;
        assert_eq!((count(nov), count(aug), count(old)), (3, 1, 0), "{db}");
        // The device's own time is kept in the export.
        let csv = c
            .get("/api/v1/responses.csv?month=2026-11", Some(TOKEN))
            .await
            .2;
        assert!(csv.contains("0001-01-01T00:00:00Z"), "{csv}");
    }
}

#[tokio::test]
async fn export_cells_a_spreadsheet_would_run_are_neutralised() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let formulas = [
            "=HYPERLINK(\"http://evil\",\"klik\")",
            "+62 812 0000",
            "-cmd",
            "@SUM(A1:A9)",
            "\tindented",
        ];
        for (i, text) in formulas.iter().enumerate() {
            let mut s = submission(20 + i as u64 * 4, "2026-11-05T01:00:00Z");
            s.suggestion = Some(text.to_string());
            let (status, _, body) = c.post(&json(&s), None).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let csv = c
            .get("/api/v1/responses.csv?month=2026-11", Some(TOKEN))
            .await
            .2;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let column = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "suggestion")
            .unwrap();
        let mut cells: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[column].to_string())
            .collect();
        cells.sort();
        let mut expected: Vec<String> = formulas.iter().map(|f| format!("'{f}")).collect();
        expected.sort();
        assert_eq!(cells, expected, "{db}");
        // `ikm score` still reads the export.
        let recap = score_csv(csv.as_bytes()).unwrap();
        assert_eq!(recap.respondents, formulas.len() as u64);
        assert_eq!(recap.answered(Element::Waktu), formulas.len() as u64);
    }
}

#[tokio::test]
async fn a_password_guesser_is_slowed_and_the_right_token_still_works_elsewhere() {
    let db = databases().await.remove(0);
    let c = collector(&db, None, &[]).await;
    let mut statuses = Vec::new();
    for i in 0..14 {
        let (status, headers, _) = c.get("/api/v1/report", Some(&format!("guess-{i}"))).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.contains_key(header::RETRY_AFTER));
        }
        statuses.push(status);
    }
    // Ten failures are allowed; the one after them blocks the client.
    assert_eq!(&statuses[..11], &[StatusCode::UNAUTHORIZED; 11]);
    assert!(statuses[11..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // While blocked, even the right token is not checked: a guess cannot succeed.
    assert_eq!(
        c.get("/api/v1/report", Some(TOKEN)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Requests without credentials (a browser before its prompt) never count as guesses.
    let fresh = collector(&databases().await.remove(0), None, &[]).await;
    for _ in 0..30 {
        assert_eq!(fresh.get("/admin", None).await.0, StatusCode::UNAUTHORIZED);
    }
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let request = Request::get("/api/v1/report")
            .header(header::AUTHORIZATION, format!("{scheme} {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(fresh.send(request).await.0, StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn admin_pages_and_exports_are_never_cached_framed_or_sniffed() {
    let db = databases().await.remove(0);
    let c = collector(&db, None, &[]).await;
    for path in [
        "/admin",
        "/admin/responses.csv",
        "/api/v1/report",
        "/api/v1/responses.csv",
    ] {
        for token in [Some(TOKEN), None] {
            let (status, headers, _) = c.get(path, token).await;
            assert!(status == StatusCode::OK || status == StatusCode::UNAUTHORIZED);
            assert_eq!(headers[header::CACHE_CONTROL], "no-store", "{path}");
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        }
    }
}
