//! Admin authentication: `Authorization: Bearer TOKEN`, or HTTP Basic with the token as password
//! (so a browser can open /admin and show its own login prompt). Handlers ask for it by taking
//! an [`Admin`] argument; failed logins are throttled per client.

use crate::api::Shared;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use std::net::SocketAddr;

/// Shortest admin token accepted at start: long enough that guessing it is hopeless.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Checks `IKM_ADMIN_TOKEN` as given in the environment: surrounding whitespace is not part of
/// it, and a short token is refused so the server never starts with a guessable one.
pub fn admin_token_from_env(value: Option<String>) -> Result<Option<String>, String> {
    let Some(token) = value
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "IKM_ADMIN_TOKEN is {} characters long; use at least {MIN_TOKEN_CHARS} \
             (for example the output of `openssl rand -hex 16`)",
            token.chars().count()
        ));
    }
    Ok(Some(token))
}

/// Whether the `Authorization` header value carries the admin token. The scheme is
/// case-insensitive (`bearer`, `BASIC`), as HTTP says.
pub fn authorised(header: Option<&str>, token: &str) -> bool {
    let Some((scheme, credentials)) = header.and_then(|h| h.trim().split_once(' ')) else {
        return false;
    };
    let credentials = credentials.trim();
    let presented = if scheme.eq_ignore_ascii_case("bearer") {
        credentials.to_string()
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded).into_owned();
        text.split_once(':')
            .map(|(_, password)| password.to_string())
            .unwrap_or_default()
    } else {
        return false;
    };
    constant_time_eq(presented.as_bytes(), token.as_bytes())
}

/// Compares without an early exit, so timing does not reveal how much of the token matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Proof that the request carries the admin token (or that none is configured, on loopback).
/// A handler that takes this argument is an admin handler; nothing else needs checking.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<Shared> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Admin, ApiError> {
        let Some(token) = app.admin_token.as_deref() else {
            return Ok(Admin);
        };
        // Browsers show a login prompt for Basic; API clients are told to send Bearer.
        let challenge = if parts.uri.path().starts_with("/admin") {
            "Basic realm=\"IKM admin\""
        } else {
            "Bearer"
        };
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let key = app.client_keys.key(client);
        app.logins
            .admit(key)
            .map_err(|retry_after| ApiError::LoginThrottled { retry_after })?;
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if authorised(header, token) {
            return Ok(Admin);
        }
        // A request without credentials is a browser asking for the prompt, not a guess.
        if header.is_some() {
            app.logins.failed(key);
        }
        Err(ApiError::Unauthorized { challenge })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic_carry_the_token_in_any_case() {
        let token = "s3cret-s3cret-s3cret";
        assert!(authorised(Some(&format!("Bearer {token}")), token));
        assert!(authorised(Some(&format!("bearer {token}")), token));
        assert!(authorised(Some(&format!("BEARER  {token} ")), token));
        assert!(!authorised(Some("Bearer s3cret-s3cret-s3cre"), token));
        assert!(!authorised(None, token));
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("admin:{token}"));
        assert!(authorised(Some(&format!("Basic {basic}")), token));
        assert!(authorised(Some(&format!("basic {basic}")), token));
        assert!(!authorised(Some("Basic !!!"), token));
        assert!(!authorised(Some(&format!("Token {token}")), token));
        assert!(!authorised(Some("Bearer"), token));
    }

    #[test]
    fn tokens_are_trimmed_and_short_ones_refused() {
        assert_eq!(admin_token_from_env(None), Ok(None));
        assert_eq!(admin_token_from_env(Some("  \n".into())), Ok(None));
        assert_eq!(
            admin_token_from_env(Some(" 0123456789abcdef\n".into())),
            Ok(Some("0123456789abcdef".into()))
        );
        let e = admin_token_from_env(Some("short-token".into())).unwrap_err();
        assert!(e.contains("at least 16"), "{e}");
    }
}
