//! Database URLs: which engine a URL names, SQLite paths created, passwords kept out of print.

use super::error::{StoreError, StoreErrorKind};
use std::fmt;
use std::path::Path;

/// Which SQL engine stores the responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// Accepts `sqlite://PATH`, `sqlite:PATH` or `postgres://…`; SQLite files (and their folder) are created.
pub(crate) fn normalise_url(url: &str) -> Result<(String, Backend), StoreError> {
    let open_error = |detail: String| StoreError::new(StoreErrorKind::Open, detail);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_string(), Backend::Postgres));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            open_error(format!(
                "unsupported database URL `{}`: use sqlite://PATH or postgres://…",
                redact_url(url)
            ))
        })?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() {
        return Err(open_error(
            "the SQLite URL names no file: use sqlite://ikm.db".into(),
        ));
    }
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| open_error(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok((format!("sqlite://{path}?mode=rwc"), Backend::Sqlite))
}

/// A database URL fit to print: the password (if any) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_a_printed_url() {
        assert_eq!(
            redact_url("postgres://ikm:s3cr%40t@db.example:5432/ikm?sslmode=require"),
            "postgres://ikm:***@db.example:5432/ikm?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://ikm@127.0.0.1/ikm"),
            "postgres://ikm@127.0.0.1/ikm"
        );
        assert_eq!(redact_url("sqlite://data/ikm.db"), "sqlite://data/ikm.db");
        assert_eq!(redact_url("postgres://a:b:c@h/d"), "postgres://a:***@h/d");
    }
}
