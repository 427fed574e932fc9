//! A self-hosted proof of work against scripted floods (docs/review.md), in the format of
//! ALTCHA: the collector picks a secret number `n` up to `max_number` and sends
//! `challenge = SHA-256(salt ‖ n)` with its HMAC signature; the device finds `n` by trying
//! (on average half of `max_number` hashes) and sends it back in the `Ikm-Proof` header.
//! Checking costs one hash and one HMAC; each challenge is accepted once (the store keeps
//! the used ones until they expire), so a solved challenge cannot be replayed.

use crate::codes::{hex, hmac, CodeSecret};
use base64::Engine;
use ikm_core::config::ProofOfWorkConfig;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::net::IpAddr;

/// How long a challenge may be answered: long enough for a slow phone, short enough that
/// hoarding challenges buys little.
pub const CHALLENGE_SECS: i64 = 600;

/// The request header that carries the solution.
pub const PROOF_HEADER: &str = "ikm-proof";

/// The key that signs challenges. Replicas must share it: derived from `IKM_CODE_SECRET`
/// when set, otherwise random for this process.
#[derive(Clone)]
pub struct ProofKey([u8; 32]);

impl fmt::Debug for ProofKey {
    /// Never prints the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProofKey(..)")
    }
}

/// A challenge as the device receives it (ALTCHA's field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    pub algorithm: &'static str,
    pub challenge: String,
    pub salt: String,
    pub signature: String,
    pub maxnumber: u32,
}

/// What the device sends back, base64 JSON in the `Ikm-Proof` header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Solution {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

/// A checked solution: the challenge to mark used, and until when it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solved {
    pub challenge: String,
    pub expires: i64,
}

/// Why a proof was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofError {
    Missing,
    Malformed,
    /// The signature is not ours, or the salt was changed.
    Forged,
    Expired,
    /// Issued for another unit.
    OtherUnit,
    /// The number does not give the challenge.
    Wrong,
}

impl ProofError {
    /// A sentence for the 428 reply.
    pub fn detail(self) -> &'static str {
        match self {
            ProofError::Missing => "responses without a service code need a proof of work",
            ProofError::Malformed => "the proof of work is not readable",
            ProofError::Forged => "the proof of work was not issued here",
            ProofError::Expired => "the proof of work has expired",
            ProofError::OtherUnit => "the proof of work was issued for another unit",
            ProofError::Wrong => "the proof of work is not solved",
        }
    }
}

impl ProofKey {
    /// A random key (one process; replicas need [`ProofKey::from_code_secret`]).
    pub fn random() -> ProofKey {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        ProofKey(key)
    }

    /// The key every replica with the same `IKM_CODE_SECRET` derives.
    pub fn from_code_secret(secret: &CodeSecret) -> ProofKey {
        ProofKey(secret.derive(b"ikm-proof-key/1\0"))
    }

    /// A new challenge for `unit`, answerable until `now` + [`CHALLENGE_SECS`].
    pub fn challenge(&self, unit: &str, max_number: u32, now: i64) -> Challenge {
        let random = uuid::Uuid::new_v4();
        let bytes = random.as_bytes();
        let nonce = hex(bytes.get(..12).unwrap_or_default());
        let salt = format!(
            "{nonce}?expires={}&unit={unit}",
            now.saturating_add(CHALLENGE_SECS)
        );
        // The secret number from the other random bytes, up to max_number.
        let mut tail = [0u8; 4];
        tail.copy_from_slice(bytes.get(12..16).unwrap_or(&[0; 4]));
        let number = u64::from(u32::from_be_bytes(tail) % max_number.saturating_add(1));
        let challenge = solution_hash(&salt, number);
        Challenge {
            algorithm: "SHA-256",
            signature: hex(&hmac(&self.0, challenge.as_bytes())),
            challenge,
            salt,
            maxnumber: max_number,
        }
    }

    /// Checks an `Ikm-Proof` header for `unit` at `now` (not whether it was used before:
    /// that is the store's single-use table).
    pub fn verify(&self, header: Option<&str>, unit: &str, now: i64) -> Result<Solved, ProofError> {
        let header = header.ok_or(ProofError::Missing)?;
        let json = base64::engine::general_purpose::STANDARD
            .decode(header.trim())
            .map_err(|_| ProofError::Malformed)?;
        let s: Solution = serde_json::from_slice(&json).map_err(|_| ProofError::Malformed)?;
        if s.algorithm != "SHA-256" {
            return Err(ProofError::Malformed);
        }
        if hex(&hmac(&self.0, s.challenge.as_bytes())) != s.signature {
            return Err(ProofError::Forged);
        }
        if solution_hash(&s.salt, s.number) != s.challenge {
            return Err(ProofError::Wrong);
        }
        let (_, query) = s.salt.split_once('?').ok_or(ProofError::Forged)?;
        let mut expires = None;
        let mut issued_for = None;
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("expires", v)) => expires = v.parse::<i64>().ok(),
                Some(("unit", v)) => issued_for = Some(v),
                _ => {}
            }
        }
        let expires = expires.ok_or(ProofError::Forged)?;
        if expires < now {
            return Err(ProofError::Expired);
        }
        if issued_for != Some(unit) {
            return Err(ProofError::OtherUnit);
        }
        Ok(Solved {
            challenge: s.challenge,
            expires,
        })
    }
}

