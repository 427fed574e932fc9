//! One question per screen on the hosted page without JavaScript (`?mode=steps`, or
//! `"mode": "steps"` in the configuration): each move is a form post that stores nothing and
//! answers the next screen, every answer carried along in hidden fields; going back keeps
//! answers; the review links to each screen; the send from the review is stored once. On
//! SQLite and, when `IKM_TEST_POSTGRES_URL` is set, PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::StatusCode;
use common::{collector, collector_tuned, collector_with, databases, TOKEN};
use ikm_core::i18n::ui;
use ikm_core::{Element, Lang, OfficeConfig};
use ikm_server::rate_limit::ClientLimiter;
use serde_json::Value;

/// The value of attribute `name` inside one tag's text, unescaped as a browser would.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag.get(start..)?.find('"')?;
    let raw = tag.get(start..start + len)?;
    Some(
        raw.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// What a browser sends of a page's form on its own: every hidden field and chosen option.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    page.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = rest.get(..rest.find('>')?)?;
            let chosen = tag.contains(" checked");
            if attribute(tag, "type").as_deref() != Some("hidden") && !chosen {
                return None;
            }
            Some((attribute(tag, "name")?, attribute(tag, "value")?))
        })
        .collect()
}

/// The page's `<title>`.
fn title(page: &str) -> &str {
    let start = page.find("<title>").map_or(0, |i| i + 7);
    let end = page.find("</title>").unwrap_or(start);
    page.get(start..end).unwrap_or_default()
}

