//! Admin authentication: `Authorization: Bearer TOKEN`, or HTTP Basic with the token as password
//! (so a browser can open /admin and show its own login prompt).

use base64::Engine;

/// Whether the `Authorization` header value carries the admin token.
pub fn authorised(header: Option<&str>, token: &str) -> bool {
    let Some(header) = header else { return false };
    let presented = if let Some(bearer) = header.strip_prefix("Bearer ") {
        bearer.trim().to_string()
    } else if let Some(basic) = header.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic_carry_the_token() {
        assert!(authorised(Some("Bearer s3cret"), "s3cret"));
        assert!(!authorised(Some("Bearer s3cre"), "s3cret"));
        assert!(!authorised(None, "s3cret"));
        let basic = base64::engine::general_purpose::STANDARD.encode("admin:s3cret");
        assert!(authorised(Some(&format!("Basic {basic}")), "s3cret"));
        assert!(!authorised(Some("Basic !!!"), "s3cret"));
        assert!(!authorised(Some("Token s3cret"), "s3cret"));
    }
}