/// `hex(SHA-256(salt ‖ decimal number))`, as the device computes it.
fn solution_hash(salt: &str, number: u64) -> String {
    let mut hash = Sha256::new();
    hash.update(salt.as_bytes());
    hash.update(number.to_string().as_bytes());
    hex(&hash.finalize())
}

/// The exempt networks of a unit's settings; an entry that is no CIDR or address is an error.
pub fn exempt_networks(config: &ProofOfWorkConfig) -> Result<Vec<IpNet>, String> {
    config
        .exempt_networks
        .iter()
        .map(|text| {
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("proof_of_work.exempt_networks: `{text}` is not an address or CIDR")
                })
        })
        .collect()
}

/// Who sends a response, for the proof-of-work rule.
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// The collector itself (example data): never asked.
    Trusted,
    /// A device: its address (never stored or logged) and the `Ikm-Proof` header it sent.
    Device {
        ip: Option<IpAddr>,
        proof: Option<&'a str>,
    },
}

/// Whether a response from `client` must carry a proof under `config`.
pub fn required(config: &ProofOfWorkConfig, client: Option<IpAddr>) -> bool {
    if !config.enabled {
        return false;
    }
    let exempt = exempt_networks(config).unwrap_or_default();
    !client.is_some_and(|ip| exempt.iter().any(|net| net.contains(&ip)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Solves a challenge the way a device does: tries every number up to `maxnumber`.
    fn solve(c: &Challenge) -> String {
        let number = (0..=u64::from(c.maxnumber))
            .find(|n| solution_hash(&c.salt, *n) == c.challenge)
            .unwrap();
        let json = serde_json::json!({
            "algorithm": c.algorithm, "challenge": c.challenge, "number": number,
            "salt": c.salt, "signature": c.signature,
        });
        base64::engine::general_purpose::STANDARD.encode(json.to_string())
    }

    #[test]
    fn a_solved_challenge_verifies_for_its_unit_until_it_expires() {
        let key = ProofKey::random();
        let c = key.challenge("kanim-bengkulu", 500, 1_000);
        let proof = solve(&c);
        let solved = key.verify(Some(&proof), "kanim-bengkulu", 1_000).unwrap();
        assert_eq!(solved.challenge, c.challenge);
        assert_eq!(solved.expires, 1_000 + CHALLENGE_SECS);
        assert_eq!(
            key.verify(Some(&proof), "kanim-lain", 1_000),
            Err(ProofError::OtherUnit)
        );
        assert_eq!(
            key.verify(Some(&proof), "kanim-bengkulu", 1_001 + CHALLENGE_SECS),
            Err(ProofError::Expired)
        );
        assert_eq!(
            key.verify(None, "kanim-bengkulu", 1_000),
            Err(ProofError::Missing)
        );
        assert_eq!(
            key.verify(Some("%%%"), "kanim-bengkulu", 1_000),
            Err(ProofError::Malformed)
        );
    }

    #[test]
    fn another_key_a_changed_salt_or_a_wrong_number_is_refused() {
        let key = ProofKey::random();
        let c = key.challenge("u", 500, 0);
        let proof = solve(&c);
        assert_eq!(
            ProofKey::random().verify(Some(&proof), "u", 0),
            Err(ProofError::Forged)
        );
        let decode = |p: &str| -> serde_json::Value {
            serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(p).unwrap())
                .unwrap()
        };
        let encode =
            |v: &serde_json::Value| base64::engine::general_purpose::STANDARD.encode(v.to_string());
        let mut later = decode(&proof);
        later["salt"] = serde_json::Value::String(c.salt.replace("expires=600", "expires=99999"));
        assert_eq!(
            key.verify(Some(&encode(&later)), "u", 0),
            Err(ProofError::Wrong),
            "the salt is bound by the hash"
        );
        let mut wrong = decode(&proof);
        wrong["number"] = serde_json::json!(wrong["number"].as_u64().unwrap() + 1);
        assert_eq!(
            key.verify(Some(&encode(&wrong)), "u", 0),
            Err(ProofError::Wrong)
        );
    }

    #[test]
    fn exempt_networks_never_pay_and_bad_entries_are_named() {
        let config = ProofOfWorkConfig {
            enabled: true,
            exempt_networks: vec!["10.20.0.0/16".into(), "192.0.2.7".into()],
            ..ProofOfWorkConfig::default()
        };
        assert!(!required(&config, Some("10.20.3.4".parse().unwrap())));
        assert!(!required(&config, Some("192.0.2.7".parse().unwrap())));
        assert!(required(&config, Some("198.51.100.1".parse().unwrap())));
        assert!(required(&config, None));
        assert!(
            !required(&ProofOfWorkConfig::default(), None),
            "off by default"
        );
        let bad = ProofOfWorkConfig {
            exempt_networks: vec!["kantor".into()],
            ..config
        };
        assert!(exempt_networks(&bad).unwrap_err().contains("`kantor`"));
    }
}
