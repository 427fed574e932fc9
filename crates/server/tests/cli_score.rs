//! `ikm score` as a user runs it: the real binary on the example data and on bad files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn ikm(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args(args)
        .output()
        .expect("run ikm");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn example_csv_prints_the_expected_table_and_json() {
    let csv = repo("examples/responses.csv");
    let (code, table, _) = ikm(&["score", csv.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(
        table,
        std::fs::read_to_string(repo("examples/responses.expected.txt")).unwrap()
    );

    let (code, json, _) = ikm(&["score", csv.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let got: serde_json::Value = serde_json::from_str(&json).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("examples/responses.expected.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(got, want);
    assert_eq!(got["respondents"], 60);
    assert_eq!(got["mutu"], "C");
}

#[test]
fn legacy_weights_lower_an_all_four_unit_to_99_90() {
    let dir = std::env::temp_dir().join(format!("ikm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("all4.csv");
    std::fs::write(
        &file,
        "U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4,4\n4,4,4,4,4,4,4,4,4\n",
    )
    .unwrap();
    let (_, exact, _) = ikm(&["score", file.to_str().unwrap()]);
    assert!(exact.contains("IKM      100.00"), "{exact}");
    let (_, legacy, _) = ikm(&["score", file.to_str().unwrap(), "--weights", "0.111"]);
    assert!(legacy.contains("IKM      99.90"), "{legacy}");
    assert!(legacy.contains("Mutu     A"));
}

#[test]
fn a_bad_row_stops_with_its_line_and_a_non_zero_exit() {
    let dir = std::env::temp_dir().join(format!("ikm-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.csv");
    std::fs::write(
        &file,
        "U1;U2;U3;U4;U5;U6;U7;U8;U9\n4;4;4;4;4;4;4;4;4\n4;4;4;4;4;4;4;9;4\n",
    )
    .unwrap();
    let (code, out, err) = ikm(&["score", file.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        "ikm: line 3: column `U8`: `9` is not a score from 1 to 4"
    );

    let (code, _, err) = ikm(&["score", "/nonexistent.csv"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot open /nonexistent.csv"), "{err}");

    let (code, _, err) = ikm(&["score", file.to_str().unwrap(), "--weights", "0.1"]);
    assert_eq!(code, 2);
    assert!(err.contains("[possible values: exact, 0.111]"), "{err}");
}

#[test]
fn serve_refuses_a_network_address_without_an_admin_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args([
            "serve",
            "--addr",
            "0.0.0.0:0",
            "--db",
            "sqlite:///nonexistent-dir-never-opened/ikm.db",
        ])
        .env_remove("IKM_ADMIN_TOKEN")
        .output()
        .expect("run ikm serve");
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to listen on 0.0.0.0:0 without IKM_ADMIN_TOKEN"),
        "{err}"
    );
}

#[test]
fn check_config_names_the_path_of_a_problem() {
    let dir = std::env::temp_dir().join(format!("ikm-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("office.json");
    std::fs::write(&file, r#"{"office_name":"X","services":[{"id":"ok","label":{"id":"A"}},{"id":"Bad Id","label":{"id":"B"}}]}"#).unwrap();
    let (code, _, err) = ikm(&["check-config", file.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("at `services[1].id`"), "{err}");
    let (code, out, _) = ikm(&[
        "check-config",
        repo("examples/office.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("valid (5 services, 4 counters, SPKP 1–6, SPAK 1–4, 22 rated items"),
        "{out}"
    );
}

/// Output that cannot be written (a full disk, a pipe closed by `| head`) is an error the
/// binary reports and exits 1 on, never a panic, for every command that prints.
#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    let example = repo("examples/office.json");
    let example = example.to_str().unwrap();
    for args in [
        vec!["check-config", example],
        vec!["form", "--config", example],
        vec!["score", repo("examples/responses.csv").to_str().unwrap()],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ikm"))
            .args(&args)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with("ikm: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
