//! Benchmark of `ikm serve` on loopback: ingest throughput and p50/p99 latency with concurrent
//! clients, then the monthly report over 1,000,000 stored responses.
//!
//! `cargo bench -p ikm-server --bench ingest` (SQLite). Set IKM_BENCH_POSTGRES_URL to a server
//! URL (e.g. from `scripts/postgres.sh start`) to run the same against PostgreSQL.
//! Goals on a 2-core machine with SQLite: ≥ 3,000 stored submissions/s; report < 1 s.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikm_core::{Element, Lang, OfficeConfig, Submission};
use ikm_server::api::{system_now, App};
use ikm_server::serve::{router, serve_with, Deadlines, DEFAULT_MAX_CONNECTIONS};
use ikm_server::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

const CLIENTS: usize = 32;
const SUBMISSIONS: usize = 30_000;
const STORED_FOR_REPORT: u64 = 1_000_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("ikm-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut databases = vec![("SQLite", format!("sqlite://{}/bench.db", dir.display()))];
        if let Ok(url) = std::env::var("IKM_BENCH_POSTGRES_URL") {
            databases.push(("PostgreSQL", url));
        }
        for (name, url) in databases {
            bench(name, &url).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}

async fn bench(name: &str, url: &str) {
    let store = Store::open(url, ikm_core::time::UtcOffset::WIB)
        .await
        .expect("open database");
    for table in [
        "module_answers",
        "daily_module_counts",
        "responses",
        "daily_counts",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(store.pool())
            .await
            .expect("empty the tables");
    }
    let config = OfficeConfig {
        office_name: "Bench".into(),
        ..OfficeConfig::default()
    };
    let app = Arc::new(App::new(store.clone(), config, None));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let service = router(app, std::path::Path::new("dist"), &[]);
    tokio::spawn(serve_with(
        listener,
        service,
        DEFAULT_MAX_CONNECTIONS,
        Deadlines::default(),
        std::future::pending(),
    ));

    // Ingest: CLIENTS keep-alive connections, each posting its share of distinct submissions.
    let now = ikm_core::time::format_rfc3339(system_now());
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let now = now.clone();
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let mut stream = BufStream::new(stream);
                let mut latencies = Vec::new();
                for i in (client..SUBMISSIONS).step_by(CLIENTS) {
                    let body = serde_json::to_string(&submission(i as u64, &now)).expect("json");
                    let request = format!(
                        "POST /api/v1/responses HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let t = Instant::now();
                    let status = exchange(&mut stream, request.as_bytes()).await;
                    latencies.push(t.elapsed());
                    assert_eq!(status, 201, "every distinct submission is stored");
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let stored = store.count().await.expect("count");
    println!(
        "bench ingest [{name}]: {stored} stored by {CLIENTS} concurrent clients in {:.2} s = {:.0} submissions/s; latency p50 {:.2} ms, p99 {:.2} ms (goal ≥ 3000/s)",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );

    // Report: fill the table to 1,000,000 rows in one month, then time GET /api/v1/report.
    let t = Instant::now();
    bulk_load(&store, STORED_FOR_REPORT - stored).await;
    // Bulk rows bypass the API, so rebuild the daily totals as a time-zone change would.
    sqlx::query("DELETE FROM meta")
        .execute(store.pool())
        .await
        .expect("reset meta");
    let store = Store::open(url, ikm_core::time::UtcOffset::WIB)
        .await
        .expect("reopen and rebuild totals");
    let loaded = store.count().await.expect("count");
    println!(
        "bench report [{name}]: loaded {loaded} responses in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let month = ikm_core::time::UtcOffset::WIB.local_date(system_now());
    let path = format!("/api/v1/report?month={:04}-{:02}", month.year, month.month);
    let stream = TcpStream::connect(addr).await.expect("connect");
    let mut stream = BufStream::new(stream);
    let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        assert_eq!(exchange(&mut stream, request.as_bytes()).await, 200);
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "bench report [{name}]: monthly report over {loaded} responses: median {:.0} ms, best {:.0} ms of 5 (goal < 1000 ms)",
        times[2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}

/// Inserts `n` synthetic responses in this month with set-based SQL (a benchmark fixture, not the API path).
async fn bulk_load(store: &Store, n: u64) {
    let month_start = {
        let today = ikm_core::time::UtcOffset::WIB.local_date(system_now());
        ikm_core::time::UtcOffset::WIB.start_of(today.first_of_month())
    };
    let chunk = 100_000;
    let mut done = 0;
    let postgres = store.backend == ikm_server::store::Backend::Postgres;
    while done < n {
        let size = chunk.min(n - done);
        let series = if postgres {
            format!("SELECT generate_series({}, {}) AS i", done + 1, done + size)
        } else {
            format!("WITH RECURSIVE s(i) AS (SELECT {} UNION ALL SELECT i + 1 FROM s WHERE i < {}) SELECT i FROM s", done + 1, done + size)
        };
        let scores: Vec<String> = (0..9)
            .map(|k| format!("((i * {} + i / 7) % 4) + 1", k + 3))
            .collect();
        let sql = format!(
            "INSERT INTO responses (id, body, survey, unit, service, counter, lang, submitted_at, received_at, period_at, \
             gender, age, education, occupation, {}, suggestion) \
             SELECT 'bulk-' || CAST(i AS TEXT), '{{}}', 'permenpan-14-2017', 'kanim-bengkulu', \
             CASE WHEN i % 3 = 0 THEN 'paspor-baru' ELSE 'izin-tinggal' END, 'loket-' || CAST(i % 4 AS TEXT), 'id', \
             {month_start} + (i % 2000000), {month_start} + (i % 2000000), {month_start} + (i % 2000000), \
             CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END, 17 + (i % 60), 'SMA', 'SWASTA', {}, NULL FROM ({series}) AS g",
            Element::ALL.iter().map(|e| e.key()).collect::<Vec<_>>().join(", "),
            scores.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await
            .expect("bulk insert");
        done += size;
    }
}

/// Sends one request on a keep-alive connection and reads the reply; returns its status.
async fn exchange(stream: &mut BufStream<TcpStream>, request: &[u8]) -> u16 {
    stream.write_all(request).await.expect("write");
    stream.flush().await.expect("flush");
    let mut line = String::new();
    stream.read_line(&mut line).await.expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut length = 0;
    loop {
        line.clear();
        stream.read_line(&mut line).await.expect("header");
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.expect("body");
    status
}

fn submission(i: u64, now: &str) -> Submission {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&i.to_le_bytes());
    bytes[8..].copy_from_slice(&(i ^ 0xA5A5_5A5A_DEAD_BEEF).to_le_bytes());
    let mut s = Submission::blank(Lang::Id);
    s.id = Submission::id_from_random_bytes(bytes);
    s.submitted_at = now.into();
    s.service = Some("paspor-baru".into());
    s.counter = Some(format!("loket-{}", i % 4));
    s.respondent = ikm_core::submission::Respondent::from_json(
        r#"{"gender":"P","age":30,"education":"SMA","occupation":"SWASTA"}"#,
    )
    .expect("respondent");
    for (k, e) in Element::ALL.into_iter().enumerate() {
        s.answers.set(e, Some(((i + k as u64) % 4 + 1) as u8));
    }
    s
}
