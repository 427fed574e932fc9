//! Behind a reverse proxy: only a `--trusted-proxy` peer's forwarding headers name the client
//! that the submission limit and the login throttle count, and say the browser used HTTPS.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{databases, fixed_now, json, submission, Collector, TOKEN};
use ikm_core::OfficeConfig;
use ikm_server::api::App;
use ikm_server::proxy::parse_trusted;
use ikm_server::rate_limit::ClientLimiter;
use ikm_server::serve::router;
use ikm_server::store::Store;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

const PROXY: &str = "10.0.0.2:40000";
const ELSEWHERE: &str = "198.51.100.9:40000";

async fn collector(db: &str) -> Collector {
    let store = Store::open(db, ikm_core::time::UtcOffset::WIB)
        .await
        .unwrap();
    let mut app = App::new(store.clone(), OfficeConfig::default(), Some(TOKEN.into()));
    app.limiter = Some(ClientLimiter::new(1, 1));
    app.trusted_proxies = vec![parse_trusted("10.0.0.0/8").unwrap()];
    app.now = fixed_now;
    Collector {
        router: router(Arc::new(app), Path::new("../../dist"), &[]),
        store,
    }
}

fn from(peer: &str, mut request: Request<Body>) -> Request<Body> {
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

async fn submit(c: &Collector, seed: u64, peer: &str, forwarded_for: &str) -> StatusCode {
    let request = Request::post("/api/v1/responses")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", forwarded_for)
        .body(Body::from(json(&submission(seed, "2026-11-15T02:00:00Z"))))
        .unwrap();
    c.send(from(peer, request)).await.0
}

#[tokio::test]
async fn the_submission_limit_counts_the_client_a_trusted_proxy_names() {
    let db = databases().await.remove(0);
    let c = collector(&db).await;
    assert_eq!(
        submit(&c, 1, PROXY, "203.0.113.5").await,
        StatusCode::CREATED
    );
    assert_eq!(
        submit(&c, 2, PROXY, "203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        submit(&c, 3, PROXY, "203.0.113.6").await,
        StatusCode::CREATED,
        "another client behind the same proxy"
    );
    // A client naming someone else itself, not through a trusted proxy, is still itself.
    assert_eq!(
        submit(&c, 4, ELSEWHERE, "203.0.113.7").await,
        StatusCode::CREATED
    );
    assert_eq!(
        submit(&c, 5, ELSEWHERE, "203.0.113.8").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The RFC 7239 header works the same.
    let request = Request::post("/api/v1/responses")
        .header(header::CONTENT_TYPE, "application/json")
        .header("forwarded", "for=\"[2001:db8::5]:4711\";proto=https")
        .body(Body::from(json(&submission(6, "2026-11-15T02:00:00Z"))))
        .unwrap();
    assert_eq!(c.send(from(PROXY, request)).await.0, StatusCode::CREATED);
    c.store.close().await;
}

#[tokio::test]
async fn the_login_throttle_blocks_the_guesser_not_the_office_behind_the_same_proxy() {
    let db = databases().await.remove(0);
    let c = collector(&db).await;
    let report = |token: &str, client: &str| {
        from(
            PROXY,
            Request::get("/api/v1/report")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header("x-forwarded-for", client)
                .body(Body::empty())
                .unwrap(),
        )
    };
    for i in 0..11 {
        let status = c
            .send(report(&format!("guess-{i}"), "203.0.113.66"))
            .await
            .0;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    assert_eq!(
        c.send(report(TOKEN, "203.0.113.66")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        c.send(report(TOKEN, "203.0.113.10")).await.0,
        StatusCode::OK
    );
    c.store.close().await;
}

#[tokio::test]
async fn session_cookies_are_secure_when_a_trusted_proxy_says_https() {
    let db = databases().await.remove(0);
    let c = collector(&db).await;
    let login = |peer: &str| {
        from(
            peer,
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .header("x-forwarded-proto", "https")
                .body(Body::from(format!("name=&password={TOKEN}&next=/admin")))
                .unwrap(),
        )
    };
    let (status, headers, _) = c.send(login(PROXY)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .ends_with("; Secure"));
    let (_, headers, _) = c.send(login(ELSEWHERE)).await;
    assert!(!headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Secure"));
    c.store.close().await;
}
