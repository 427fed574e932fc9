//! The counter posters: every code, read back from the SVG the office prints by an
//! independent decoder (rqrr), carries the right survey link; the quiet zone is kept; the
//! admin page, its paper sizes and the short addresses work.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::http::{header, StatusCode};
use common::{collector_with, databases, TOKEN};
use ikm_core::OfficeConfig;
use std::process::Command;

/// Decodes the QR code drawn by one of our SVGs: parses the `M x yhNv1h-Nz` runs into a
/// bitmap, checks the quiet zone, scales it up and hands it to rqrr.
fn decode(svg: &str) -> String {
    let side: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a square viewBox");
    let path = svg
        .split(" d=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("one path of dark modules");
    let mut dark = vec![vec![false; side]; side];
    for run in path.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
        assert!(
            x >= 4 && y >= 4 && x + len <= side - 4 && y < side - 4,
            "quiet zone of 4 modules kept"
        );
        for cell in &mut dark[y][x..x + len] {
            *cell = true;
        }
    }
    let scale = 8;
    let pixels = side * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark[y / scale][x / scale] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one code on the poster");
    let (meta, content) = grids[0].decode().expect("a readable code");
    // The format bits' error-correction field: M = 0, L = 1, H = 2, Q = 3.
    assert_eq!(
        meta.ecc_level, 3,
        "error correction Q (better than the M asked for)"
    );
    content
}

fn example_office() -> OfficeConfig {
    OfficeConfig::from_json(include_str!("../../../examples/office.json")).unwrap()
}

#[test]
fn ikm_qr_writes_a_readable_poster_per_counter_and_service() {
    let out = std::env::temp_dir().join(format!("ikm-posters-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/office.json");
    let run = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args([
            "qr",
            "--config",
            config,
            "--url",
            "https://survei.example.go.id/",
            "--out",
        ])
        .arg(&out)
        .args(["--paper", "a5"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(said.contains("12 posters"), "{said}");
    let office = example_office();
    for target in ikm_server::qr::targets(&office) {
        let stem = ikm_server::qr::file_stem(target);
        let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
        let counter = target.counter.map(|c| c.id.clone()).unwrap_or_default();
        assert_eq!(
            decode(&svg),
            format!(
                "https://survei.example.go.id/?layanan={}&loket={counter}",
                target.service.id
            )
        );
        let page = std::fs::read_to_string(out.join(format!("{stem}.html"))).unwrap();
        assert!(page.contains("poster-a5.css"));
        assert!(
            page.contains(&format!(
                "survei.example.go.id/s/{counter}/{}",
                target.service.id
            )),
            "the short address to type"
        );
        assert!(
            page.contains(target.service.label.id.as_str())
                && page.contains("Pindai kode ini")
                && page.contains("Scan this code")
        );
        assert_eq!(
            decode(&page),
            decode(&svg),
            "the poster carries the same code"
        );
    }
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(index.matches("<section class=\"poster\">").count(), 12);
    assert!(std::fs::read_to_string(out.join("poster-a5.css"))
        .unwrap()
        .contains("size: A5"));

    let missing = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args(["qr", "--config", config, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--url"));
    let _ = std::fs::remove_dir_all(&out);
}

#[tokio::test]
async fn the_admin_prints_the_sheet_and_short_addresses_redirect() {
    let db = databases().await.remove(0);
    let mut office = example_office();
    office.survey_url = Some("https://survei.kanim-bengkulu.example".into());
    let c = collector_with(&db, office, None, &[]).await;
    assert_eq!(c.get("/admin/qr", None).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, sheet) = c.get("/admin/qr", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sheet.matches("<section class=\"poster\">").count(), 12);
    assert!(sheet.contains("/admin/poster-a4.css"));
    let (_, _, one) = c
        .get(
            "/admin/qr?counter=loket-2&service=paspor-baru&paper=a5",
            Some(TOKEN),
        )
        .await;
    assert_eq!(one.matches("<section class=\"poster\">").count(), 1);
    assert!(one.contains("/admin/poster-a5.css"));
    assert_eq!(
        decode(&one),
        "https://survei.kanim-bengkulu.example/?layanan=paspor-baru&loket=loket-2"
    );
    assert_eq!(
        c.get("/admin/qr?paper=letter", Some(TOKEN)).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, _, body) = c
        .get("/admin/qr?counter=Loket+2&service=paspor-baru", Some(TOKEN))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an id that is not one");
    assert!(body.contains("`Loket 2`"), "{body}");
    // An address asked for is printed as asked, or refused: never swapped for another.
    let (status, _, body) = c
        .get("/admin/qr?url=javascript:alert(1)", Some(TOKEN))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("`url` must be an http:// or https:// address"),
        "{body}"
    );
    let (status, _, asked) = c
        .get(
            "/admin/qr?url=https://survei.example.go.id&counter=loket-2&service=paspor-baru",
            Some(TOKEN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        decode(&asked),
        "https://survei.example.go.id/?layanan=paspor-baru&loket=loket-2"
    );
    let (status, headers, css) = c.get("/admin/poster-a5.css", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.contains("size: A5"));

    let (status, headers, _) = c.get("/s/pos-tpi/tpi-pelabuhan", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "/?layanan=tpi-pelabuhan&loket=pos-tpi"
    );
    let (_, headers, _) = c.get("/s/-/paspor-baru", None).await;
    assert_eq!(headers[header::LOCATION], "/?layanan=paspor-baru");
    let (_, headers, _) = c.get("/s/nope/nope", None).await;
    assert_eq!(
        headers[header::LOCATION],
        "/",
        "unknown ids are dropped, the survey still opens"
    );
}
