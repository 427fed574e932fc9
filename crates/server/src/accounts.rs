//! Personal accounts: who may read or change what (role and scope), the password and token
//! rules, and how secrets are kept (Argon2id for passwords, SHA-256 for random tokens).
//!
//! Pure: no database and no HTTP here; the store keeps accounts, `auth` checks requests.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use std::fmt;

/// Shortest password accepted for an account.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest account name.
pub const MAX_NAME_CHARS: usize = 64;
/// Prefix of every API token, so a leaked one is recognisable in a secret scanner.
pub const TOKEN_PREFIX: &str = "ikm_";
/// How long a browser session lasts from its login (a working day and a half).
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// The actor recorded for requests made with `IKM_ADMIN_TOKEN`.
pub const ADMIN_TOKEN_ACTOR: &str = "IKM_ADMIN_TOKEN";
/// The actor recorded on a loopback server with neither a token nor accounts.
pub const LOCAL_ACTOR: &str = "local";
/// The actor recorded for changes made with the `ikm` command line.
pub const CLI_ACTOR: &str = "cli";

/// What an account may do inside its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Reads reports, exports and the audit log.
    Viewer,
    /// Also records populations, edits the follow-up plan, closes and reopens periods.
    Admin,
}

impl Role {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    /// The role for its stored name.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Which units an account covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Unit(String),
    Region(String),
    All,
}

impl Scope {
    /// Whether the scope covers `unit`; `regions` lists each region's units.
    pub fn covers<'a>(
        &self,
        unit: &str,
        mut regions: impl Iterator<Item = (&'a str, &'a [String])>,
    ) -> bool {
        match self {
            Scope::All => true,
            Scope::Unit(id) => id == unit,
            Scope::Region(id) => {
                regions.any(|(region, units)| region == id && units.iter().any(|u| u == unit))
            }
        }
    }

    /// The unit an account's own events are filed under: its unit, or none for wider scopes.
    pub fn home_unit(&self) -> &str {
        match self {
            Scope::Unit(id) => id,
            Scope::Region(_) | Scope::All => "",
        }
    }

    /// The stored form: `unit:ID`, `region:ID` or `all`.
    pub fn key(&self) -> String {
        match self {
            Scope::Unit(id) => format!("unit:{id}"),
            Scope::Region(id) => format!("region:{id}"),
            Scope::All => "all".into(),
        }
    }

    /// The scope for its stored form.
    pub fn parse(text: &str) -> Option<Scope> {
        match text.split_once(':') {
            None if text == "all" => Some(Scope::All),
            Some(("unit", id)) if !id.is_empty() => Some(Scope::Unit(id.into())),
            Some(("region", id)) if !id.is_empty() => Some(Scope::Region(id.into())),
            _ => None,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// A stored account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub created_at: i64,
}

/// Why an account cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountError {
    BadName(String),
    ShortPassword { chars: usize },
    Exists(String),
    Unknown(String),
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::BadName(name) => write!(
                f,
                "account name `{name}` must be 1–{MAX_NAME_CHARS} characters of a-z, 0-9, `.`, `_` or `-`, starting with a letter or digit"
            ),
            AccountError::ShortPassword { chars } => write!(
                f,
                "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS}"
            ),
            AccountError::Exists(name) => write!(f, "an account named `{name}` exists already"),
            AccountError::Unknown(name) => write!(f, "no account is named `{name}`"),
        }
    }
}

impl std::error::Error for AccountError {}

/// Checks an account name: lowercase letters, digits, `.`, `_`, `-`; nothing a log or a URL
/// could misread, and never the same as the built-in actors (they contain capitals or are reserved).
pub fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && ![LOCAL_ACTOR, CLI_ACTOR].contains(&name);
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName(name.into()))
    }
}

/// Checks a new password's length (counted in characters, not bytes).
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AccountError::ShortPassword { chars });
    }
    Ok(())
}

/// The password as an Argon2id PHC string with a fresh random salt (RFC 9106 defaults).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches a stored PHC string (false for an unreadable one).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A PHC string of a password nobody knows, verified when a login names no account, so an
/// unknown name takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_secret()).unwrap_or_default())
}

/// 32 random bytes from the operating system, as 64 hex digits.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A new API token: the prefix and 256 random bits.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

/// How a token or session id is stored: its SHA-256 digest in hex. The secrets are random,
/// so a fast digest is enough; a copy of the database cannot be used to log in.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_lowercase_and_never_a_built_in_actor() {
        for good in ["kepala.bengkulu", "siti_01", "a", "op-2"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        for bad in [
            "",
            "Kepala",
            "a b",
            ".hidden",
            "-x",
            "name:x",
            "local",
            "cli",
            ADMIN_TOKEN_ACTOR,
            &long,
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert_eq!(
            check_password("ééééééééééé"),
            Err(AccountError::ShortPassword { chars: 11 })
        );
        assert_eq!(check_password("éééééééééééé"), Ok(()));
    }

    #[test]
    fn a_password_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(!verify_password("x", decoy_hash()));
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let t = new_token();
        assert!(t.starts_with(TOKEN_PREFIX) && t.len() == TOKEN_PREFIX.len() + 64);
        assert_ne!(t, new_token());
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn scopes_cover_their_units_and_round_trip() {
        let regions = [("sumatera", vec!["kanim-bengkulu".to_string()])];
        let regions = || regions.iter().map(|(r, u)| (*r, u.as_slice()));
        assert!(Scope::All.covers("x", regions()));
        assert!(Scope::Unit("kanim-bengkulu".into()).covers("kanim-bengkulu", regions()));
        assert!(!Scope::Unit("kanim-bengkulu".into()).covers("kanim-medan", regions()));
        assert!(Scope::Region("sumatera".into()).covers("kanim-bengkulu", regions()));
        assert!(!Scope::Region("sumatera".into()).covers("kanim-medan", regions()));
        assert!(!Scope::Region("jawa".into()).covers("kanim-bengkulu", regions()));
        for scope in [
            Scope::All,
            Scope::Unit("u-1".into()),
            Scope::Region("r".into()),
        ] {
            assert_eq!(Scope::parse(&scope.key()), Some(scope));
        }
        assert_eq!(Scope::parse("unit:"), None);
        assert_eq!(Scope::parse("everything"), None);
    }
}
