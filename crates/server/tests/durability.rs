//! An acknowledgement is a promise: the collector answers 201/200 only for responses that are
//! durably committed, and recovers by itself after a database failure.
//!
//! SQLite: a real `SQLITE_FULL`, made without root by capping the file (`max_page_count`),
//! while responses with long suggestions arrive concurrently; then space returns. After a
//! restart, the stored ids are exactly the acknowledged ones. PostgreSQL: a transaction that
//! fails inside a batch is never acknowledged, and the writer's connection killed mid-stream
//! loses nothing that was acknowledged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::{header, StatusCode};
use common::{collector, databases, json, submission, Collector};
use ikm_core::Submission;
use ikm_server::store::{Backend, Store};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A response with a long suggestion, so that a few of them fill a small cap.
fn bulky(seed: u64) -> Submission {
    let mut s = submission(seed, "2026-11-10T02:00:00Z");
    s.suggestion = Some(format!(
        "{seed} {}",
        "antrean panjang di loket; ".repeat(36)
    ));
    s
}

/// Posts `subs` concurrently; (id, status, Retry-After) of each.
async fn post_all(
    c: &Arc<Collector>,
    subs: &[Submission],
) -> Vec<(String, StatusCode, Option<String>)> {
    let tasks: Vec<_> = subs
        .iter()
        .map(|s| {
            let c = c.clone();
            let (id, body) = (s.id.clone(), json(s));
            tokio::spawn(async move {
                let (status, headers, _) = c.post(&body, Some(&id)).await;
                let retry = headers
                    .get(header::RETRY_AFTER)
                    .map(|v| v.to_str().unwrap_or_default().to_string());
                (id, status, retry)
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// Every id stored, read through a fresh store (a restart).
async fn stored_after_restart(db: &str) -> BTreeSet<String> {
    let store = Store::open(db, ikm_core::time::UtcOffset::WIB)
        .await
        .unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM responses")
        .fetch_all(store.pool())
        .await
        .unwrap();
    store.close().await;
    ids.into_iter().collect()
}

#[tokio::test]
async fn a_full_disk_never_turns_an_acknowledgement_into_a_loss() {
    let db = databases().await.remove(0);
    let c = Arc::new(collector(&db, None, &[]).await);
    assert_eq!(c.store.backend, Backend::Sqlite);
    let first = post_all(&c, &[bulky(1), bulky(2)]).await;
    assert!(first.iter().all(|(_, s, _)| *s == StatusCode::CREATED));
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    // A handful of pages of room, then the disk is "full".
    c.store.cap_sqlite_pages(Some(pages as u64 + 12));

    let mut acknowledged = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for (id, status, _) in &first {
        assert_eq!(*status, StatusCode::CREATED);
        acknowledged.insert(id.clone());
    }
    // One at a time until the disk is full, then concurrent waves (batches) against it.
    let mut waves: Vec<Vec<Submission>> = (0..60).map(|i| vec![bulky(100 + i)]).collect();
    waves.extend((0..3).map(|w| (0..10).map(|i| bulky(200 + w * 10 + i)).collect()));
    let sent: Vec<Submission> = waves.iter().flatten().cloned().collect();
    for wave in &waves {
        for (id, status, retry) in post_all(&c, wave).await {
            match status {
                StatusCode::CREATED | StatusCode::OK => {
                    acknowledged.insert(id);
                }
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert_eq!(retry.as_deref(), Some("30"), "a 503 says when to come back");
                    refused.insert(id);
                }
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert!(
        !refused.is_empty(),
        "the disk filled up: some responses were refused"
    );
    assert!(acknowledged.len() > 2, "some fitted before it did");

    // Every connection of the pool sees the same committed state (no connection is left
    // inside a transaction of its own).
    for _ in 0..12 {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(c.store.pool())
            .await
            .unwrap();
        assert_eq!(n as usize, acknowledged.len());
    }

    // Space returns: the server stores again by itself, and the refused responses go in now.
    c.store.cap_sqlite_pages(None);
    let later: Vec<_> = (0..10).map(|i| bulky(900 + i)).collect();
    for (id, status, _) in post_all(&c, &later).await {
        assert_eq!(
            status,
            StatusCode::CREATED,
            "stored again after space returned"
        );
        acknowledged.insert(id);
    }
    let before_retry = acknowledged.clone();

    // A restart: exactly the acknowledged responses are there, nothing else.
    c.store.close().await;
    assert_eq!(stored_after_restart(&db).await, before_retry);

    let c = Arc::new(collector(&db, None, &[]).await);
    let retried: Vec<_> = sent
        .iter()
        .filter(|s| refused.contains(&s.id))
        .cloned()
        .collect();
    for (_, status, _) in post_all(&c, &retried).await {
        assert_eq!(
            status,
            StatusCode::CREATED,
            "a refused response was never stored"
        );
    }
    c.store.close().await;
    let all: BTreeSet<String> = acknowledged.union(&refused).cloned().collect();
    assert_eq!(stored_after_restart(&db).await, all);
}

/// A fresh PostgreSQL database for this test, or None when the run has no PostgreSQL.
async fn postgres() -> Option<String> {
    databases()
        .await
        .into_iter()
        .find(|url| url.starts_with("postgres"))
}

#[tokio::test]
async fn postgres_never_acknowledges_a_failed_transaction() {
    let Some(db) = postgres().await else { return };
    let c = Arc::new(collector(&db, None, &[]).await);
    // A real failure inside the transaction: the database refuses one row of the batch.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN \
           IF NEW.suggestion = 'poison' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
           RETURN NEW; END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER refuse_poison BEFORE INSERT ON responses \
           FOR EACH ROW EXECUTE FUNCTION refuse_poison();",
    )
    .execute(c.store.pool())
    .await
    .unwrap();
    let mut subs: Vec<_> = (0..40).map(|i| bulky(2000 + i)).collect();
    subs[17].suggestion = Some("poison".into());
    let results = post_all(&c, &subs).await;
    let acknowledged: BTreeSet<String> = results
        .iter()
        .filter(|(_, s, _)| s.is_success())
        .map(|(id, _, _)| id.clone())
        .collect();
    let poison = &subs[17].id;
    assert!(!acknowledged.contains(poison));
    // Each write has its own savepoint: the refused row fails alone, never its batch-mates.
    for (id, status, _) in &results {
        if id == poison {
            assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
        } else {
            assert!(status.is_success(), "{id} was answered {status}");
        }
    }
    assert_eq!(acknowledged.len(), subs.len() - 1);
    c.store.close().await;
    let stored = stored_after_restart(&db).await;
    assert_eq!(stored, acknowledged, "stored exactly what was acknowledged");
}

#[tokio::test]
async fn postgres_loses_nothing_when_the_writer_connection_dies_mid_stream() {
    let Some(db) = postgres().await else { return };
    let c = Arc::new(collector(&db, None, &[]).await);
    let pool = c.store.pool().clone();
    let killer = tokio::spawn(async move {
        let mut killed = 0;
        for _ in 0..40 {
            let n: Vec<bool> = sqlx::query_scalar(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = 'ikm-writer' AND pid <> pg_backend_pid()",
            )
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
            killed += n.iter().filter(|k| **k).count();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        killed
    });
    let subs: Vec<_> = (0..300).map(|i| bulky(5000 + i)).collect();
    let mut results = Vec::new();
    for chunk in subs.chunks(30) {
        results.extend(post_all(&c, chunk).await);
    }
    let killed = killer.await.unwrap();
    assert!(
        killed > 0,
        "the writer's connection was killed at least once"
    );
    let acknowledged: BTreeSet<String> = results
        .iter()
        .filter(|(_, s, _)| s.is_success())
        .map(|(id, _, _)| id.clone())
        .collect();
    let failed: Vec<_> = subs
        .iter()
        .filter(|s| !acknowledged.contains(&s.id))
        .cloned()
        .collect();
    assert!(results
        .iter()
        .all(|(_, s, _)| s.is_success() || *s == StatusCode::SERVICE_UNAVAILABLE));
    let stored = stored_after_restart(&db).await;
    assert!(
        acknowledged.is_subset(&stored),
        "nothing acknowledged was lost"
    );
    // The devices retry what was refused; a commit that went through before the connection
    // died is recognised by its id (200), the rest is stored now (201).
    for (_, status, _) in post_all(&c, &failed).await {
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}"
        );
    }
    c.store.close().await;
    let all: BTreeSet<String> = subs.iter().map(|s| s.id.clone()).collect();
    assert_eq!(stored_after_restart(&db).await, all);
}

/// The real `ikm serve`, its files limited in size the way a full disk limits them: writes
/// past the limit fail at commit time (SQLite then rolls the transaction back by itself,
/// unlike a `max_page_count` cap, which fails the one statement). No root needed: a process
/// may lower its own file-size limit and raise it again up to the hard limit.
mod real_server {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, Stdio};

    /// Starts `ikm serve` on a free port with its file size limited to `limit` bytes.
    fn start(db: &str, limit: Option<u64>) -> (Child, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ikm"));
        command
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--db",
                db,
                "--rate-limit",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(limit) = limit {
            // SAFETY: only async-signal-safe libc calls between fork and exec.
            unsafe {
                command.pre_exec(move || {
                    // Past the limit, write() then fails with EFBIG instead of killing the process.
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    let cap = libc::rlimit {
                        rlim_cur: limit,
                        rlim_max: libc::RLIM_INFINITY,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &cap) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = command.spawn().expect("start ikm serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("ikm serve printed its address")
                .unwrap();
            if let Some(url) = line.strip_prefix("ikm serve: endpoint  http://") {
                break url.trim_end_matches("/api/v1/responses").to_string();
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        (child, address)
    }

    /// Raises the running server's file-size limit: the disk has room again.
    fn free_space(child: &Child) {
        let unlimited = libc::rlimit {
            rlim_cur: libc::RLIM_INFINITY,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: prlimit on our own child with a valid struct.
        let done = unsafe {
            libc::prlimit(
                child.id() as libc::pid_t,
                libc::RLIMIT_FSIZE,
                &unlimited,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(done, 0, "prlimit: {}", std::io::Error::last_os_error());
    }

    fn stop(mut child: Child) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let status = child.wait().unwrap();
        assert!(
            status.success(),
            "ikm serve stopped cleanly on SIGTERM: {status}"
        );
    }

    /// One POST over a fresh connection; the status code.
    fn post(address: &str, s: &Submission) -> u16 {
        let body = json(s);
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "POST /api/v1/responses HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Idempotency-Key: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            s.id,
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        reply
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }

    /// Posts in waves of eight concurrent clients; each id with its status.
    fn post_waves(address: &str, subs: &[Submission]) -> Vec<(String, u16)> {
        subs.chunks(8)
            .flat_map(|wave| {
                let threads: Vec<_> = wave
                    .iter()
                    .cloned()
                    .map(|s| {
                        let address = address.to_string();
                        std::thread::spawn(move || (s.id.clone(), post(&address, &s)))
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().unwrap())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_full_disk_under_the_real_server_acknowledges_only_what_it_stored() {
        let dir = std::env::temp_dir().join(format!("ikm-full-disk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = format!("sqlite://{}/ikm.db", dir.display());
        // Create and migrate the database, then give it a little room to grow.
        let (child, _) = start(&db, None);
        stop(child);
        let size = std::fs::metadata(dir.join("ikm.db")).unwrap().len();
        let (child, address) = start(&db, Some(size + 96 * 1024));

        let subs: Vec<_> = (0..160).map(|i| bulky(7000 + i)).collect();
        let (first, rest) = subs.split_at(120);
        let mut results = tokio::task::spawn_blocking({
            let (address, first) = (address.clone(), first.to_vec());
            move || post_waves(&address, &first)
        })
        .await
        .unwrap();
        let refused = results.iter().filter(|(_, s)| *s == 503).count();
        assert!(refused > 0, "the disk filled up");
        free_space(&child);
        let after = tokio::task::spawn_blocking({
            let (address, rest) = (address.clone(), rest.to_vec());
            move || post_waves(&address, &rest)
        })
        .await
        .unwrap();
        assert!(
            after.iter().all(|(_, s)| *s == 201),
            "stores again once there is room: {after:?}"
        );
        results.extend(after);
        stop(child);

        let acknowledged: BTreeSet<String> = results
            .iter()
            .filter(|(_, s)| *s == 201 || *s == 200)
            .map(|(id, _)| id.clone())
            .collect();
        assert!(
            results.iter().all(|(_, s)| [200, 201, 503].contains(s)),
            "{results:?}"
        );
        let stored = stored_after_restart(&db).await;
        println!(
            "full disk: {} posted, {} acknowledged, {} refused with 503, {} stored after SIGTERM and restart",
            results.len(),
            acknowledged.len(),
            refused,
            stored.len()
        );
        assert_eq!(
            stored, acknowledged,
            "stored after a restart = acknowledged"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
