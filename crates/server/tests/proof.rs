//! The proof of work against the real collector, on every database under test
//! (docs/review.md): asked of a response without a code, accepted once solved, a replayed or
//! forged proof refused, never asked of a code-verified response or an exempt network, and
//! the form without JavaScript says what it needs.
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
use base64::Engine;
use common::{fixed_now, json, submission, Collector, TOKEN};
use ikm_core::OfficeConfig;
use ikm_server::api::App;
use ikm_server::codes::CodeSecret;
use ikm_server::serve::router;
use ikm_server::store::Store;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

const SECRET: &str = "a-deployment-secret-of-forty-characters!";

async fn guarded(db: &str) -> Collector {
    let config = OfficeConfig::from_json(
        r#"{"office_name": "Kantor Imigrasi Bengkulu", "unit": "kanim-bengkulu",
            "services": [{"id": "paspor-baru", "label": {"id": "Paspor baru"}},
                         {"id": "paspor-penggantian", "label": {"id": "Penggantian paspor"}},
                         {"id": "izin-tinggal", "label": {"id": "Izin tinggal"}}],
            "proof_of_work": {"enabled": true, "max_number": 2000, "exempt_networks": ["10.9.0.0/16"]}}"#,
    )
    .unwrap();
    let store = Store::open(db, ikm_core::time::UtcOffset::WIB)
        .await
        .unwrap();
    let mut app = App::new(store.clone(), config, Some(TOKEN.into()));
    app.now = fixed_now;
    let secret = CodeSecret::from_env(Some(SECRET.into())).unwrap().unwrap();
    app.proofs = ikm_server::proof::ProofKey::from_code_secret(&secret);
    app.codes = Some(secret);
    Collector {
        router: router(Arc::new(app), Path::new("../../dist"), &[]),
        store,
    }
}

/// Posts `body` from `peer` with an optional `Ikm-Proof`; the status and the JSON reply.
async fn post(c: &Collector, body: &str, proof: Option<&str>, peer: &str) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/responses")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    if let Some(proof) = proof {
        request = request.header("Ikm-Proof", proof);
    }
    let (status, _, text) = c
        .send(request.body(Body::from(body.to_string())).unwrap())
        .await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// What a device does with a 428's challenge: tries numbers until the hash matches.
fn solve(challenge: &Value) -> String {
    let salt = challenge["salt"].as_str().unwrap();
    let want = challenge["challenge"].as_str().unwrap();
    let max = challenge["maxnumber"].as_u64().unwrap();
    let number = (0..=max)
        .find(|n| {
            let digest = Sha256::digest(format!("{salt}{n}").as_bytes());
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                == want
        })
        .expect("solvable");
    let answer = serde_json::json!({
        "algorithm": challenge["algorithm"], "challenge": want, "number": number,
        "salt": salt, "signature": challenge["signature"],
    });
    base64::engine::general_purpose::STANDARD.encode(answer.to_string())
}

const PHONE: &str = "198.51.100.7:50000";
const KIOSK: &str = "10.9.1.20:50000";

