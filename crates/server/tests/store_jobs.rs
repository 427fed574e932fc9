//! The store's promises beyond one request: a report reads one snapshot, a refused write fails
//! alone, and two processes on one database number and close consistently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use ikm_core::followup::{FollowUp, FollowUpInput};
use ikm_core::period::Period;
use ikm_core::time::{parse_rfc3339, Date};
use ikm_core::{Lang, OfficeConfig};
use ikm_server::report::{build_report, parse_request, ReportQuery};
use ikm_server::store::{Filter, Insert, NewResponse, Store, StoreErrorKind};

fn new_response(seed: u64, at: &str) -> NewResponse {
    let submission = submission(seed, at);
    let body = ikm_core::json::to_string(&submission).unwrap();
    let instant = parse_rfc3339(at).unwrap();
    NewResponse {
        submission,
        body,
        submitted_at: instant,
        received_at: instant,
        period_at: instant,
        code_digest: None,
        proof: None,
    }
}

fn november() -> Filter {
    Filter::days(
        Date::new(2026, 11, 1).unwrap(),
        Date::new(2026, 11, 30).unwrap(),
    )
}

#[tokio::test]
async fn a_report_reads_one_snapshot_while_responses_arrive() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        for seed in 1..=3 {
            c.store
                .insert(new_response(seed, "2026-11-10T03:00:00Z"))
                .await
                .unwrap();
        }
        let (status, _, _) = c
            .admin_json("POST", "/api/v1/periods/2026-11/close", "")
            .await;
        assert_eq!(status, 200, "{db}");

        let mut snapshot = c.store.snapshot().await.unwrap();
        let first_read = snapshot.aggregate(&november()).await.unwrap();
        assert_eq!(first_read.tally.respondents, 3, "{db}");
        // A late November response commits between the report's first read and the rest.
        let late = c
            .store
            .insert(new_response(4, "2026-11-11T03:00:00Z"))
            .await
            .unwrap();
        assert_eq!(late, Insert::Stored);
        let november = ReportQuery::of_period(Period::parse("2026-11").unwrap(), Lang::Id);
        let config = OfficeConfig::default();
        let request = parse_request(&november, &config, fixed_now()).unwrap();
        let report = build_report(&mut snapshot, &config, &request)
            .await
            .unwrap();
        let report = serde_json::to_value(&report).unwrap();
        assert_eq!(report["respondents"], 3, "{db}: the snapshot's figures");
        assert_eq!(report["late"], 0, "{db}: nothing late in this snapshot");
        drop(snapshot);

        // A new report sees the late response, counted apart from the frozen figures.
        let (status, _, body) = c.get("/api/v1/report?period=2026-11", Some(TOKEN)).await;
        assert_eq!(status, 200);
        let report: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(report["respondents"], 3, "{db}: frozen at the closing");
        assert_eq!(report["late"], 1, "{db}");
        c.store.close().await;
    }
}

#[tokio::test]
async fn a_refused_write_fails_alone_and_the_writer_goes_on() {
    for db in databases().await {
        let c = collector(&db, None, &[]).await;
        let input = FollowUpInput::from_pairs(&[
            ("period", "2026-11".to_string()),
            ("element", "waktu".to_string()),
            ("action", "Tambah petugas loket".to_string()),
            ("responsible", "Kasubsi".to_string()),
            ("due", "2026-12-15".to_string()),
            ("status", "planned".to_string()),
        ])
        .unwrap();
        let follow_up = FollowUp {
            id: "rtl-1".into(),
            input,
            created_at: fixed_now(),
            updated_at: fixed_now(),
        };
        c.store
            .create_follow_up(follow_up.clone(), tester())
            .await
            .unwrap();
        // The same id again (a primary-key violation) and a response, sent together so they
        // can share one batch.
        let (duplicate, response) = tokio::join!(
            c.store.create_follow_up(follow_up.clone(), tester()),
            c.store.insert(new_response(9, "2026-11-10T03:00:00Z")),
        );
        let refused = duplicate.expect_err("a second action with the same id is refused");
        assert_eq!(refused.kind, StoreErrorKind::Database, "{db}: {refused}");
        assert_eq!(
            response.unwrap(),
            Insert::Stored,
            "{db}: the other write commits"
        );
        assert_eq!(c.store.count().await.unwrap(), 1);
        let stored = c
            .store
            .snapshot()
            .await
            .unwrap()
            .follow_ups()
            .await
            .unwrap();
        assert_eq!(stored, vec![follow_up], "{db}");
        // And the writer keeps working.
        assert!(c
            .store
            .delete_follow_up("rtl-1", fixed_now(), tester())
            .await
            .unwrap());
        assert!(!c
            .store
            .delete_follow_up("rtl-1", fixed_now(), tester())
            .await
            .unwrap());
        c.store.close().await;
    }
}

#[tokio::test]
async fn two_processes_number_responses_apart_and_close_once() {
    for db in databases().await {
        let wib = ikm_core::time::UtcOffset::WIB;
        let a = Store::open(&db, wib).await.unwrap();
        let b = Store::open(&db, wib).await.unwrap();
        let mut tasks = Vec::new();
        for seed in 0..40_u64 {
            let store = if seed % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                store
                    .insert(new_response(seed, "2026-11-12T03:00:00Z"))
                    .await
            }));
        }
        // The same response arriving at both at once is stored once.
        let (one, other) = tokio::join!(
            a.insert(new_response(100, "2026-11-12T04:00:00Z")),
            b.insert(new_response(100, "2026-11-12T04:00:00Z")),
        );
        let mut outcomes = [one.unwrap(), other.unwrap()];
        outcomes.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(outcomes, [Insert::AlreadyStored, Insert::Stored], "{db}");
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), Insert::Stored, "{db}");
        }
        let (rows, numbers): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT seq) FROM responses")
                .fetch_one(a.pool())
                .await
                .unwrap();
        assert_eq!(
            (rows, numbers),
            (41, 41),
            "{db}: every response its own number"
        );

        // Two closings of one month at once: one closure, both answered with it.
        let month = Period::parse("2026-11").unwrap();
        let (x, y) = tokio::join!(
            a.close_period(month, fixed_now(), tester()),
            b.close_period(month, fixed_now() + 1, tester())
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x, y, "{db}");
        let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM responses")
            .fetch_one(a.pool())
            .await
            .unwrap();
        assert_eq!((x.respondents, x.last_seq), (41, last), "{db}");
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM period_events")
            .fetch_one(a.pool())
            .await
            .unwrap();
        assert_eq!(events, 1, "{db}: closed once");
        a.close().await;
        b.close().await;
    }
}

/// The actor these store-level writes are recorded under.
fn tester() -> ikm_server::store::Actor {
    ikm_server::store::Actor::new("tester", "")
}
