//! `ikm user` and `ikm token` as an operator runs them: the real binary, the password piped on
//! standard input, on a fresh SQLite database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Stdio};

fn ikm(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ikm"))
        .args(args)
        .env_remove("IKM_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ikm");
    // A command that reads no input may exit before the write: its closed pipe is no failure.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn accounts_are_added_listed_given_tokens_and_removed() {
    let dir = std::env::temp_dir().join(format!("ikm-cli-accounts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/ikm.db", dir.display());
    let db = ["--db", url.as_str()];
    let with_db = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(|s| s.to_string())
            .chain(db.iter().map(|s| s.to_string()))
            .collect()
    };
    let run = |args: Vec<String>, stdin: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ikm(&args, stdin)
    };

    let (code, out, err) = run(
        with_db(&[
            "user",
            "add",
            "kepala.bengkulu",
            "--role",
            "admin",
            "--unit",
            "kanim-bengkulu",
        ]),
        "kata-sandi-yang-panjang\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        "added kepala.bengkulu: admin of unit:kanim-bengkulu"
    );

    let (code, _, err) = run(
        with_db(&[
            "user",
            "add",
            "kepala.bengkulu",
            "--role",
            "viewer",
            "--all",
        ]),
        "kata-sandi-yang-panjang\n",
    );
    assert_ne!(code, 0);
    assert!(err.contains("exists already"), "{err}");
    let (code, _, err) = run(
        with_db(&["user", "add", "pendek", "--role", "viewer", "--all"]),
        "pendek\n",
    );
    assert_ne!(code, 0);
    assert!(err.contains("at least 12"), "{err}");
    let (code, _, err) = run(
        with_db(&["user", "add", "x", "--role", "viewer"]),
        "kata-sandi-yang-panjang\n",
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("--unit") && err.contains("--all"),
        "one scope is required: {err}"
    );
    let (code, _, err) = run(
        with_db(&[
            "user", "add", "x", "--role", "viewer", "--unit", "a", "--all",
        ]),
        "kata-sandi-yang-panjang\n",
    );
    assert_ne!(code, 0, "two scopes are refused: {err}");
    let (code, _, err) = run(
        with_db(&["user", "add", "Bad Name", "--role", "viewer", "--all"]),
        "kata-sandi-yang-panjang\n",
    );
    assert_ne!(code, 0);
    assert!(err.contains("a-z"), "{err}");
    let (code, _, _) = run(
        with_db(&["user", "add", "ditjen", "--role", "viewer", "--all"]),
        "kata-sandi-ditjen-1234",
    );
    assert_eq!(code, 0);

    let (code, token, err) = run(with_db(&["token", "create", "kepala.bengkulu"]), "");
    assert_eq!(code, 0, "{err}");
    let token = token.trim();
    assert!(token.starts_with("ikm_") && token.len() == 68, "{token}");
    let (_, again, _) = run(with_db(&["token", "create", "kepala.bengkulu"]), "");
    assert_ne!(again.trim(), token, "each token is new");
    let (code, _, err) = run(with_db(&["token", "create", "nobody"]), "");
    assert_ne!(code, 0);
    assert!(err.contains("no account is named `nobody`"), "{err}");

    let (code, list, _) = run(with_db(&["user", "list"]), "");
    assert_eq!(code, 0);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(
        lines[1].starts_with("ditjen") && lines[1].contains("viewer") && lines[1].contains("all"),
        "{list}"
    );
    assert!(
        lines[2].contains("unit:kanim-bengkulu") && lines[2].contains("     2  "),
        "{list}"
    );
    // Nothing secret is ever printed or stored in the clear.
    let file = std::fs::read(dir.join("ikm.db")).unwrap();
    let text = String::from_utf8_lossy(&file);
    assert!(!text.contains("kata-sandi-yang-panjang") && !text.contains(token));
    assert!(text.contains("$argon2id$"));

    let (code, out, _) = run(with_db(&["user", "remove", "kepala.bengkulu"]), "");
    assert_eq!(code, 0);
    assert!(out.contains("removed kepala.bengkulu"));
    let (code, list, _) = run(with_db(&["user", "list"]), "");
    assert_eq!(code, 0);
    assert_eq!(list.lines().count(), 2, "{list}");
    let _ = std::fs::remove_dir_all(&dir);
}
