//! `ikm serve` as an operator starts it: the admin token's rules, the database URL from the
//! environment, and no password in what it prints.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn ikm() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ikm"));
    c.env_remove("IKM_ADMIN_TOKEN")
        .env_remove("IKM_DATABASE_URL");
    c
}

#[test]
fn a_short_admin_token_is_refused_at_start() {
    let out = ikm()
        .args(["serve", "--addr", "127.0.0.1:0", "--db", "sqlite::memory:"])
        .env("IKM_ADMIN_TOKEN", "admin12345")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("IKM_ADMIN_TOKEN is 10 characters long; use at least 16"),
        "{err}"
    );
}

/// Starts `ikm serve` with `env`, reads its first line, then stops it.
fn first_line(env: &[(&str, &str)], args: &[&str]) -> String {
    let mut command = ikm();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    line
}

#[test]
fn the_database_url_comes_from_the_environment_and_its_password_is_never_printed() {
    let Ok(base) = std::env::var("IKM_TEST_POSTGRES_URL") else {
        return;
    };
    // The test server trusts local connections, so any password opens it.
    let with_password = base.replacen("postgres://ikm@", "postgres://ikm:hunter2-secret@", 1);
    let token = ("IKM_ADMIN_TOKEN", " 0123456789abcdef-token \n");
    let line = first_line(&[("IKM_DATABASE_URL", &with_password), token], &[]);
    assert!(
        line.starts_with("ikm serve: PostgreSQL database postgres://ikm:***@"),
        "{line}"
    );
    assert!(!line.contains("hunter2"), "{line}");
    let line = first_line(&[token], &["--db", &with_password]);
    assert!(
        !line.contains("hunter2") && line.contains(":***@"),
        "{line}"
    );
}

#[test]
fn help_never_shows_the_database_url_from_the_environment() {
    let out = ikm()
        .args(["serve", "--help"])
        .env("IKM_DATABASE_URL", "postgres://ikm:hunter2@db/ikm")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("IKM_DATABASE_URL"), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
}

#[test]
fn demo_data_fills_an_empty_database_only() {
    let dir = std::env::temp_dir().join(format!("ikm-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = format!("sqlite://{}/ikm.db", dir.display());
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/office.json");
    let run = || {
        ikm()
            .args([
                "demo-data",
                "--db",
                &db,
                "--config",
                config,
                "--months",
                "2",
                "--per-month",
                "30",
            ])
            .output()
            .unwrap()
    };
    let first = run();
    let said = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{said}");
    let added: u64 = said
        .split("added ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        (30..=60).contains(&added),
        "one full month and the month so far: {said}"
    );
    let again = run();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("empty database only"));
    let _ = std::fs::remove_dir_all(&dir);
}
