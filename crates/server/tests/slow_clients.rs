//! Slow and stalled clients against the real accept loop on a real socket: a client that sends
//! half a request is disconnected, the connection cap holds, and `/healthz` answers promptly
//! while a thousand stalled connections are open.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{collector, databases};
use ikm_server::serve::{serve_with, Deadlines};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Starts the collector's router behind `serve_with`; its address.
async fn start(max_connections: usize, deadlines: Deadlines) -> std::net::SocketAddr {
    let db = databases().await.remove(0);
    let c = collector(&db, None, &[]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_with(
        listener,
        c.router,
        max_connections,
        deadlines,
        std::future::pending(),
    ));
    addr
}

/// `GET /healthz` on a new connection, within `limit`; the status line.
async fn health(addr: std::net::SocketAddr, limit: Duration) -> Option<String> {
    let attempt = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut reply = String::new();
        s.read_to_string(&mut reply).await.ok()?;
        reply.lines().next().map(str::to_string)
    };
    tokio::time::timeout(limit, attempt).await.ok().flatten()
}

/// A connection that sends the start of a request and then nothing.
async fn stall(addr: std::net::SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        .await
        .unwrap();
    s
}

/// Whether the server closed `s` (read returns end of file or an error) within `limit`.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 256];
    match tokio::time::timeout(limit, s.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        // Whatever it sends (a 408), the connection ends right after.
        Ok(Ok(_)) => matches!(
            tokio::time::timeout(limit, s.read(&mut buf)).await,
            Ok(Ok(0)) | Ok(Err(_))
        ),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_a_thousand_connections_stall() {
    let addr = start(2048, Deadlines::default()).await;
    let mut stalled = Vec::new();
    for _ in 0..1000 {
        stalled.push(stall(addr).await);
    }
    let started = Instant::now();
    let status = health(addr, Duration::from_secs(5)).await;
    let took = started.elapsed();
    println!("healthz with 1,000 stalled connections open: {took:?}");
    assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
    drop(stalled);
}

#[tokio::test]
async fn half_a_request_is_cut_off_at_the_header_deadline() {
    let deadlines = Deadlines {
        headers: Duration::from_millis(400),
        ..Deadlines::default()
    };
    let addr = start(64, deadlines).await;
    let mut s = stall(addr).await;
    let started = Instant::now();
    assert!(closed_within(&mut s, Duration::from_secs(5)).await);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "not before the deadline"
    );
    // A connection that sends nothing at all is cut off too.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);
    // The defaults cut off half a request within 30 seconds.
    let d = Deadlines::default();
    assert!(d.headers + d.body <= Duration::from_secs(30) && d.request <= Duration::from_secs(30));
}

#[tokio::test]
async fn a_slow_body_is_cut_off_at_the_body_deadline() {
    let deadlines = Deadlines {
        body: Duration::from_millis(400),
        ..Deadlines::default()
    };
    let addr = start(64, deadlines).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 900\r\n\r\n{\"id\":",
    )
    .await
    .unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let deadlines = Deadlines {
        headers: Duration::from_millis(800),
        ..Deadlines::default()
    };
    let addr = start(4, deadlines).await;
    let stalled: Vec<_> = futures_join(addr, 4).await;
    assert_eq!(
        health(addr, Duration::from_millis(300)).await,
        None,
        "a fifth connection is not served while four are open"
    );
    // The stalled ones hit their header deadline; then the next client is served.
    assert_eq!(
        health(addr, Duration::from_secs(5)).await.as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    drop(stalled);
}

async fn futures_join(addr: std::net::SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(stall(addr).await);
    }
    // Let the server accept them.
    tokio::time::sleep(Duration::from_millis(100)).await;
    out
}
