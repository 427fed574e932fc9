//! `ikm form`: the static copy of the survey form, for an office website whose endpoint is
//! not `ikm serve` (`<ikm-survey prerender="/ikm/form.html">`). It is the collector's own
//! server-rendered form, marked static and without a response id; a configuration whose
//! form would not match what the widget opens on is refused with the reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::StatusCode;
use common::{collector_with, databases};
use ikm_core::OfficeConfig;
use std::process::{Command, Output};

const EXAMPLE: &str = include_str!("../../../examples/office.json");

/// Runs `ikm form` with the configuration `json` (written to a file of its own).
fn ikm_form(json: &str, name: &str) -> Output {
    let file = std::env::temp_dir().join(format!("ikm-form-{}-{name}.json", std::process::id()));
    std::fs::write(&file, json).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args(["form", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    output
}

/// The form with its response id blanked and the static mark taken out.
fn comparable(fragment: &str) -> String {
    let fragment = fragment.trim().replace(" data-ikm-static", "");
    let tail = "\" type=\"hidden\" name=\"id\">";
    let Some(end) = fragment.find(tail) else {
        return fragment;
    };
    let head = "<input value=\"";
    let start = fragment[..end].rfind(head).unwrap() + head.len();
    format!("{}{}", &fragment[..start], &fragment[end..])
}

#[tokio::test]
async fn the_static_form_is_the_collectors_own_form_without_a_response_id() {
    let run = ikm_form(EXAMPLE, "example");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let copy = String::from_utf8(run.stdout).unwrap();
    assert!(copy.starts_with("<div class=\"ikm-host\" data-ikm-takeover data-ikm-static"));
    assert!(
        copy.contains("<input value=\"\" type=\"hidden\" name=\"id\">"),
        "one file for many respondents carries no response id"
    );
    assert!(copy.contains("Kantor Imigrasi Kelas I TPI Bengkulu"));
    assert!(
        copy.contains("data-config=\"{&quot;office_name&quot;"),
        "the configuration travels with it"
    );

    let db = databases().await.remove(0);
    let c = collector_with(&db, OfficeConfig::from_json(EXAMPLE).unwrap(), None, &[]).await;
    let (status, _, served) = c.get("/api/v1/form", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !served.contains("<input value=\"\" type=\"hidden\" name=\"id\">"),
        "the server's own copy has an id"
    );
    assert_eq!(
        comparable(&copy),
        comparable(&served),
        "the same form as /api/v1/form"
    );
}

#[test]
fn a_configuration_whose_widget_would_open_on_another_form_is_refused_with_the_reason() {
    let mut office: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    office.as_object_mut().unwrap().remove("default_lang");
    let run = ikm_form(&office.to_string(), "no-lang");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("set `default_lang`"));
    assert!(run.stdout.is_empty(), "nothing half-written");

    let mut office: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    office["kiosk"]["enabled"] = serde_json::Value::Bool(true);
    let run = ikm_form(&office.to_string(), "kiosk");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("kiosk"));

    let run = ikm_form("{\"office_name\": ", "broken");
    assert_eq!(run.status.code(), Some(1));
    assert!(!run.stderr.is_empty(), "a broken file is explained");
}
