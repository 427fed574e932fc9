//! The store's error taxonomy: what kind of database failure happened, which decides the reply.

use std::fmt;

/// What kind of database failure happened; decides the reply (all but `Open` are a 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// No room left: SQLite's `SQLITE_FULL`, PostgreSQL's `disk_full` (53100).
    Full,
    /// Locked or busy for longer than the timeout.
    Busy,
    /// The database cannot be reached: connection, I/O, pool exhausted, writer stopped.
    Unreachable,
    /// A stored value cannot be read back.
    Data,
    /// The database could not be opened: a bad URL, a failed migration.
    Open,
    /// Any other error the database returned.
    Database,
}

/// A database failure: its kind and the database's own message (for the log, never the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub kind: StoreErrorKind,
    pub detail: String,
}

impl StoreError {
    pub(crate) fn new(kind: StoreErrorKind, detail: impl Into<String>) -> StoreError {
        StoreError {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let kind = match &e {
            sqlx::Error::Database(db) => db
                .code()
                .map_or(StoreErrorKind::Database, |code| classify_code(&code)),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => StoreErrorKind::Unreachable,
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreErrorKind::Data,
            sqlx::Error::Configuration(_) => StoreErrorKind::Open,
            _ => StoreErrorKind::Database,
        };
        StoreError::new(kind, e.to_string())
    }
}

/// The kind of a database error code: PostgreSQL's five-character SQLSTATE, or SQLite's
/// (extended) result code as sqlx gives it (`"13"`, `"261"`), whose low byte is the primary code.
fn classify_code(code: &str) -> StoreErrorKind {
    if code.len() == 5 {
        return match code {
            "53100" => StoreErrorKind::Full,
            c if c.starts_with("08") || c.starts_with("57P") => StoreErrorKind::Unreachable,
            c if c.starts_with("53") || c.starts_with("40") || c == "55P03" => StoreErrorKind::Busy,
            _ => StoreErrorKind::Database,
        };
    }
    match code.parse::<u32>().map(|c| c & 0xff) {
        Ok(13) => StoreErrorKind::Full,
        Ok(5 | 6) => StoreErrorKind::Busy,
        Ok(10 | 14) => StoreErrorKind::Unreachable,
        _ => StoreErrorKind::Database,
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::new(StoreErrorKind::Open, format!("migration failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_codes_keep_their_kind() {
        assert_eq!(classify_code("13"), StoreErrorKind::Full, "SQLITE_FULL");
        assert_eq!(
            classify_code("261"),
            StoreErrorKind::Busy,
            "SQLITE_BUSY_RECOVERY"
        );
        assert_eq!(
            classify_code("53100"),
            StoreErrorKind::Full,
            "PostgreSQL disk_full"
        );
        assert_eq!(classify_code("08006"), StoreErrorKind::Unreachable);
        assert_eq!(
            classify_code("42509"),
            StoreErrorKind::Database,
            "not SQLite's 13"
        );
        assert_eq!(
            classify_code("19"),
            StoreErrorKind::Database,
            "SQLITE_CONSTRAINT"
        );
    }
}
