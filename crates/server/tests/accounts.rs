//! Personal accounts, roles, scopes, sessions and the audit trail, on every database under
//! test: who may read and change what, and that every change is recorded with its author.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{account, call, collector_with, databases, urlencode, Collector, TOKEN};
use ikm_core::OfficeConfig;
use ikm_server::account_cli::remove_user;
use ikm_server::accounts::Role;
use serde_json::Value;

const UNIT: &str = "kanim-uji";
use common::PASSWORD;

fn config() -> OfficeConfig {
    OfficeConfig {
        office_name: "Kantor Uji".into(),
        unit: Some(UNIT.into()),
        ..OfficeConfig::default()
    }
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A form post from the site's own page, with an optional session cookie.
async fn browser_post(
    c: &Collector,
    uri: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
    site: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", site);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    c.send(request.body(Body::from(form(fields))).unwrap())
        .await
}

async fn browser_get(
    c: &Collector,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::get(uri).header(header::ACCEPT, "text/html,*/*");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    c.send(request.body(Body::empty()).unwrap()).await
}

async fn audit(c: &Collector, token: &str) -> Vec<Value> {
    let (status, body) = call(c, "GET", "/api/v1/audit", token, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn viewers_read_admins_change_and_no_one_outside_the_unit_does_either() {
    for db in databases().await {
        let c = collector_with(&db, config(), None, &[]).await;
        let viewer = account(&db, "pengamat", Role::Viewer, &["--unit", UNIT]).await;
        let admin = account(&db, "kepala", Role::Admin, &["--unit", UNIT]).await;
        let stranger = account(&db, "kepala.lain", Role::Admin, &["--unit", "kanim-lain"]).await;
        let ditjen = account(&db, "ditjen", Role::Viewer, &["--all"]).await;
        let region = account(&db, "kanwil", Role::Admin, &["--region", "kanwil-x"]).await;

        let report = "/api/v1/report?month=2026-11";
        for token in [&viewer, &admin, &ditjen, TOKEN] {
            assert_eq!(
                call(&c, "GET", report, token, "").await.0,
                StatusCode::OK,
                "{db}"
            );
        }
        for token in [&stranger, &region] {
            let (status, body) = call(&c, "GET", report, token, "").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{db}: {body}");
            assert!(body.contains(UNIT), "{body}");
        }
        assert_eq!(
            call(
                &c,
                "GET",
                report,
                "ikm_0000000000000000000000000000000000000000000000000000000000000000",
                ""
            )
            .await
            .0,
            StatusCode::UNAUTHORIZED
        );

        let population = "/api/v1/population/2026-11";
        for token in [&viewer, &ditjen, &stranger] {
            let (status, body) = call(&c, "PUT", population, token, r#"{"population": 900}"#).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{db}: {body}");
        }
        assert_eq!(
            call(&c, "PUT", population, &admin, r#"{"population": 900}"#)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            call(&c, "PUT", population, TOKEN, r#"{"population": 950}"#)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            call(&c, "POST", "/api/v1/periods/2026-10/close", &viewer, "")
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(&c, "POST", "/api/v1/periods/2026-10/close", &admin, "")
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            call(
                &c,
                "POST",
                "/api/v1/periods/2026-10/reopen",
                &admin,
                r#"{"note":"salah tutup"}"#
            )
            .await
            .0,
            StatusCode::OK
        );

        // Who did what, newest first, with the values before and after.
        let events = audit(&c, &viewer).await;
        let actions: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
            .collect();
        assert_eq!(
            &actions[..4],
            [
                ("period.reopen", "kepala"),
                ("period.close", "kepala"),
                ("population.set", "IKM_ADMIN_TOKEN"),
                ("population.set", "kepala"),
            ],
            "{db}"
        );
        assert_eq!(events[2]["before"]["population"], 900);
        assert_eq!(events[2]["after"]["population"], 950);
        assert_eq!(events[3]["before"], Value::Null);
        assert_eq!(events[3]["unit"], UNIT);
        assert_eq!(events[3]["target"], "2026-11");
        assert_eq!(events[0]["after"]["note"], "salah tutup");
        assert!(events[0]["at"].as_str().unwrap().ends_with('Z'));
        // The unit's viewer sees its own accounts being added, not the others'.
        assert!(actions.contains(&("user.add", "cli")));
        assert!(events.iter().all(|e| e["unit"] == UNIT), "{events:?}");
        let everything = audit(&c, &ditjen).await;
        assert!(everything.len() > events.len());
        assert!(everything
            .iter()
            .any(|e| e["target"] == "ditjen" && e["unit"].is_null()));
        assert_eq!(
            call(&c, "GET", "/api/v1/audit", &stranger, "").await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(&c, "GET", "/api/v1/audit?unit=kanim-lain", &ditjen, "")
                .await
                .0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            call(
                &c,
                "GET",
                "/api/v1/audit?from=2026-12-01&to=2026-11-01",
                &ditjen,
                ""
            )
            .await
            .0,
            StatusCode::BAD_REQUEST
        );

        // The follow-up plan, with its before and after.
        let (status, body) = call(
            &c,
            "POST",
            "/api/v1/follow-ups",
            &admin,
            r#"{"period":"2026-11","element":"waktu","action":"Tambah loket","responsible":"Kasi","due":"2026-12-31"}"#,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let changed = r#"{"period":"2026-11","element":"waktu","action":"Tambah dua loket","responsible":"Kasi","due":"2026-12-31","status":"in_progress"}"#;
        assert_eq!(
            call(
                &c,
                "PUT",
                &format!("/api/v1/follow-ups/{id}"),
                &viewer,
                changed
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(
                &c,
                "PUT",
                &format!("/api/v1/follow-ups/{id}"),
                &admin,
                changed
            )
            .await
            .0,
            StatusCode::OK
        );
        assert_eq!(
            call(
                &c,
                "DELETE",
                &format!("/api/v1/follow-ups/{id}"),
                &admin,
                ""
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );
        let events = audit(&c, &admin).await;
        assert_eq!(events[0]["action"], "followup.delete");
        assert_eq!(events[0]["before"]["action"], "Tambah dua loket");
        assert_eq!(events[1]["action"], "followup.update");
        assert_eq!(events[1]["before"]["status"], "planned");
        assert_eq!(events[1]["after"]["status"], "in_progress");
        assert_eq!(events[2]["action"], "followup.create");
        assert_eq!(events[2]["target"], id.as_str());

        // A removed account's token stops working at once.
        remove_user(&db, "kepala").await.unwrap();
        assert_eq!(
            call(&c, "GET", report, &admin, "").await.0,
            StatusCode::UNAUTHORIZED
        );
        let events = audit(&c, &viewer).await;
        assert_eq!(events[0]["action"], "user.remove");
        assert_eq!(events[0]["before"]["role"], "admin");
        assert!(remove_user(&db, "kepala")
            .await
            .unwrap_err()
            .contains("no account"));

        // The database itself refuses to rewrite the trail.
        let before = audit(&c, &ditjen).await.len();
        for statement in [
            "UPDATE audit_events SET actor = 'someone else'",
            "DELETE FROM audit_events",
        ] {
            let refused = sqlx::query(statement)
                .execute(c.store.pool())
                .await
                .unwrap_err();
            assert!(
                refused.to_string().contains("append-only"),
                "{db}: {refused}"
            );
        }
        let after = audit(&c, &ditjen).await;
        assert_eq!(after.len(), before);
        assert!(after.iter().all(|e| e["actor"] != "someone else"));
        c.store.close().await;
    }
}

#[tokio::test]
async fn a_head_of_office_logs_in_works_in_the_browser_and_logs_out() {
    for db in databases().await {
        let c = collector_with(&db, config(), None, &[]).await;
        account(&db, "kepala", Role::Admin, &["--unit", UNIT]).await;

        // A browser without a session is sent to the login page and back.
        let (status, headers, _) = browser_get(&c, "/admin?period=2026-11", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{db}");
        assert_eq!(
            headers[header::LOCATION],
            "/login?next=/admin%3Fperiod%3D2026-11"
        );
        let (status, _, page) =
            browser_get(&c, "/login?next=/admin%3Fperiod%3D2026-11", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(r#"name="next" value="/admin?period=2026-11""#),
            "{page}"
        );

        // A wrong password: the form again, recorded, nothing set.
        let wrong = [
            ("name", "kepala"),
            ("password", "salah-salah-salah"),
            ("next", "/admin"),
        ];
        let (status, headers, page) = browser_post(&c, "/login", &wrong, None, "same-origin").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers.get(header::SET_COOKIE).is_none());
        assert!(page.contains("salah"), "{page}");
        // From another site, the login form is refused before any password is checked.
        let right = [
            ("name", "kepala"),
            ("password", PASSWORD),
            ("next", "/admin?period=2026-11"),
        ];
        assert_eq!(
            browser_post(&c, "/login", &right, None, "cross-site")
                .await
                .0,
            StatusCode::FORBIDDEN
        );

        let (status, headers, _) = browser_post(&c, "/login", &right, None, "same-origin").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "/admin?period=2026-11");
        let set = headers[header::SET_COOKIE].to_str().unwrap().to_string();
        for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set.contains("Secure"), "plain HTTP here: {set}");
        let cookie = set.split(';').next().unwrap().to_string();
        let (status, _, page) = browser_get(&c, "/admin?period=2026-11", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"action="/logout""#));

        // Changes from the session are the account's; a cross-site post with the cookie is refused.
        let fields = [
            ("month", "2026-11"),
            ("population", "777"),
            ("return", "2026-11"),
        ];
        assert_eq!(
            browser_post(
                &c,
                "/admin/population",
                &fields,
                Some(&cookie),
                "cross-site"
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            browser_post(
                &c,
                "/admin/population",
                &fields,
                Some(&cookie),
                "same-origin"
            )
            .await
            .0,
            StatusCode::SEE_OTHER
        );
        let (status, _, page) = browser_get(&c, "/admin/audit", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        for seen in [
            "population.set",
            "login.success",
            "login.failed",
            "kepala",
            "{&quot;population&quot;:777}",
        ] {
            assert!(page.contains(seen), "{seen} in {page}");
        }

        // Logging out ends the session on the server, not just in the browser.
        let (status, headers, _) =
            browser_post(&c, "/logout", &[], Some(&cookie), "same-origin").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
        assert_eq!(
            browser_get(&c, "/admin", Some(&cookie)).await.0,
            StatusCode::SEE_OTHER
        );
        let events = audit(&c, TOKEN).await;
        let actions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            &actions[..4],
            ["logout", "population.set", "login.success", "login.failed"],
            "{db}"
        );
        assert_eq!(events[3]["actor"], "kepala");

        // The office's shared token opens a session too (no account needed), recorded as such.
        let token_login = [("name", ""), ("password", TOKEN), ("next", "/admin")];
        let (status, headers, _) =
            browser_post(&c, "/login", &token_login, None, "same-origin").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cookie = headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            browser_get(&c, "/admin", Some(&cookie)).await.0,
            StatusCode::OK
        );
        assert_eq!(audit(&c, TOKEN).await[0]["actor"], "IKM_ADMIN_TOKEN");
        // A login cannot be sent anywhere but our own admin pages.
        let away = [
            ("name", ""),
            ("password", TOKEN),
            ("next", "https://evil.example/"),
        ];
        let (_, headers, _) = browser_post(&c, "/login", &away, None, "same-origin").await;
        assert_eq!(headers[header::LOCATION], "/admin");
        c.store.close().await;
    }
}
