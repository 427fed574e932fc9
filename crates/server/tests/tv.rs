//! The waiting-room screen `/tv` against the real collector on every database under test
//! (docs/tv.md): off unless enabled, today's and the month's respondents and the month's IKM
//! as the report computes them, the survey's QR code, and no suggestion while `tv.suggestions` is off.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{collector_with, databases, json, submission, TOKEN};
use ikm_core::OfficeConfig;
use serde_json::Value;

fn config(tv: &str) -> OfficeConfig {
    OfficeConfig::from_json(&format!(
        r#"{{"office_name": "Kantor Imigrasi Bengkulu", "unit": "kanim-bengkulu",
            "services": [{{"id": "paspor-baru", "label": {{"id": "Paspor baru"}}}},
                         {{"id": "paspor-penggantian", "label": {{"id": "Penggantian paspor"}}}},
                         {{"id": "izin-tinggal", "label": {{"id": "Izin tinggal"}}}}],
            "survey_url": "https://survei.imigrasi-bengkulu.go.id"{tv}}}"#
    ))
    .unwrap()
}

/// A response sent at `local` (WIB, `YYYY-MM-DDTHH:MM`).
fn at(seed: u64, local: &str) -> String {
    let utc = ikm_core::time::parse_rfc3339(&format!("{local}:00+07:00")).unwrap();
    json(&submission(seed, &ikm_core::time::format_rfc3339(utc)))
}

#[tokio::test]
async fn the_screen_is_off_unless_the_unit_enables_it() {
    for db in databases().await {
        let c = collector_with(&db, config(""), None, &[]).await;
        let (status, _, body) = c.get("/tv", None).await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("tv.enabled"), "{body}");
    }
}

#[tokio::test]
async fn the_screen_shows_the_running_month_and_today_once_enabled() {
    for db in databases().await {
        let c = collector_with(
            &db,
            config(r#", "tv": {"enabled": true, "refresh_secs": 30}"#),
            None,
            &[],
        )
        .await;
        // The clock reads 15 November 2026, 10:00 WIB: two today, one earlier in the month,
        // one in October that the screen must not count.
        for (seed, local) in [
            (4, "2026-11-15T08:30"),
            (5, "2026-11-15T09:10"),
            (6, "2026-11-03T11:00"),
            (7, "2026-10-30T11:00"),
        ] {
            let (status, _, body) = c.post(&at(seed, local), None).await;
            assert!(status.is_success(), "{status} {body}");
        }
        let (_, _, report) = c.get("/api/v1/report?period=2026-11", Some(TOKEN)).await;
        let report: Value = serde_json::from_str(&report).unwrap();
        assert_eq!(report["respondents"], 3);
        let ikm = format!("{:.2}", report["ikm_rounded"].as_f64().unwrap()).replace('.', ",");

        let (status, headers, page) = c.get("/tv?url=https://evil.example", None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(headers["cache-control"], "no-store");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"));
        assert!(
            page.contains(r#"http-equiv="refresh" content="30""#),
            "{page}"
        );
        assert!(page.contains("November 2026"), "{page}");
        assert!(
            page.contains(&format!("<strong>{ikm}</strong>")),
            "{ikm} in {page}"
        );
        assert!(
            page.contains("Responden hari ini</span><strong>2</strong>"),
            "{page}"
        );
        assert!(
            page.contains("Responden bulan ini</span><strong>3</strong>"),
            "{page}"
        );
        let grade = report["mutu"].as_str().unwrap();
        assert!(
            page.contains(&format!("<span class=\"grade\">{grade} · ")),
            "{page}"
        );
        // The QR code of the configured address, never one taken from the query.
        assert!(page.contains("<svg"), "{page}");
        assert!(
            page.contains("https://survei.imigrasi-bengkulu.go.id"),
            "{page}"
        );
        assert!(!page.contains("evil.example"), "{page}");
        // Seed 4 wrote a suggestion: the screen is public and never shows one.
        assert!(!page.contains("Saran 4"), "{page}");
        for e in ikm_core::Element::ALL {
            assert!(page.contains(e.name().get(ikm_core::Lang::Id)), "{e:?}");
        }

        let (status, _, english) = c.get("/tv?lang=en", None).await;
        assert_eq!(status, 200);
        assert!(
            english.contains("Respondents today</span><strong>2</strong>"),
            "{english}"
        );
        assert!(english.contains("lang=\"en\""), "{english}");

        let (status, headers, css) = c.get("/tv.css", None).await;
        assert_eq!(status, 200);
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css"));
        assert!(css.contains(".figures"));
    }
}
