//! The office's whole cycle against the real router and real databases (SQLite, and
//! PostgreSQL when `make test` starts one): the month's population and sample target, a
//! month's and a quarter's recap with IPK, per-service IKM and spreads, the follow-up plan,
//! closing a month (frozen figures, late arrivals), the formal report, the public page and
//! badge, and `/admin`'s forms.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::{header, StatusCode};
use common::{collector_with, databases, json, submission, Collector, TOKEN};
use ikm_core::config::{CounterOption, ModuleConfig};
use ikm_core::element::LocalText;
use ikm_core::questionnaire::Module;
use ikm_core::sample::krejcie_morgan;
use ikm_core::{Element, OfficeConfig, Submission};
use serde_json::Value;

fn office() -> OfficeConfig {
    let mut config = OfficeConfig {
        office_name: "Kantor Imigrasi Uji".into(),
        ..OfficeConfig::default()
    };
    config.modules.spkp = Some(ModuleConfig { scale: 6 });
    config.modules.spak = Some(ModuleConfig { scale: 4 });
    config.counters = vec![CounterOption {
        id: "loket-0".into(),
        label: LocalText {
            id: "Loket Utama".into(),
            en: Some("Main counter".into()),
        },
        service: None,
    }];
    config
}

/// A valid response with module answers that vary with `seed`.
fn response(seed: u64, at: &str) -> Submission {
    let mut s = submission(seed, at);
    for module in Module::ALL {
        let top = if module == Module::Spkp { 6 } else { 4 };
        let scores = s.module_mut(module).get_or_insert_with(Default::default);
        for (i, statement) in module.statements().iter().enumerate() {
            scores.insert(statement.key, 1 + ((seed + i as u64) % top) as u8);
        }
    }
    s
}