/// Posts what the browser would: the page's hidden fields, what the respondent filled in on
/// this screen, and the button pressed (`step=…`, or none for the review's send).
async fn press(
    c: &common::Collector,
    path: &str,
    page: &str,
    filled: &[(&str, &str)],
    button: Option<&str>,
) -> (StatusCode, String) {
    let mut fields = hidden_fields(page);
    fields.retain(|(name, _)| filled.iter().all(|(n, _)| n != name));
    fields.extend(filled.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    if let Some(button) = button {
        fields.push(("step".into(), button.into()));
    }
    c.survey_post(path, &fields).await
}

const PROFILE: [(&str, &str); 5] = [
    ("service", "paspor-baru"),
    ("respondent.gender", "P"),
    ("respondent.age", "67"),
    ("respondent.education", "SMA"),
    ("respondent.occupation", "WIRAUSAHA"),
];

#[tokio::test]
async fn a_respondent_steps_through_without_javascript_back_and_forth_to_one_stored_response() {
    for db in databases().await {
        // A small rate limit: the dozen moves of one response must not use it up.
        let c = collector(&db, Some(ClientLimiter::new(2, 2)), &[]).await;
        let (status, _, page) = c.get("/?mode=steps&layanan=paspor-baru", None).await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(
            title(&page).starts_with("Langkah 1 dari 11: "),
            "{db}: the title names the step: {}",
            title(&page)
        );
        assert!(page.contains("ikm-step-title"), "{db}");
        // Only the steps build of the widget may take the first screen over.
        if page.contains("type=\"module\"") {
            assert!(page.contains("/ikm-survey-steps."), "{db}: the steps build");
            assert!(page.contains("data-mode=\"steps\""), "{db}");
        }

        // The profile, then nothing chosen on the first question: the same screen, its problem.
        let (status, page) = press(&c, "/?mode=steps", &page, &PROFILE, Some("next")).await;
        assert_eq!(status, StatusCode::OK, "{db}: {page}");
        assert!(
            !page.contains("type=\"module\""),
            "{db}: a screen after the first stays server-rendered"
        );
        assert!(title(&page).starts_with("Langkah 2 dari 11: "), "{db}");
        let (status, page) = press(&c, "/?mode=steps", &page, &[], Some("next")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db}");
        assert!(title(&page).starts_with("Langkah 2 dari 11: "), "{db}");
        assert!(
            page.contains("answers.persyaratan"),
            "{db}: the problem is named"
        );

        // The nine elements, one per post, every one answered 3 but the fourth (4).
        let mut page = page;
        for (i, element) in Element::ALL.into_iter().enumerate() {
            let name = format!("answers.{}", element.key());
            let score = if i == 3 { "4" } else { "3" };
            let (status, next) = press(&c, "/", &page, &[(&name, score)], Some("next")).await;
            assert_eq!(status, StatusCode::OK, "{db}: {element:?}");
            page = next;
        }
        assert!(title(&page).starts_with("Langkah 11 dari 11: "), "{db}");

        // Back twice: the answers given are still chosen; forward again keeps them.
        let (_, back) = press(&c, "/", &page, &[], Some("back")).await;
        assert!(title(&back).starts_with("Langkah 10 dari 11: "), "{db}");
        let (_, back) = press(&c, "/", &back, &[], Some("back")).await;
        assert!(title(&back).starts_with("Langkah 9 dari 11: "), "{db}");
        assert!(
            back.contains("checked"),
            "{db}: the earlier answer shows as chosen"
        );
        let (_, on) = press(&c, "/", &back, &[], Some("next")).await;
        let (_, page) = press(&c, "/", &on, &[], Some("next")).await;
        assert!(title(&page).starts_with("Langkah 11 dari 11: "), "{db}");

        // The suggestion, then the review: every answer with a way to change it.
        let (status, page) = press(
            &c,
            "/",
            &page,
            &[("suggestion", "Antrean & loket <3> cepat")],
            Some("next"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(title(&page).starts_with(ui::REVIEW.get(Lang::Id)), "{db}");
        assert!(page.matches(ui::CHANGE.get(Lang::Id)).count() >= 11, "{db}");
        assert_eq!(
            c.store.count().await.unwrap(),
            0,
            "{db}: nothing stored yet"
        );

        // Change the third element (screen 4) from the review: it comes back to the review.
        let (_, change) = press(&c, "/", &page, &[], Some("3")).await;
        assert!(title(&change).starts_with("Langkah 4 dari 11: "), "{db}");
        assert!(
            change.contains(ui::TO_REVIEW.get(Lang::Id)),
            "{db}: moving on returns to the review"
        );
        let (_, page) = press(&c, "/", &change, &[("answers.waktu", "1")], Some("next")).await;
        assert!(title(&page).starts_with(ui::REVIEW.get(Lang::Id)), "{db}");

        // Send: stored once, thanked; the same send again is thanked, still counted once.
        let (status, thanks) = press(&c, "/", &page, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{db}: {thanks}");
        assert!(thanks.contains("Terima kasih"), "{db}");
        let (status, again) = press(&c, "/", &page, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(again.contains("Terima kasih"), "{db}");
        assert_eq!(c.store.count().await.unwrap(), 1, "{db}");
        let (_, _, body) = c.get("/api/v1/report?month=2026-11", Some(TOKEN)).await;
        let report: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            report["nrr"]["waktu"], 1.0,
            "{db}: the changed answer counts"
        );
        assert_eq!(report["nrr"]["biaya"], 4.0, "{db}");
        assert_eq!(report["nrr"]["sarana"], 3.0, "{db}");
        c.store.close().await;
    }
}

/// A collector for an office configured to ask one question per screen.
async fn steps_office(db: &str) -> common::Collector {
    let config = OfficeConfig::from_json(r#"{"office_name":"Kantor Uji","mode":"steps"}"#).unwrap();
    collector_with(db, config, None, &[]).await
}

#[tokio::test]
async fn the_configuration_sets_the_mode_and_the_address_overrides_it() {
    for db in databases().await {
        let c = steps_office(&db).await;
        let (_, _, page) = c.get("/?lang=en", None).await;
        assert!(
            title(&page).starts_with("Step 1 of 11: "),
            "{db}: {}",
            title(&page)
        );
        let (_, _, page) = c.get("/?mode=form", None).await;
        assert!(!page.contains("ikm-step-title"), "{db}: one page");
        assert!(page.contains("answers.sarana"), "{db}: every question");
        c.store.close().await;
    }
}

#[tokio::test]
async fn the_prerendered_fragment_follows_the_page_then_the_element_never_the_office() {
    for db in databases().await {
        let c = steps_office(&db).await;
        // An office website's element follows its page, not the collector's configuration.
        let (status, _, fragment) = c.get("/api/v1/form", None).await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(!fragment.contains("ikm-step-title"), "{db}");
        let (_, _, fragment) = c.get("/api/v1/form?mode=steps", None).await;
        assert!(fragment.contains("ikm-step-title"), "{db}");
        assert!(fragment.contains("Langkah 1 dari 11"), "{db}");
        // `<ikm-survey mode="steps" prerender>` on a page without `?mode=`: steps at once,
        // not the one-page form first; the page's own word wins over the element's.
        let (_, _, fragment) = c.get("/api/v1/form?attr-mode=steps", None).await;
        assert!(fragment.contains("Langkah 1 dari 11"), "{db}: {fragment}");
        let (_, _, fragment) = c.get("/api/v1/form?mode=form&attr-mode=steps", None).await;
        assert!(!fragment.contains("ikm-step-title"), "{db}");
        let (_, _, fragment) = c.get("/api/v1/form?mode=steps&attr-mode=form", None).await;
        assert!(fragment.contains("ikm-step-title"), "{db}");
        c.store.close().await;
    }
}

#[tokio::test]
async fn an_unknown_mode_word_keeps_the_office_s_mode() {
    for db in databases().await {
        let c = steps_office(&db).await;
        // An unknown word keeps the office's mode: a printed link never fails.
        let (status, _, page) = c.get("/?mode=wizard", None).await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(page.contains("ikm-step-title"), "{db}");
        c.store.close().await;
    }
}

#[tokio::test]
async fn a_send_from_a_screen_before_the_review_moves_on_and_stores_nothing() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let (_, _, page) = c.get("/?mode=steps", None).await;
        // Enter in a field of the profile with no button named (an old browser): moves on.
        let (status, page) = press(&c, "/", &page, &PROFILE, None).await;
        assert_eq!(status, StatusCode::OK, "{db}");
        assert!(title(&page).starts_with("Langkah 2 dari 11: "), "{db}");
        assert_eq!(c.store.count().await.unwrap(), 0, "{db}");
        // A review forged with answers missing: sent back to the first screen with a problem.
        let mut forged = hidden_fields(&page);
        forged.retain(|(n, _)| n != "step.at");
        forged.push(("step.at".into(), "review".into()));
        let (status, page) = c.survey_post("/", &forged).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{db}");
        assert!(title(&page).starts_with("Langkah 2 dari 11: "), "{db}");
        assert_eq!(c.store.count().await.unwrap(), 0, "{db}");
        c.store.close().await;
    }
}

/// A client over its allowance of moves (or of sends) gets the screen it came from back with
/// a 429 and `Retry-After`, every answer kept and the wait named; nothing is stored.
#[tokio::test]
async fn a_client_posting_too_fast_gets_its_screen_back_with_every_answer() {
    for db in databases().await {
        let config = OfficeConfig {
            office_name: "Kantor Uji".into(),
            ..OfficeConfig::default()
        };
        let c = collector_tuned(&db, config, &[], |app| {
            app.moves = Some(ClientLimiter::new(1, 3));
            app.limiter = Some(ClientLimiter::new(1, 1));
        })
        .await;
        let (_, _, page) = c.get("/?mode=steps", None).await;
        let (_, page) = press(&c, "/", &page, &PROFILE, Some("next")).await;
        let (_, page) = press(
            &c,
            "/",
            &page,
            &[("answers.persyaratan", "4")],
            Some("next"),
        )
        .await;
        let (status, page) =
            press(&c, "/", &page, &[("answers.prosedur", "2")], Some("next")).await;
        assert_eq!(status, StatusCode::OK, "{db}: three moves are allowed");
        assert!(title(&page).starts_with("Langkah 4 dari 11: "), "{db}");

        let mut fields = hidden_fields(&page);
        fields.push(("answers.waktu".into(), "3".into()));
        fields.push(("step".into(), "next".into()));
        let (status, headers, again) = c.survey_post_headers("/", &fields).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{db}");
        let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(wait >= 1, "{db}: waits {wait} s");
        assert!(
            title(&again).starts_with("Langkah 4 dari 11: "),
            "{db}: the same screen, not the next: {}",
            title(&again)
        );
        assert!(
            again.contains(ui::TOO_MANY_REQUESTS.get(Lang::Id)),
            "{db}: the wait is named"
        );
        let kept = hidden_fields(&again);
        for answer in [
            ("answers.persyaratan", "4"),
            ("answers.prosedur", "2"),
            ("answers.waktu", "3"),
            ("respondent.age", "67"),
        ] {
            assert!(
                kept.contains(&(answer.0.into(), answer.1.into())),
                "{db}: {answer:?} kept in {kept:?}"
            );
        }

        // The sends' allowance is apart: one whole response is stored, the next waits.
        let (status, _) = c
            .survey_post("/", &common::form_fields(&new_id(1), "3"))
            .await;
        assert_eq!(status, StatusCode::OK, "{db}");
        let second = common::form_fields(&new_id(2), "2");
        let (status, headers, again) = c.survey_post_headers("/", &second).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{db}");
        assert!(headers.contains_key("retry-after"), "{db}");
        assert!(again.contains(ui::TOO_MANY_REQUESTS.get(Lang::Id)), "{db}");
        assert!(
            hidden_fields(&again).contains(&("answers.kompetensi".into(), "2".into())),
            "{db}: the unsent answers are still chosen"
        );
        assert_eq!(c.store.count().await.unwrap(), 1, "{db}");
        c.store.close().await;
    }
}

/// A canonical response id, distinct per `n`.
fn new_id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}
