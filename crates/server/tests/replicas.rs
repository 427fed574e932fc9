//! Two `ikm serve` processes on one PostgreSQL behave as one: the real binary twice, started
//! at the same moment on a fresh database, with the same requests sent to both at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{databases, json, submission};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "replica-token-0123456789";

struct Replica {
    child: Child,
    port: u16,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(db: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
            "--db",
            db,
        ])
        .env("IKM_ADMIN_TOKEN", TOKEN)
        .env_remove("IKM_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the start-up lines and reads the port.
fn ready(mut child: Child) -> Replica {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let Some(Ok(line)) = lines.next() else {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            panic!("the replica stopped: {err}");
        };
        if let Some(rest) = line.strip_prefix("ikm serve: survey    http://127.0.0.1:") {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    // Keep draining stdout so the replica never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Replica { child, port }
}

/// One HTTP/1.1 request; the status, the head and the body.
async fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut reply))
        .await
        .unwrap()
        .unwrap();
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

const BEARER: (&str, &str) = ("Authorization", "Bearer replica-token-0123456789");

#[tokio::test]
async fn two_replicas_on_one_postgresql_lose_and_double_nothing() {
    let Some(db) = databases()
        .await
        .into_iter()
        .find(|u| u.starts_with("postgres"))
    else {
        eprintln!("no PostgreSQL under test: replicas are tested with IKM_TEST_POSTGRES_URL");
        return;
    };
    // Started together on an empty database: both migrate (one waits for the other's lock).
    let (a, b) = (spawn(&db), spawn(&db));
    let (a, b) = (ready(a), ready(b));
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(
        migrations,
        i64::try_from(files).unwrap(),
        "each migration once"
    );

    // The same response posted to both replicas at the same moment: one 201, one 200.
    let now = ikm_core::time::format_rfc3339(ikm_server::api::system_now() - 60);
    let json_type = ("Content-Type", "application/json");
    let mut pairs = Vec::new();
    for seed in 0..24u64 {
        let body = json(&submission(900 + seed, &now));
        let (pa, pb) = (a.port, b.port);
        pairs.push(tokio::spawn(async move {
            let headers = [json_type];
            let (x, y) = tokio::join!(
                http(pa, "POST", "/api/v1/responses", &headers, &body),
                http(pb, "POST", "/api/v1/responses", &headers, &body)
            );
            let mut statuses = [x.0, y.0];
            statuses.sort_unstable();
            statuses
        }));
    }
    for pair in pairs {
        assert_eq!(pair.await.unwrap(), [200, 201]);
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 24);
    let numbers: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT seq) FROM responses")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(numbers, 24, "distinct storing numbers");

    // Two closings of one period at the same moment: one frozen recap, one event.
    let year = &now[..4];
    let close = format!("/api/v1/periods/{year}/close");
    let bearer = [BEARER];
    let (x, y) = tokio::join!(
        http(a.port, "POST", &close, &bearer, ""),
        http(b.port, "POST", &close, &bearer, "")
    );
    assert_eq!((x.0, y.0), (200, 200), "{x:?} {y:?}");
    let closed_at =
        |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap()["closed_at"].clone();
    assert_eq!(
        closed_at(&x.2),
        closed_at(&y.2),
        "both answer the one closure"
    );
    let (_, _, period) = http(
        b.port,
        "GET",
        &format!("/api/v1/periods/{year}"),
        &[BEARER],
        "",
    )
    .await;
    let events = serde_json::from_str::<serde_json::Value>(&period).unwrap()["events"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(events, 1, "{period}");
    let (_, _, audit) = http(a.port, "GET", "/api/v1/audit", &[BEARER], "").await;
    let audit: serde_json::Value = serde_json::from_str(&audit).unwrap();
    let closes = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "period.close")
        .count();
    assert_eq!(closes, 1);

    // An account added while both run, logged in on one replica, works on the other.
    let mut add = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args([
            "user", "add", "kepala", "--role", "viewer", "--all", "--db", &db,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"kata-sandi-yang-panjang\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let same = ("Sec-Fetch-Site", "same-origin");
    let (status, head, _) = http(
        a.port,
        "POST",
        "/login",
        &[form, same],
        "name=kepala&password=kata-sandi-yang-panjang&next=/admin",
    )
    .await;
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let (status, _, page) = http(b.port, "GET", "/admin", &[("Cookie", &cookie)], "").await;
    assert_eq!(status, 200, "the session works on the other replica");
    assert!(page.contains("Rekapitulasi IKM"));
    // A viewer may read but not close, on either replica.
    let (status, _, _) = http(
        b.port,
        "POST",
        &format!("/api/v1/periods/{year}/reopen"),
        &[("Cookie", &cookie)],
        "",
    )
    .await;
    assert_eq!(status, 403);
    pool.close().await;
    drop((a, b));
}