async fn report(c: &Collector, query: &str) -> Value {
    let (status, _, body) = c.get(&format!("/api/v1/report?{query}"), Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn post_all(c: &Collector, subs: &[Submission]) {
    for s in subs {
        let (status, _, body) = c.post(&json(s), None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// The figures that closing freezes: everything but the closing state itself.
fn figures(report: &Value) -> Value {
    let mut v = report.clone();
    let object = v.as_object_mut().unwrap();
    for key in ["closed", "late", "follow_ups", "sample"] {
        object.remove(key);
    }
    v
}

#[tokio::test]
async fn population_sample_periods_services_spreads_and_ipk() {
    for db in databases().await {
        let c = collector_with(&db, office(), None, &[]).await;
        let october: Vec<_> = (0..30)
            .map(|i| response(500 + i, &format!("2026-10-{:02}T03:00:00Z", 1 + i % 28)))
            .collect();
        let november: Vec<_> = (0..40)
            .map(|i| response(600 + i, &format!("2026-11-{:02}T03:00:00Z", 1 + i % 14)))
            .collect();
        post_all(&c, &october).await;
        post_all(&c, &november).await;

        // Population: whole office and one service; bad input is explained.
        for (month, body) in [
            ("2026-10", r#"{"population": 500}"#),
            ("2026-11", r#"{"population": 400}"#),
            (
                "2026-11",
                r#"{"population": 100, "service": "paspor-baru"}"#,
            ),
        ] {
            let (status, _, reply) = c
                .admin_json("PUT", &format!("/api/v1/population/{month}"), body)
                .await;
            assert_eq!(status, StatusCode::OK, "{db}: {reply}");
        }
        let (status, _, reply) = c
            .admin_json("PUT", "/api/v1/population/2026-11", r#"{"population": -3}"#)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        assert!(reply.contains("population"), "{reply}");
        let (status, _, reply) = c
            .admin_json(
                "PUT",
                "/api/v1/population/2026-11",
                r#"{"population": 3, "service": "visa"}"#,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        assert_eq!(
            c.admin_json("PUT", "/api/v1/population/2026-13", r#"{"population": 3}"#)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.admin_json(
                "PUT",
                "/api/v1/population/2026-11",
                r#"{"population": 3, "x": 1}"#
            )
            .await
            .0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let anonymous = axum::http::Request::put("/api/v1/population/2026-11")
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(r#"{"population": 1}"#))
            .unwrap();
        assert_eq!(c.send(anonymous).await.0, StatusCode::UNAUTHORIZED);

        let nov = report(&c, "period=2026-11").await;
        assert_eq!(nov["period"]["label"], "November 2026");
        assert_eq!(nov["respondents"], 40);
        assert_eq!(
            nov["sample"],
            serde_json::json!({"population": 400, "target": krejcie_morgan(400), "respondents": 40, "reached": false, "months_missing": []}),
            "{db}"
        );
        let passports = report(&c, "period=2026-11&service=paspor-baru").await;
        assert_eq!(
            passports["sample"]["population"], 100,
            "the service's own figure"
        );

        // Spreads add up to the answers, a grade per element, per service IKM.
        for e in Element::ALL {
            let spread: u64 = nov["distribution"][e.key()]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .sum();
            assert_eq!(spread, 40, "{db}: {}", e.key());
            let nrr = nov["nrr"][e.key()].as_f64().unwrap();
            let expected = november
                .iter()
                .map(|s| f64::from(s.answers.get(e).unwrap()))
                .sum::<f64>()
                / 40.0;
            assert!((nrr - expected).abs() < 1e-12);
            assert_eq!(
                nov["element_mutu"][e.key()],
                serde_json::to_value(ikm_core::score::Grade::of_nrr(nrr)).unwrap()
            );
        }
        let services = nov["per_service"].as_object().unwrap();
        assert_eq!(services["paspor-baru"]["label"], "Paspor baru");
        let total: u64 = services
            .values()
            .map(|s| s["respondents"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 40);
        assert!(
            services["tpi-pelabuhan"]["ikm"].is_null(),
            "a configured service nobody used"
        );
        let one = &services["izin-tinggal"];
        let alone = report(&c, "period=2026-11&service=izin-tinggal").await;
        assert_eq!(
            one["ikm"], alone["ikm_rounded"],
            "same scoring over that service's responses"
        );
        assert_eq!(one["mutu"], alone["mutu"]);

        // Labels and percentages in the profile.
        let gender = nov["profile"]["gender"].as_array().unwrap();
        assert_eq!(gender[0]["label"]["id"], "Laki-laki");
        assert_eq!(gender[0]["label"]["en"], "Male");
        assert_eq!(gender[0]["percent"], 50.0);
        assert_eq!(nov["profile"]["counter"][0]["label"]["id"], "Loket Utama");

        // IPK: per item means on the module's scale, index = mean of item means.
        for module in Module::ALL {
            let m = &nov["modules"][module.key()];
            assert_eq!(m["respondents"], 40, "{db}");
            assert_eq!(m["scale"], if module == Module::Spkp { 6 } else { 4 });
            let mut means = Vec::new();
            for statement in module.statements() {
                let expected = november
                    .iter()
                    .map(|s| f64::from(s.module(module).unwrap().get(statement.key).unwrap()))
                    .sum::<f64>()
                    / 40.0;
                let got = m["items"][statement.key].as_f64().unwrap();
                assert!(
                    (got - expected).abs() < 1e-12,
                    "{} {}",
                    module.key(),
                    statement.key
                );
                means.push(expected);
            }
            let index = means.iter().sum::<f64>() / means.len() as f64;
            assert!((m["index"].as_f64().unwrap() - index).abs() < 1e-12);
        }

        // The module counts are rebuilt from the answers when the time zone changes: the same
        // figures over the whole quarter.
        let quarter = ikm_server::store::Filter::days(
            ikm_core::time::Date::new(2026, 10, 1).unwrap(),
            ikm_core::time::Date::new(2026, 12, 31).unwrap(),
        );
        let wib = c
            .store
            .snapshot()
            .await
            .unwrap()
            .module_tallies(&quarter, None)
            .await
            .unwrap();
        let utc_offset = ikm_core::time::UtcOffset { minutes: 0 };
        let utc = ikm_server::store::Store::open(&db, utc_offset)
            .await
            .unwrap();
        let rebuilt = utc
            .snapshot()
            .await
            .unwrap()
            .module_tallies(&quarter, None)
            .await
            .unwrap();
        assert_eq!(rebuilt, wib, "{db}");
        assert_eq!(rebuilt[0].respondents, 70);
        utc.close().await;

        // A quarter: both months, its title, the population summed, the month without one named.
        let q4 = report(&c, "period=2026-Q4").await;
        assert_eq!(q4["period"]["label"], "Triwulan IV 2026");
        assert_eq!(q4["period"]["key"], "2026-Q4");
        assert_eq!(q4["respondents"], 70);
        assert_eq!(q4["modules"]["spkp"]["respondents"], 70);
        assert_eq!(q4["sample"]["population"], 900);
        assert_eq!(
            q4["sample"]["months_missing"],
            serde_json::json!(["2026-12"])
        );
        assert_eq!(
            report(&c, "period=2026-Q4&lang=en").await["period"]["label"],
            "Quarter IV 2026"
        );
        assert_eq!(
            report(&c, "period=2026-S2").await["period"]["label"],
            "Semester II 2026"
        );
        assert_eq!(report(&c, "period=2026").await["respondents"], 70);
        assert_eq!(
            report(&c, "month=2026-10").await["respondents"],
            30,
            "month= still works"
        );

        // One column per module item in the CSV.
        let csv = c
            .get("/api/v1/responses.csv?period=2026-11", Some(TOKEN))
            .await
            .2;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no {name}"))
        };
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 40);
        for row in &rows {
            let sent = november.iter().find(|s| s.id == row[column("id")]).unwrap();
            assert_eq!(
                row[column("spkp_informasi")].parse::<u8>().ok(),
                sent.module(Module::Spkp).unwrap().get("informasi")
            );
            assert_eq!(
                row[column("spak_pungli")].parse::<u8>().ok(),
                sent.module(Module::Spak).unwrap().get("pungli")
            );
        }
    }
}

#[tokio::test]
async fn closing_freezes_the_recap_and_counts_late_arrivals() {
    for db in databases().await {
        let c = collector_with(&db, office(), None, &[]).await;
        post_all(
            &c,
            &(0..20)
                .map(|i| response(700 + i, "2026-11-03T03:00:00Z"))
                .collect::<Vec<_>>(),
        )
        .await;
        let before = report(&c, "period=2026-11").await;
        assert_eq!(before["closed"], Value::Null);
        assert_eq!(before["late"], 0);

        let (status, _, body) = c
            .admin_json("POST", "/api/v1/periods/2026-11/close", "")
            .await;
        assert_eq!(status, StatusCode::OK, "{db}: {body}");
        let closed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(closed["respondents"], 20);
        let again: Value = serde_json::from_str(
            &c.admin_json("POST", "/api/v1/periods/2026-11/close", "")
                .await
                .2,
        )
        .unwrap();
        assert_eq!(
            again["closed_at"], closed["closed_at"],
            "closing is idempotent"
        );

        // Late arrivals, low scores that would move the IKM: stored, exported, not counted.
        let mut late: Vec<_> = (0..7)
            .map(|i| response(800 + i, "2026-11-20T03:00:00Z"))
            .collect();
        for s in &mut late {
            for e in Element::ALL {
                s.answers.set(e, Some(1));
            }
        }
        post_all(&c, &late).await;
        let frozen = report(&c, "period=2026-11").await;
        assert_eq!(
            figures(&frozen),
            figures(&before),
            "{db}: the frozen figures are the figures at closing"
        );
        assert_eq!(frozen["late"], 7);
        let (_, _, page) = c.get("/admin?period=2026-11", Some(TOKEN)).await;
        assert!(
            page.contains("November 2026: IKM")
                && page.contains("(20 responden)")
                && !page.contains("(27 responden)"),
            "{db}: the trend shows the closed month's frozen figure"
        );
        assert_eq!(frozen["closed"]["respondents"], 20);
        let filtered = report(&c, "period=2026-11&service=paspor-baru").await;
        let live_filtered_late = late
            .iter()
            .filter(|s| s.service.as_deref() == Some("paspor-baru"))
            .count();
        assert_eq!(
            filtered["late"], live_filtered_late as u64,
            "late counts follow the filters"
        );
        let csv = c
            .get("/api/v1/responses.csv?period=2026-11", Some(TOKEN))
            .await
            .2;
        assert_eq!(
            csv::Reader::from_reader(csv.as_bytes()).records().count(),
            27,
            "late responses stay in the CSV"
        );
        // Another period is not frozen by this one.
        assert_eq!(report(&c, "period=2026-Q4").await["respondents"], 27);

        // Reopening needs its own call, is recorded, and counts everything again.
        let (status, _, body) = c
            .admin_json(
                "POST",
                "/api/v1/periods/2026-11/reopen",
                r#"{"note": "koreksi data"}"#,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let open = report(&c, "period=2026-11").await;
        assert_eq!(
            (open["respondents"].as_u64(), open["late"].as_u64()),
            (Some(27), Some(0))
        );
        let history: Value =
            serde_json::from_str(&c.get("/api/v1/periods/2026-11", Some(TOKEN)).await.2).unwrap();
        assert_eq!(history["closed"], false);
        assert_eq!(history["events"][0]["action"], "close");
        assert_eq!(history["events"][1]["action"], "reopen");
        assert_eq!(history["events"][1]["note"], "koreksi data");
        assert_eq!(
            c.admin_json("POST", "/api/v1/periods/2026-13/close", "")
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_follow_up_plan_is_carried_until_done() {
    for db in databases().await {
        let c = collector_with(&db, office(), None, &[]).await;
        let create = |period: &str, element: &str, status: &str| {
            format!(
                r#"{{"period":"{period}","element":"{element}","action":"Tambah petugas loket pada jam sibuk","responsible":"Kasubsi Lantaskim","due":"2026-12-31","status":"{status}"}}"#
            )
        };
        let (status, _, body) = c
            .admin_json(
                "POST",
                "/api/v1/follow-ups",
                &create("2026-10", "waktu", "in_progress"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{db}: {body}");
        let october: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(october["element_label"], "Waktu Penyelesaian");
        assert_eq!(october["status"], "in_progress");
        c.admin_json(
            "POST",
            "/api/v1/follow-ups",
            &create("2026-11", "biaya", "planned"),
        )
        .await;

        let nov = report(&c, "period=2026-11").await;
        assert_eq!(nov["follow_ups"]["plan"].as_array().unwrap().len(), 1);
        assert_eq!(nov["follow_ups"]["plan"][0]["element"], "biaya");
        assert_eq!(
            nov["follow_ups"]["carried"][0]["element"], "waktu",
            "unfinished from October"
        );
        let q4 = report(&c, "period=2026-Q4").await;
        assert_eq!(
            q4["follow_ups"]["plan"].as_array().unwrap().len(),
            2,
            "the quarter lists its months' plans"
        );

        let id = october["id"].as_str().unwrap();
        let (status, _, body) = c
            .admin_json(
                "PUT",
                &format!("/api/v1/follow-ups/{id}"),
                &create("2026-10", "waktu", "done"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(report(&c, "period=2026-11").await["follow_ups"]["carried"]
            .as_array()
            .unwrap()
            .is_empty());

        let (status, _, body) = c.admin_json("POST", "/api/v1/follow-ups", r#"{"period":"2026-11","element":"waktu","action":"x","responsible":"y","due":"31-12-2026"}"#).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("`due`"), "{body}");
        let listed: Value = serde_json::from_str(
            &c.get("/api/v1/follow-ups?period=2026-11", Some(TOKEN))
                .await
                .2,
        )
        .unwrap();
        assert_eq!(listed["plan"].as_array().unwrap().len(), 1);
        assert_eq!(
            c.admin_json("DELETE", &format!("/api/v1/follow-ups/{id}"), "")
                .await
                .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            c.admin_json("DELETE", &format!("/api/v1/follow-ups/{id}"), "")
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.admin_json(
                "PUT",
                "/api/v1/follow-ups/nope",
                &create("2026-10", "waktu", "done")
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn only_closed_periods_are_published_and_the_formal_report_prints() {
    for db in databases().await {
        let c = collector_with(&db, office(), None, &[]).await;
        let mut subs: Vec<_> = (0..12)
            .map(|i| response(900 + i, "2026-10-10T03:00:00Z"))
            .collect();
        subs.extend((0..12).map(|i| response(950 + i, "2026-11-10T03:00:00Z")));
        subs[0].suggestion = Some("Rahasia: nomor antrean saya 17".into());
        post_all(&c, &subs).await;

        let (status, _, page) = c.get("/hasil", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Belum ada hasil survei yang dipublikasikan"),
            "{db}"
        );
        let (status, headers, svg) = c.get("/badge.svg?period=2026-10", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml"));
        assert!(svg.contains("belum dipublikasikan"));

        c.admin_json("POST", "/api/v1/periods/2026-10/close", "")
            .await;
        let october = report(&c, "period=2026-10").await;
        let ikm = format!("{:.2}", october["ikm_rounded"].as_f64().unwrap()).replace('.', ",");
        let (status, headers, page) = c.get("/hasil", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("public"));
        assert!(page.contains("Oktober 2026") && page.contains(&ikm), "{db}");
        assert!(
            !page.contains("period=2026-11") && !page.contains("<h2>November 2026</h2>"),
            "an open month is not public"
        );
        assert!(!page.contains("Rahasia"), "never a suggestion");
        assert_eq!(
            c.get("/hasil?period=2026-11", None).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, _, svg) = c.get("/badge.svg?period=2026-10", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            svg.contains("<title")
                && svg.contains(&format!("IKM {ikm}"))
                && svg.contains("Oktober 2026")
        );
        let (_, _, svg_en) = c.get("/badge.svg?lang=en", None).await;
        assert!(
            svg_en.contains("October 2026"),
            "the latest closed period by default"
        );

        let (status, _, doc) = c.get("/admin/laporan?period=2026-10", Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK);
        for part in [
            "Hasil Survei Kepuasan Masyarakat",
            "BAB I",
            "PENDAHULUAN",
            "BAB II",
            "METODE",
            "BAB III",
            "BAB IV",
            "RENCANA TINDAK LANJUT",
            "BAB V",
            "PENUTUP",
            "LAMPIRAN",
            "Krejcie",
            "Indeks Persepsi",
            "Oktober 2026",
            &ikm,
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan",
            // Numbers computed from the chapters and the sections present.
            "2.5 Metode Pengolahan Data",
            "3.5 Indeks Persepsi (IPK)",
            "3.6 Tren IKM",
            "Gambar 3.1 NRR per unsur",
            "Gambar 3.2 IKM dua belas bulan terakhir",
            "4.3 Ringkasan Saran dan Masukan",
            "pada Bab IV dilaksanakan",
            "5.2 Saran",
        ] {
            assert!(doc.contains(part), "{db}: the report has {part}");
        }
        // The signed paper and the dashboard show the services and who answered alike.
        let (_, _, dashboard) = c.get("/admin?period=2026-10", Some(TOKEN)).await;
        for (start, end) in [
            (
                "<table><thead><tr><th scope=\"col\">Jenis layanan",
                "</table>",
            ),
            ("<div class=\"profile\">", "</div>"),
        ] {
            let cut = |page: &str| -> String {
                let at = page.find(start).unwrap_or_else(|| panic!("{db}: {start}"));
                let len = page[at..].find(end).unwrap() + end.len();
                page[at..at + len].to_string()
            };
            assert_eq!(cut(&doc), cut(&dashboard), "{db}: {start}");
            assert!(cut(&doc).contains("<th scope=\"row\">"), "{db}: rows named");
        }
        assert_eq!(
            c.get("/admin/laporan?period=2026-10", None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn admin_forms_work_without_script_and_keep_what_was_typed() {
    let db = databases().await.remove(0);
    let c = collector_with(&db, office(), None, &[]).await;
    post_all(
        &c,
        &(0..5)
            .map(|i| response(990 + i, "2026-11-10T03:00:00Z"))
            .collect::<Vec<_>>(),
    )
    .await;
    let origin = Some("http://ikm.test");

    let (status, headers, _) = c
        .admin_form(
            "/admin/population",
            &[
                ("month", "2026-11"),
                ("service", ""),
                ("population", "250"),
                ("return", "2026-11"),
            ],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin?period=2026-11");
    assert_eq!(
        report(&c, "period=2026-11").await["sample"]["population"],
        250
    );
    let (status, _, _) = c
        .admin_form(
            "/admin/population",
            &[("month", "2026-11"), ("population", "9")],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a post from another site");
    assert_eq!(
        c.admin_form(
            "/admin/population",
            &[("month", "2026-11"), ("population", "9")],
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let (status, _, page) = c
        .admin_form(
            "/admin/population",
            &[
                ("month", "2026-11"),
                ("population", "dua ratus"),
                ("return", "2026-11"),
            ],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("role=\"alert\"") && page.contains("whole number"));
    assert!(
        page.contains("value=\"dua ratus\""),
        "what was typed is kept"
    );

    let (status, _, page) = c
        .admin_form(
            "/admin/follow-ups",
            &[
                ("period", "2026-11"),
                ("element", "waktu"),
                ("action", ""),
                ("responsible", "Kasi Inteldakim"),
                ("due", "2026-12-20"),
            ],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("`action` is required") && page.contains("Kasi Inteldakim"));
    let (status, _, _) = c
        .admin_form(
            "/admin/follow-ups",
            &[
                ("period", "2026-11"),
                ("element", "waktu"),
                ("action", "Tambah kursi ruang tunggu"),
                ("responsible", "Kasi Inteldakim"),
                ("due", "2026-12-20"),
            ],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (status, _, _) = c
        .admin_form("/admin/periods/close", &[("period", "2026-11")], origin)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = c.get("/admin?period=2026-11", Some(TOKEN)).await;
    assert!(page.contains("Periode ditutup") && page.contains("Tambah kursi ruang tunggu"));
    assert!(page.contains("Progres sampel: 5 dari"));
    assert!(page.contains("Indeks Persepsi (IPK)"));
    for kind in ["Bulan", "Triwulan", "Semester", "Tahun"] {
        assert!(
            page.contains(&format!("<optgroup label=\"{kind}\">")),
            "the picker offers {kind}"
        );
    }
    let (_, _, page) = c.get("/admin?period=2026-Q4", Some(TOKEN)).await;
    assert!(page.contains("<h1>Rekapitulasi IKM Triwulan IV 2026</h1>"));
    let (status, _, _) = c
        .admin_form(
            "/admin/periods/reopen",
            &[("period", "2026-11"), ("note", "salah tutup")],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(report(&c, "period=2026-11").await["closed"], Value::Null);

    // A field given twice is ambiguous: a 400 naming it, and nothing changes.
    let (status, _, body) = c
        .admin_form(
            "/admin/periods/close",
            &[("period", "2026-11"), ("period", "2026-10")],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("period"), "{body}");
    assert_eq!(report(&c, "period=2026-11").await["closed"], Value::Null);
}

/// Each report parameter is read once, as the request comes in: the staff's pages and the API
/// answer a 400 that names it, the public pages are lenient with printed links, and a form is
/// strict about what it acts on but goes back to `/admin` whatever its return period says.
#[tokio::test]
async fn typed_parameters_are_strict_for_staff_and_lenient_in_public() {
    let db = databases().await.remove(0);
    let c = collector_with(&db, office(), None, &[]).await;
    post_all(&c, &[response(1, "2026-10-10T03:00:00Z")]).await;
    let reports = ["/api/v1/report", "/admin", "/admin/laporan"];
    let with_follow_ups = ["/api/v1/report", "/admin", "/api/v1/follow-ups"];
    for (query, message, pages) in [
        ("period=2026-Q5", "`period` must be", with_follow_ups),
        (
            "month=2026-13",
            "`month` must be YYYY-MM, got `2026-13`",
            reports,
        ),
        (
            "from=2026-11-31",
            "`from` must be a date YYYY-MM-DD",
            reports,
        ),
        (
            "weights=0.1",
            "`weights` must be `exact` or `0.111`, got `0.1`",
            reports,
        ),
        (
            "population=-3",
            "`population` must be a whole number",
            reports,
        ),
        (
            "lang=fr",
            "`lang` must be `id` or `en`, got `fr`",
            with_follow_ups,
        ),
    ] {
        for page in pages {
            let (status, _, body) = c.get(&format!("{page}?{query}"), Some(TOKEN)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{page}?{query}: {body}");
            assert!(body.contains(message), "{page}?{query}: {body}");
        }
    }
    let (status, _, body) = c.get("/api/v1/audit?to=kemarin", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("`to` must be a date YYYY-MM-DD, got `kemarin`"),
        "{body}"
    );
    let (status, _, _) = c
        .get("/api/v1/report?period=+2026-10+&lang=", Some(TOKEN))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "spaces are trimmed and blank is the default"
    );

    let origin = Some("http://ikm.test");
    let (status, _, _) = c
        .admin_form("/admin/periods/close", &[("period", "2026-10")], origin)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The public pages: an unknown language is Indonesian, a malformed period is not found.
    let (status, _, page) = c.get("/hasil?lang=fr", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("lang=\"id\""), "{page}");
    assert_eq!(
        c.get("/hasil?period=Oktober", None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/badge.svg?period=2026-10&lang=xx", None).await.0,
        StatusCode::OK
    );

    // A form: a period it acts on must be one; where it goes back to need not be.
    for fields in [&[("period", "Oktober")][..], &[][..]] {
        let (status, _, body) = c.admin_form("/admin/periods/reopen", fields, origin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields:?}: {body}");
        assert!(body.contains("`period`"), "{body}");
    }
    assert!(
        report(&c, "period=2026-10").await["closed"].is_object(),
        "still closed"
    );
    let (status, headers, _) = c
        .admin_form(
            "/admin/population",
            &[
                ("month", "2026-10"),
                ("population", "300"),
                ("return", "bulan lalu"),
            ],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin");
    let (status, _, page) = c
        .admin_form(
            "/admin/population",
            &[
                ("month", "Oktober"),
                ("population", "300"),
                ("return", "2026-10"),
            ],
            origin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("`month` must be YYYY-MM, got `Oktober`"),
        "{page}"
    );
    assert!(page.contains("value=\"Oktober\""), "what was typed is kept");
}
