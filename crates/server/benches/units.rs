//! Benchmark of one deployment of many units: 125 offices in the three Indonesian time zones
//! grouped into five regions, served by two `ikm serve` replicas on one database (ingest
//! throughput and p99 with concurrent clients spread over both), then the yearly recap of the
//! whole deployment and of one region over 1,000,000 stored responses.
//!
//! `cargo bench -p ikm-server --bench units`: PostgreSQL when IKM_BENCH_POSTGRES_URL is set
//! (replicas are a PostgreSQL setup), else SQLite with the two replicas on one file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikm_core::time::TimeZone;
use ikm_core::{Deployment, Element, Lang, OfficeConfig, Region, Submission};
use ikm_server::api::{system_now, App};
use ikm_server::serve::{router, serve_with, zones_of, Deadlines, DEFAULT_MAX_CONNECTIONS};
use ikm_server::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

const UNITS: usize = 125;
const REGIONS: usize = 5;
const CLIENTS: usize = 32;
const SUBMISSIONS: usize = 20_000;
const STORED_FOR_RECAP: u64 = 1_000_000;
const TOKEN: &str = "bench-token-0123456789";

fn unit_id(i: usize) -> String {
    format!("kanim-{i:03}")
}

fn deployment() -> Deployment {
    let zones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"];
    let units = (0..UNITS)
        .map(|i| OfficeConfig {
            office_name: format!("Kantor Imigrasi {i:03}"),
            unit: Some(unit_id(i)),
            time_zone: TimeZone::parse(zones[i % 3]).expect("zone"),
            ..OfficeConfig::default()
        })
        .collect();
    let regions = (0..REGIONS)
        .map(|r| Region {
            id: format!("kanwil-{r}"),
            label: ikm_core::element::LocalText {
                id: format!("Kanwil {r}"),
                en: None,
            },
            units: (0..UNITS)
                .filter(|i| i % REGIONS == r)
                .map(unit_id)
                .collect(),
        })
        .collect();
    Deployment { units, regions }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("ikm-bench-units-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (name, url) = match std::env::var("IKM_BENCH_POSTGRES_URL") {
            Ok(url) => ("PostgreSQL", url),
            Err(_) => ("SQLite", format!("sqlite://{}/units.db", dir.display())),
        };
        bench(name, &url).await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// Starts one replica on `url`; returns its address and store.
async fn replica(url: &str) -> (SocketAddr, Store) {
    let deployment = deployment();
    let store = Store::open_zones(url, zones_of(&deployment))
        .await
        .expect("open database");
    let app = Arc::new(App::for_deployment(
        store.clone(),
        deployment,
        Some(TOKEN.into()),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(serve_with(
        listener,
        router(app, std::path::Path::new("dist"), &[]),
        DEFAULT_MAX_CONNECTIONS,
        Deadlines::default(),
        std::future::pending(),
    ));
    (addr, store)
}

async fn bench(name: &str, url: &str) {
    let (first, store) = replica(url).await;
    for table in [
        "module_answers",
        "daily_module_counts",
        "daily_module_respondents",
        "responses",
        "daily_counts",
        "period_closures",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(store.pool())
            .await
            .expect("empty the tables");
    }
    let (second, _) = replica(url).await;

    let now = ikm_core::time::format_rfc3339(system_now());
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let now = now.clone();
            let addr = if client % 2 == 0 { first } else { second };
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
        "bench units ingest [{name}]: {UNITS} units, 2 replicas, {CLIENTS} clients: {stored} stored in {:.2} s = {:.0} submissions/s; latency p50 {:.2} ms, p99 {:.2} ms",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );

    let t = Instant::now();
    let year = ikm_core::time::UtcOffset::WIB.local_date(system_now()).year;
    bulk_load(&store, year, STORED_FOR_RECAP - stored).await;
    sqlx::query("DELETE FROM meta")
        .execute(store.pool())
        .await
        .expect("reset meta");
    let (third, store) = replica(url).await;
    let loaded = store.count().await.expect("count");
    println!(
        "bench units recap [{name}]: loaded {loaded} responses over {year} in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for (what, query) in [
        (
            "whole deployment (125 units)",
            format!("all=1&period={year}"),
        ),
        (
            "one region (25 units)",
            format!("region=kanwil-0&period={year}"),
        ),
        ("one unit", format!("unit=kanim-000&period={year}")),
    ] {
        let stream = TcpStream::connect(third).await.expect("connect");
        let mut stream = BufStream::new(stream);
        let request = format!(
            "GET /api/v1/report?{query} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        );
        let mut times = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            assert_eq!(exchange(&mut stream, request.as_bytes()).await, 200);
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "bench units recap [{name}]: yearly recap of {what} over {loaded} responses: median {:.0} ms, best {:.0} ms of 3",
            times[1].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3
        );
    }
}

/// Inserts `n` synthetic responses spread over `year` and every unit with set-based SQL (a
/// benchmark fixture, not the API path).
async fn bulk_load(store: &Store, year: i32, n: u64) {
    let year_start = ikm_core::time::UtcOffset::WIB.start_of(ikm_core::time::Date {
        year,
        month: 1,
        day: 1,
    });
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
        let digits = if postgres {
            format!("LPAD(CAST(i % {UNITS} AS TEXT), 3, '0')")
        } else {
            format!("SUBSTR('00' || CAST(i % {UNITS} AS TEXT), -3, 3)")
        };
        let sql = format!(
            "INSERT INTO responses (id, body, survey, unit, service, counter, lang, submitted_at, received_at, period_at, \
             gender, age, education, occupation, {}, suggestion) \
             SELECT 'bulk-' || CAST(i AS TEXT), '{{}}', 'permenpan-14-2017', 'kanim-' || {digits}, \
             CASE WHEN i % 3 = 0 THEN 'paspor-baru' ELSE 'izin-tinggal' END, 'loket-' || CAST(i % 4 AS TEXT), 'id', \
             {year_start} + (i * 31) % 31000000, {year_start} + (i * 31) % 31000000, {year_start} + (i * 31) % 31000000, \
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

/// A distinct submission of unit `i % UNITS`.
fn submission(i: u64, now: &str) -> Submission {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&i.to_le_bytes());
    bytes[8..].copy_from_slice(&(i ^ 0x5A5A_A5A5_BEEF_DEAD).to_le_bytes());
    let mut s = Submission::blank(Lang::Id);
    s.id = Submission::id_from_random_bytes(bytes);
    s.submitted_at = now.into();
    s.unit = Some(unit_id(i as usize % UNITS));
    s.service = Some("paspor-baru".into());
    s.respondent = ikm_core::submission::Respondent::from_json(
        r#"{"gender":"P","age":30,"education":"SMA","occupation":"SWASTA"}"#,
    )
    .expect("respondent");
    for (k, e) in Element::ALL.into_iter().enumerate() {
        s.answers.set(e, Some(((i + k as u64) % 4 + 1) as u8));
    }
    s
}
