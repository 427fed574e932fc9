//! Suggestions put to work against the real collector, on every database under test
//! (docs/suggestions.md): the recap's themes by element and recurring words, complaints marked
//! by staff (audited, counted and listed apart), a follow-up action citing suggestions, the
//! formal report's chapter, and the waiting-room screen with and without approved ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::StatusCode;
use common::{account, call, collector_with, databases, json, submission, Collector, TOKEN};
use ikm_core::{OfficeConfig, Submission};
use ikm_server::accounts::Role;
use serde_json::{json as j, Value};

const UNIT: &str = "kanim-bengkulu";

fn config(tv: &str) -> OfficeConfig {
    OfficeConfig::from_json(&format!(
        r#"{{"office_name": "Kantor Imigrasi Bengkulu", "unit": "{UNIT}",
            "services": [{{"id": "paspor-baru", "label": {{"id": "Paspor baru"}}}},
                         {{"id": "paspor-penggantian", "label": {{"id": "Penggantian paspor"}}}},
                         {{"id": "izin-tinggal", "label": {{"id": "Izin tinggal"}}}}],
            "survey_url": "https://survei.imigrasi-bengkulu.go.id"{tv}}}"#
    ))
    .unwrap()
}

/// What respondents wrote in November, one response each.
const WRITTEN: [&str; 6] = [
    "Antrean terlalu lama, saya menunggu hampir 3 jam",
    "Petugas loket 2 kurang ramah dan ketus",
    "Ruang tunggu panas, AC mati",
    "Mengantre dari pagi, antreannya tidak teratur",
    "Toilet kotor dan tidak ada air",
    "Ada calo di depan kantor yang meminta uang",
];

/// Sends the six responses with suggestions and one without; their ids in order.
async fn send_month(c: &Collector) -> (Vec<String>, String) {
    let mut ids = Vec::new();
    for (i, text) in WRITTEN.iter().enumerate() {
        let mut s = submission(100 + i as u64, &format!("2026-11-0{}T03:00:00Z", i + 2));
        s.suggestion = Some((*text).to_string());
        ids.push(s.id.clone());
        let (status, _, body) = c.post(&json(&s), None).await;
        assert!(status.is_success(), "{status} {body}");
    }
    let mut plain = submission(201, "2026-11-09T03:00:00Z");
    plain.suggestion = None;
    let (status, _, body) = c.post(&json(&plain), None).await;
    assert!(status.is_success(), "{status} {body}");
    (ids, plain.id)
}

async fn report(c: &Collector) -> Value {
    let (status, body) = call(c, "GET", "/api/v1/report?period=2026-11", TOKEN, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn theme<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["suggestions"]["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no theme {id} in {report}"))
}

#[tokio::test]
async fn the_recap_sums_up_the_suggestions_by_element() {
    for db in databases().await {
        let c = collector_with(&db, config(""), None, &[]).await;
        let (ids, _) = send_month(&c).await;
        let r = report(&c).await;
        let s = &r["suggestions"];
        assert_eq!(s["total"], 6, "{s}");
        let queue = theme(&r, "antrean");
        assert_eq!(queue["element"], "waktu");
        assert_eq!(queue["element_label"], "Waktu Penyelesaian");
        assert_eq!(queue["suggestions"], 2);
        // Newest first: the 5 November response, then the 2 November one.
        assert_eq!(queue["responses"], j!([ids[3], ids[0]]));
        assert_eq!(theme(&r, "sarana")["suggestions"], 2);
        assert_eq!(theme(&r, "perilaku")["responses"], j!([ids[1]]));
        assert_eq!(theme(&r, "biaya")["element"], "biaya");
        assert_eq!(s["unthemed"], 0);
        let words = s["recurring_words"].as_array().unwrap();
        let antre = words.iter().find(|w| w["stem"] == "antre").unwrap();
        assert_eq!(antre["suggestions"], 2);
        assert!(words
            .iter()
            .all(|w| w["word"] != "tidak" && w["word"] != "dan"));
        assert_eq!(s["complaints"]["count"], 0);
        // The public page has figures only, never the texts or their summary.
        let (_, _, public) = c.get("/hasil?period=2026-11", None).await;
        assert!(!public.contains("calo"), "{public}");
        // English labels with lang=en.
        let (_, en) = call(
            &c,
            "GET",
            "/api/v1/report?period=2026-11&lang=en",
            TOKEN,
            "",
        )
        .await;
        let en: Value = serde_json::from_str(&en).unwrap();
        assert_eq!(theme(&en, "antrean")["label"], "Queue and waiting time");
    }
}

