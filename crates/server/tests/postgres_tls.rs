//! PostgreSQL over TLS (rustls): `sslmode=require` encrypts, `verify-full` also checks the
//! server's certificate against `sslrootcert` and its name. Against the real server that
//! `scripts/postgres.sh` starts with TLS on; skipped when the run has no PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikm_server::store::Store;

/// The test server's URL and CA certificate, when this run has them.
fn server() -> Option<(String, String)> {
    let url = std::env::var("IKM_TEST_POSTGRES_URL").ok()?;
    let ca = std::env::var("IKM_TEST_POSTGRES_CA").ok()?;
    Some((url, ca))
}

/// Whether the store's own connection to the server is encrypted, as the server sees it.
async fn encrypted(store: &Store) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn sslmode_require_and_verify_full_connect_over_tls() {
    let Some((url, ca)) = server() else {
        assert!(
            std::env::var("IKM_REQUIRE_POSTGRES").is_err(),
            "IKM_TEST_POSTGRES_CA is unset"
        );
        return;
    };
    let wib = ikm_core::time::UtcOffset::WIB;
    let store = Store::open(&format!("{url}?sslmode=require"), wib)
        .await
        .unwrap();
    assert!(encrypted(&store).await, "sslmode=require encrypts");
    store.close().await;

    for host in ["localhost", "127.0.0.1"] {
        let verified = url.replace("127.0.0.1", host);
        let full = format!("{verified}?sslmode=verify-full&sslrootcert={ca}");
        let store = Store::open(&full, wib).await.unwrap();
        assert!(encrypted(&store).await, "verify-full via {host}");
        store.close().await;
    }

    // Without the CA that signed the server's certificate, verification must fail.
    let untrusted = format!("{url}?sslmode=verify-full");
    let error = Store::open(&untrusted, wib).await.err().expect("refused");
    assert!(
        error.to_string().contains("TLS") || error.to_string().contains("certificate"),
        "{error}"
    );
    // No password or CA path leaks into the message beyond what was given.
    assert!(!error.to_string().contains("BEGIN CERTIFICATE"));
}
