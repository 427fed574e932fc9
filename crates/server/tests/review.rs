//! Review against the real collector, on every database under test (docs/review.md): each
//! flag raised by a data set made for it, an exclusion and its undo changing the recap, the
//! CSV and the audit trail, a closed period's exclusions frozen, and only the unit's admins
//! allowed to review.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::StatusCode;
use common::{account, call, collector_with, databases, json, submission, Collector, TOKEN};
use ikm_core::{Element, OfficeConfig, ScoreTally, Submission, Weights};
use ikm_server::accounts::Role;
use serde_json::{json as j, Value};

const UNIT: &str = "kanim-bengkulu";

fn config() -> OfficeConfig {
    OfficeConfig::from_json(&format!(
        r#"{{"office_name": "Kantor Imigrasi Bengkulu", "unit": "{UNIT}",
            "services": [{{"id": "paspor-baru", "label": {{"id": "Paspor baru"}}}},
                         {{"id": "paspor-penggantian", "label": {{"id": "Penggantian paspor"}}}},
                         {{"id": "izin-tinggal", "label": {{"id": "Izin tinggal"}}}}],
            "review": {{"burst_responses": 5, "burst_minutes": 10, "identical_run": 3,
                        "service_hours": {{"days": [1, 2, 3, 4, 5], "open": "08:00",
                                           "close": "16:00", "grace_minutes": 60}}}}}}"#
    ))
    .unwrap()
}

/// A response `seed` answered at `local` (WIB, `YYYY-MM-DDTHH:MM`) at `counter`.
fn answered(seed: u64, local: &str, counter: Option<&str>) -> Submission {
    let utc = ikm_core::time::parse_rfc3339(&format!("{local}:00+07:00")).unwrap();
    let mut s = submission(seed, &ikm_core::time::format_rfc3339(utc));
    s.counter = counter.map(String::from);
    s
}

/// The data set: 6 ordinary responses, a burst of 6 at counter 3, a run of 3 identical
/// responses, 1 on a Saturday evening. 16 in all.
fn data_set() -> (Vec<Submission>, Vec<String>, Vec<String>, String) {
    let mut all = Vec::new();
    for (i, day) in ["02", "03", "04", "05", "06", "09"].iter().enumerate() {
        all.push(answered(
            i as u64 + 1,
            &format!("2026-11-{day}T10:00"),
            Some("loket-1"),
        ));
    }
    let mut burst = Vec::new();
    for i in 0..6 {
        let s = answered(20 + i, &format!("2026-11-10T09:0{i}"), Some("loket-3"));
        burst.push(s.id.clone());
        all.push(s);
    }
    let mut run = Vec::new();
    for (i, time) in ["11:00", "11:30", "12:00"].iter().enumerate() {
        let mut s = answered(40, &format!("2026-11-11T{time}"), None);
        let other = answered(41 + i as u64, "2026-11-11T11:00", None);
        s.id = other.id;
        run.push(s.id.clone());
        all.push(s);
    }
    let late = answered(50, "2026-11-14T20:00", Some("loket-1"));
    let late_id = late.id.clone();
    all.push(late);
    (all, burst, run, late_id)
}

async fn report(c: &Collector) -> Value {
    let (status, body) = call(c, "GET", "/api/v1/report?period=2026-11", TOKEN, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The IKM the standard gives over `responses`, rounded as published.
fn ikm_over<'a>(responses: impl Iterator<Item = &'a Submission>) -> Option<f64> {
    let mut tally = ScoreTally::default();
    for s in responses {
        tally.add(&Element::ALL.map(|e| s.answers.get(e)));
    }
    tally.recap(Weights::Exact).ikm_rounded()
}

fn flag<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} flag in {}", report["flags"]))
}

fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn flags_exclusions_and_their_undo_change_the_recap_and_are_on_the_record() {
    for db in databases().await {
        let c = collector_with(&db, config(), None, &[]).await;
        let (all, burst, run, late) = data_set();
        for s in &all {
            let (status, _, body) = c.post(&json(s), None).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, body) = call(
            &c,
            "PUT",
            "/api/v1/population/2026-11",
            TOKEN,
            r#"{"population": 10}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Each flag is raised by the responses made for it, and changes no figure.
        let before = report(&c).await;
        assert_eq!(before["respondents"], 16);
        assert_eq!(before["excluded"]["respondents"], 0);
        let kinds: Vec<&str> = before["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["burst", "identical_run", "outside_hours", "over_population"],
            "{}",
            before["flags"]
        );
        let b = flag(&before, "burst");
        assert_eq!(ids(&b["responses"]), sorted(burst.clone()));
        assert_eq!(b["counter"], "loket-3");
        assert_eq!(b["why"], "6 respons dari loket loket-3 dalam 10 menit.");
        assert_eq!(
            ids(&flag(&before, "identical_run")["responses"]),
            sorted(run.clone())
        );
        assert_eq!(
            ids(&flag(&before, "outside_hours")["responses"]),
            vec![late]
        );
        assert_eq!(
            flag(&before, "over_population")["why"],
            "16 respons pada November 2026, lebih banyak dari 10 penerima layanan yang tercatat."
        );
        assert_eq!(before["ikm_rounded"].as_f64(), ikm_over(all.iter()));

        // Excluding the burst: left out of every figure, kept in the CSV with its reason.
        let reason = "Uji coba petugas di loket 3";
        let body = j!({ "responses": burst, "reason": reason }).to_string();
        let (status, answer) = call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(ids(&answer["excluded"]), sorted(burst.clone()));
        let after = report(&c).await;
        assert_eq!(after["respondents"], 10);
        let kept = all.iter().filter(|s| !burst.contains(&s.id));
        assert_eq!(after["ikm_rounded"].as_f64(), ikm_over(kept));
        assert_ne!(after["ikm_rounded"], before["ikm_rounded"]);
        assert_eq!(after["excluded"]["respondents"], 6);
        assert_eq!(after["excluded"]["reasons"][0]["reason"], reason);
        assert_eq!(
            flag(&after, "burst")["excluded"],
            6,
            "the flag stays, marked"
        );
        assert_eq!(
            after["per_service"]
                .as_object()
                .unwrap()
                .values()
                .map(|s| s["respondents"].as_u64().unwrap())
                .sum::<u64>(),
            10
        );
        // Repeating it is harmless.
        let (status, again) = call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            ids(&serde_json::from_str::<Value>(&again).unwrap()["unchanged"]),
            sorted(burst.clone())
        );

        let (status, _, csv) = c
            .get("/api/v1/responses.csv?period=2026-11", Some(TOKEN))
            .await;
        assert_eq!(status, StatusCode::OK);
        let lines: Vec<&str> = csv.lines().collect();
        let counted_lines = lines.iter().filter(|l| l.ends_with(",counted,")).count();
        assert!(
            lines[0].ends_with(",verified,status,excluded_reason"),
            "{}",
            lines[0]
        );
        let excluded_lines = lines
            .iter()
            .filter(|l| l.ends_with(&format!(",excluded,{reason}")))
            .count();
        assert_eq!(
            (counted_lines, excluded_lines),
            (10, 6),
            "every response stays in the export"
        );

        // The audit trail has who excluded what; the undo is there too.
        let (status, undo) = call(
            &c,
            "POST",
            "/api/v1/exclusions/undo",
            TOKEN,
            &j!({ "responses": burst }).to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{undo}");
        let restored = report(&c).await;
        assert_eq!(restored["respondents"], 16);
        assert_eq!(restored["ikm_rounded"], before["ikm_rounded"]);
        assert_eq!(restored["nrr"], before["nrr"]);
        assert_eq!(restored["profile"], before["profile"]);
        assert_eq!(restored["excluded"]["respondents"], 0);
        let (_, audit) = call(
            &c,
            "GET",
            "/api/v1/audit?from=2026-11-01&to=2026-11-30",
            TOKEN,
            "",
        )
        .await;
        let audit: Value = serde_json::from_str(&audit).unwrap();
        let events = audit["events"].as_array().unwrap();
        let of = |action: &str| {
            events
                .iter()
                .filter(|e| e["action"] == action)
                .collect::<Vec<_>>()
        };
        assert_eq!(of("response.exclude").len(), 6);
        assert_eq!(of("response.include").len(), 6);
        let first = of("response.exclude")[0];
        assert_eq!(first["after"]["reason"], reason);
        assert_eq!(first["unit"], UNIT);
        assert!(burst.iter().any(|id| first["target"] == *id.as_str()));

        // One response, and its undo by DELETE.
        let one = &run[0];
        let body = j!({ "responses": [one], "reason": "Jawaban ganda" }).to_string();
        assert_eq!(
            call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await.0,
            StatusCode::OK
        );
        assert_eq!(report(&c).await["respondents"], 15);
        let (status, body) = call(
            &c,
            "DELETE",
            &format!("/api/v1/exclusions/{one}"),
            TOKEN,
            "",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(report(&c).await["respondents"], 16);

        // Clear errors, nothing changed.
        let unknown = Submission::id_from_random_bytes([9; 16]);
        let body = j!({ "responses": [&run[1], unknown], "reason": "Uji" }).to_string();
        let (status, body) = call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body.contains(&unknown), "{body}");
        let body = j!({ "responses": [&run[1]], "reason": "x" }).to_string();
        let (status, body) = call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(report(&c).await["respondents"], 16);

        // Closing freezes the exclusions with the period.
        let body = j!({ "responses": [&run[1]], "reason": "Jawaban ganda" }).to_string();
        assert_eq!(
            call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await.0,
            StatusCode::OK
        );
        let (status, closed) = call(&c, "POST", "/api/v1/periods/2026-11/close", TOKEN, "").await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(
            serde_json::from_str::<Value>(&closed).unwrap()["respondents"],
            15
        );
        let body = j!({ "responses": [&run[2]], "reason": "Jawaban ganda" }).to_string();
        let (status, body) = call(&c, "POST", "/api/v1/exclusions", TOKEN, &body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("period_closed"), "{body}");
        let (status, _) = call(
            &c,
            "DELETE",
            &format!("/api/v1/exclusions/{}", run[1]),
            TOKEN,
            "",
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let frozen = report(&c).await;
        assert_eq!(
            (
                frozen["respondents"].as_u64(),
                frozen["excluded"]["respondents"].as_u64()
            ),
            (Some(15), Some(1))
        );
    }
}

#[tokio::test]
async fn only_an_admin_of_the_unit_reviews_and_the_admin_page_offers_it() {
    for db in databases().await {
        let c = collector_with(&db, config(), None, &[]).await;
        let (all, burst, _, _) = data_set();
        for s in &all {
            assert_eq!(c.post(&json(s), None).await.0, StatusCode::CREATED);
        }
        let viewer = account(&db, "pengamat", Role::Viewer, &["--unit", UNIT]).await;
        let stranger = account(&db, "kepala.lain", Role::Admin, &["--unit", "kanim-lain"]).await;
        let body = j!({ "responses": [&burst[0]], "reason": "Uji coba" }).to_string();
        for token in [&viewer, &stranger] {
            let (status, answer) = call(&c, "POST", "/api/v1/exclusions", token, &body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        }
        assert_eq!(report(&c).await["excluded"]["respondents"], 0);

        // /admin lists the flags with a form each; the form excludes and comes back.
        let (status, _, page) = c.get("/admin?period=2026-11", Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Tinjauan respons"), "the review section");
        assert!(page.contains("6 respons dari loket loket-3 dalam 10 menit."));
        assert!(page.contains("Kecualikan 6 respons"));
        let responses = burst.join(" ");
        let (status, headers, body) = c
            .admin_form(
                "/admin/exclusions",
                &[
                    ("period", "2026-11"),
                    ("responses", &responses),
                    ("reason", "Uji coba petugas"),
                ],
                Some("http://ikm.test"),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(headers[axum::http::header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/admin"));
        assert_eq!(report(&c).await["excluded"]["respondents"], 6);
        let (_, _, page) = c.get("/admin?period=2026-11", Some(TOKEN)).await;
        assert!(
            page.contains(
                "6 respons dikecualikan dari rekap setelah ditinjau: 6 × “Uji coba petugas”."
            ),
            "stated on the page"
        );
        assert!(page.contains("Hitung kembali"));
        let (_, _, laporan) = c.get("/admin/laporan?period=2026-11", Some(TOKEN)).await;
        assert!(
            laporan.contains("6 respons dikecualikan dari rekap"),
            "and in the formal report"
        );
        // From another site: refused.
        let (status, _, _) = c
            .admin_form(
                "/admin/exclusions/undo",
                &[("responses", &responses)],
                Some("https://evil.example"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(report(&c).await["excluded"]["respondents"], 6);
    }
}