#[tokio::test]
async fn staff_mark_complaints_and_the_recap_lists_them_apart() {
    for db in databases().await {
        let c = collector_with(&db, config(""), None, &[]).await;
        let (ids, plain) = send_month(&c).await;
        let calo = &ids[5];
        let uri = format!("/api/v1/suggestions/{calo}");
        let (status, body) = call(&c, "PUT", &uri, TOKEN, r#"{"complaint": true}"#).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            answer,
            j!({"id": calo, "complaint": true, "on_tv": false, "changed": true})
        );
        // A repeat is harmless and not audited twice.
        let (_, again) = call(&c, "PUT", &uri, TOKEN, r#"{"complaint": true}"#).await;
        assert_eq!(
            serde_json::from_str::<Value>(&again).unwrap()["changed"],
            false
        );

        let r = report(&c).await;
        let complaints = &r["suggestions"]["complaints"];
        assert_eq!(complaints["count"], 1);
        assert_eq!(complaints["items"][0]["id"], *calo);
        assert_eq!(complaints["items"][0]["text"], WRITTEN[5]);
        assert_eq!(complaints["items"][0]["date"], "2026-11-07");
        assert_eq!(r["respondents"], 7, "a mark changes no figure");

        let (_, audit) = call(
            &c,
            "GET",
            "/api/v1/audit?from=2026-11-01&to=2026-11-30",
            TOKEN,
            "",
        )
        .await;
        let audit: Value = serde_json::from_str(&audit).unwrap();
        let marks: Vec<&Value> = audit["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "suggestion.mark")
            .collect();
        assert_eq!(marks.len(), 1, "{audit}");
        assert_eq!(marks[0]["target"], *calo);
        assert_eq!(marks[0]["before"], j!({"complaint": false, "on_tv": false}));
        assert_eq!(marks[0]["after"], j!({"complaint": true, "on_tv": false}));

        // Clear errors, nothing changed.
        let unknown = Submission::id_from_random_bytes([7; 16]);
        let cases = [
            (
                format!("/api/v1/suggestions/{unknown}"),
                r#"{"complaint": true}"#,
                StatusCode::NOT_FOUND,
            ),
            (
                format!("/api/v1/suggestions/{plain}"),
                r#"{"complaint": true}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (uri.clone(), "{}", StatusCode::UNPROCESSABLE_ENTITY),
            (
                uri.clone(),
                r#"{"complaint": "ya"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                uri.clone(),
                r#"{"pinned": true}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "/api/v1/suggestions/not-an-id".to_string(),
                r#"{"on_tv": true}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (uri, body, want) in cases {
            let (status, answer) = call(&c, "PUT", &uri, TOKEN, body).await;
            assert_eq!(status, want, "{uri} {body}: {answer}");
            assert!(answer.contains("\"error\""), "{answer}");
        }
        // A viewer reads but does not mark.
        let viewer = account(&db, "pengamat", Role::Viewer, &["--unit", UNIT]).await;
        let (status, _) = call(&c, "PUT", &uri, &viewer, r#"{"complaint": false}"#).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(report(&c).await["suggestions"]["complaints"]["count"], 1);

        // The /admin button does the same, and the page shows the summary.
        let (status, _, _) = c
            .admin_form(
                "/admin/suggestions",
                &[
                    ("response", &ids[1]),
                    ("complaint", "1"),
                    ("period", "2026-11"),
                ],
                Some("http://ikm.test"),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(report(&c).await["suggestions"]["complaints"]["count"], 2);
        let (status, _, body) = c
            .admin_form(
                "/admin/suggestions",
                &[("response", &ids[1]), ("complaint", "yes")],
                Some("http://ikm.test"),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("`complaint` must be `1` or `0`, got `yes`"),
            "{body}"
        );
        assert_eq!(report(&c).await["suggestions"]["complaints"]["count"], 2);
        let (_, _, admin) = c.get("/admin?period=2026-11", Some(TOKEN)).await;
        assert!(admin.contains("Antrean dan waktu tunggu"), "{admin}");
        assert!(admin.contains("Kata yang sering muncul"), "{admin}");
        assert!(admin.contains("2 ditandai sebagai pengaduan"), "{admin}");
        assert!(admin.contains("Bukan pengaduan"), "{admin}");
    }
}

#[tokio::test]
async fn a_follow_up_cites_suggestions_and_the_report_prints_them() {
    for db in databases().await {
        let c = collector_with(&db, config(""), None, &[]).await;
        let (ids, _) = send_month(&c).await;
        let body = j!({
            "period": "2026-11", "element": "waktu", "action": "Menambah satu loket pada jam sibuk",
            "responsible": "Kasi Lantaskim", "due": "2026-12-31",
            "suggestions": [ids[0], ids[3]],
        })
        .to_string();
        let (status, created) = call(&c, "POST", "/api/v1/follow-ups", TOKEN, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let created: Value = serde_json::from_str(&created).unwrap();
        assert_eq!(created["suggestions"][0]["id"], *ids[0]);
        assert_eq!(created["suggestions"][0]["text"], WRITTEN[0]);
        assert_eq!(created["suggestions"][1]["text"], WRITTEN[3]);
        let bad = body.replace(&ids[0], "nope");
        let (status, answer) = call(&c, "POST", "/api/v1/follow-ups", TOKEN, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(answer.contains("suggestions"), "{answer}");

        let r = report(&c).await;
        assert_eq!(r["follow_ups"]["plan"][0]["suggestions"][1]["id"], *ids[3]);
        call(
            &c,
            "PUT",
            &format!("/api/v1/suggestions/{}", ids[5]),
            TOKEN,
            r#"{"complaint": true}"#,
        )
        .await;
        let (status, _, laporan) = c.get("/admin/laporan?period=2026-11", Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            laporan.contains("Tema saran dan unsur pelayanan yang dimaksud"),
            "{laporan}"
        );
        assert!(laporan.contains("Waktu Penyelesaian"), "{laporan}");
        assert!(
            laporan.contains("Kata yang paling sering muncul"),
            "{laporan}"
        );
        assert!(
            laporan.contains("1 saran ditandai petugas sebagai pengaduan"),
            "{laporan}"
        );
        assert!(
            laporan.contains(&format!("Saran: “{}”", WRITTEN[0])),
            "the plan prints the suggestion it cites: {laporan}"
        );
    }
}

#[tokio::test]
async fn the_screen_shows_approved_suggestions_in_turn_where_enabled() {
    for db in databases().await {
        let on = config(r#", "tv": {"enabled": true, "suggestions": true}"#);
        let c = collector_with(&db, on, None, &[]).await;
        let (ids, _) = send_month(&c).await;
        let (_, _, before) = c.get("/tv", None).await;
        assert!(
            !before.contains("Kata responden"),
            "none approved yet: {before}"
        );
        for id in [&ids[1], &ids[4]] {
            let (status, body) = call(
                &c,
                "PUT",
                &format!("/api/v1/suggestions/{id}"),
                TOKEN,
                r#"{"on_tv": true}"#,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, _, page) = c.get("/tv", None).await;
        assert_eq!(status, 200);
        assert!(page.contains("Kata responden"), "{page}");
        assert!(page.contains("ketus"), "{page}");
        assert!(page.contains("Toilet kotor"), "{page}");
        assert!(
            !page.contains("calo"),
            "an unapproved one is never shown: {page}"
        );

        // The same approvals on a screen that does not show suggestions.
        let off = collector_with(&db, config(r#", "tv": {"enabled": true}"#), None, &[]).await;
        let (_, _, page) = off.get("/tv", None).await;
        assert!(!page.contains("Kata responden"), "{page}");
        assert!(!page.contains("ketus"), "{page}");
    }
}