#[tokio::test]
async fn a_response_without_a_code_pays_once_and_a_replayed_proof_is_refused() {
    for db in common::databases().await {
        let c = guarded(&db).await;
        let first = json(&submission(1, "2026-11-15T02:00:00Z"));
        let (status, reply) = post(&c, &first, None, PHONE).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{reply}");
        assert_eq!(reply["error"], "proof_required");
        assert_eq!(reply["challenge"]["algorithm"], "SHA-256");
        assert_eq!(reply["challenge"]["maxnumber"], 2000);
        let proof = solve(&reply["challenge"]);
        assert_eq!(
            post(&c, &first, Some(&proof), PHONE).await.0,
            StatusCode::CREATED
        );
        // The same response again (its acknowledgement was lost): acknowledged, not refused.
        assert_eq!(
            post(&c, &first, Some(&proof), PHONE).await.0,
            StatusCode::OK
        );
        assert_eq!(post(&c, &first, None, PHONE).await.0, StatusCode::OK);
        // Another response with the same solved challenge: a replay, refused with a new one.
        let second = json(&submission(2, "2026-11-15T02:00:00Z"));
        let (status, reply) = post(&c, &second, Some(&proof), PHONE).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{reply}");
        assert!(
            reply["detail"].as_str().unwrap().contains("used before"),
            "{reply}"
        );
        let fresh = solve(&reply["challenge"]);
        assert_ne!(fresh, proof);
        assert_eq!(
            post(&c, &second, Some(&fresh), PHONE).await.0,
            StatusCode::CREATED
        );

        // A forged signature, and a proof made for another collector's key: refused.
        let third = json(&submission(3, "2026-11-15T02:00:00Z"));
        let (_, reply) = post(&c, &third, None, PHONE).await;
        let mut forged = reply["challenge"].clone();
        forged["signature"] = Value::String("00".repeat(32));
        let (status, reply) = post(&c, &third, Some(&solve(&forged)), PHONE).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
        assert!(
            reply["detail"]
                .as_str()
                .unwrap()
                .contains("not issued here"),
            "{reply}"
        );
        let other =
            ikm_server::proof::ProofKey::random().challenge("kanim-bengkulu", 50, fixed_now());
        let other = serde_json::to_value(other).unwrap();
        assert_eq!(
            post(&c, &third, Some(&solve(&other)), PHONE).await.0,
            StatusCode::PRECONDITION_REQUIRED
        );
        assert_eq!(
            c.store.count().await.unwrap(),
            2,
            "nothing stored without a proof"
        );

        // The office network (kiosks) never pays.
        assert_eq!(post(&c, &third, None, KIOSK).await.0, StatusCode::CREATED);
        assert_eq!(c.store.count().await.unwrap(), 3);
    }
}

#[tokio::test]
async fn a_code_verified_response_never_pays_and_the_plain_form_says_what_it_needs() {
    for db in common::databases().await {
        let c = guarded(&db).await;
        let (status, body) = common::call(
            &c,
            "POST",
            "/api/v1/codes",
            TOKEN,
            r#"{"service": "paspor-baru", "count": 1, "day": "2026-11-15"}"#,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let minted: Value = serde_json::from_str(&body).unwrap();
        let mut s = submission(4, "2026-11-15T02:00:00Z");
        s.service = Some("paspor-baru".into());
        s.code = Some(minted["codes"][0]["code"].as_str().unwrap().to_string());
        assert_eq!(
            post(&c, &json(&s), None, PHONE).await.0,
            StatusCode::CREATED
        );

        // The form without JavaScript: refused with the reason beside the kept answers.
        let fields = "id=6f1c9a52-3b7e-4d2a-9c1e-2f8b7a6d5e40&lang=id&service=paspor-baru\
            &respondent.gender=L&respondent.age=40&respondent.education=SMA&respondent.occupation=SWASTA\
            &answers.persyaratan=4&answers.prosedur=4&answers.waktu=4&answers.biaya=4&answers.produk=4\
            &answers.kompetensi=4&answers.perilaku=4&answers.sarana=4&answers.pengaduan=4";
        let request = Request::post("/")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "ikm.test")
            .header(header::ORIGIN, "http://ikm.test")
            .extension(ConnectInfo(PHONE.parse::<SocketAddr>().unwrap()))
            .body(Body::from(fields))
            .unwrap();
        let (status, _, page) = c.send(request).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{page}");
        assert!(
            page.contains(ikm_core::i18n::ui::NEEDS_SCRIPT.get(ikm_core::Lang::Id)),
            "{page}"
        );
        assert!(
            page.contains(r#"value="40""#),
            "the answers stay in the form"
        );
        assert_eq!(c.store.count().await.unwrap(), 1);
    }
}
