//! Service codes, the collector's half: per-unit keys from the deployment's secret, minting,
//! and the check of a code a response carries (MAC, service, age). The layout is the core's
//! (`ikm_core::codes`); the scheme and its test vectors are in `docs/codes.md`.

use hmac::{Hmac, Mac};
use ikm_core::codes::{grouped, Code, CodeFields};
use ikm_core::time::Date;
use ikm_core::{ErrorCode, OfficeConfig};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Shortest accepted `IKM_CODE_SECRET`, in characters.
pub const MIN_SECRET_CHARS: usize = 32;

/// The deployment's code secret (`IKM_CODE_SECRET`): every unit's key is derived from it, so
/// one secret serves every replica, and a unit's queue machine holds only its own key.
#[derive(Clone)]
pub struct CodeSecret(Vec<u8>);

impl fmt::Debug for CodeSecret {
    /// Never prints the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeSecret(..)")
    }
}

impl CodeSecret {
    /// Reads `IKM_CODE_SECRET`'s value: unset or blank means codes are off.
    pub fn from_env(value: Option<String>) -> Result<Option<CodeSecret>, String> {
        let Some(secret) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        if secret.chars().count() < MIN_SECRET_CHARS {
            return Err(format!(
                "IKM_CODE_SECRET is {} characters long; use at least {MIN_SECRET_CHARS} \
                 (for example the output of `openssl rand -hex 32`)",
                secret.chars().count()
            ));
        }
        Ok(Some(CodeSecret(secret.into_bytes())))
    }

    /// A key for another purpose (`label`), derived so it reveals nothing of the unit keys.
    pub fn derive(&self, label: &[u8]) -> [u8; 32] {
        hmac(&self.0, label)
    }

    /// The key of `unit` (its id; empty for a configuration without one):
    /// HMAC-SHA256(secret, `ikm-unit-key/1` 0x00 unit).
    pub fn unit_key(&self, unit: &str) -> UnitKey {
        let mut message = b"ikm-unit-key/1\0".to_vec();
        message.extend_from_slice(unit.as_bytes());
        UnitKey(hmac(&self.0, &message))
    }
}

/// One unit's code key: what its queue machine needs to mint codes offline.
#[derive(Clone, PartialEq, Eq)]
pub struct UnitKey([u8; 32]);

impl fmt::Debug for UnitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnitKey(..)")
    }
}

impl UnitKey {
    /// The key as 64 lowercase hex digits, for the queue machine's settings.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A key given as 64 hex digits.
    pub fn from_hex(text: &str) -> Option<UnitKey> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, slot) in key.iter_mut().enumerate() {
            *slot = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(UnitKey(key))
    }

    /// The code for `fields` at `unit`, for the service with id `service`.
    pub fn mint(&self, unit: &str, service: &str, fields: CodeFields) -> Result<String, String> {
        let message = fields.mac_message(unit, service).map_err(|e| {
            format!("cannot make a code for these fields ({e:?}): serial at most 131071, a day from 2024 to 2068, at most 64 services")
        })?;
        fields
            .encode(&hmac(&self.0, &message))
            .map_err(|e| format!("{e:?}"))
    }

    /// What the collector stores for a used code: HMAC-SHA256(key, `ikm-code-used/1` 0x00
    /// code) in hex. Keyed, so the table cannot be turned back into codes without the key.
    pub fn used_digest(&self, canonical: &str) -> String {
        let mut message = b"ikm-code-used/1\0".to_vec();
        message.extend_from_slice(canonical.as_bytes());
        hex(&hmac(&self.0, &message))
    }
}

/// A code that passed every check: what storing it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCode {
    /// The keyed digest that makes the code single-use (see [`UnitKey::used_digest`]).
    pub digest: String,
}

/// Checks the code a response carries at `unit` under `config`: the check character, the MAC
/// under the unit's key, the service it was issued for, and its age on `today` (the unit's
/// local day). A code from more than a day in the future is forged or from a wrong clock.
pub fn check_code(
    key: &UnitKey,
    unit: &str,
    config: &OfficeConfig,
    text: &str,
    service: &str,
    today: Date,
) -> Result<CheckedCode, ErrorCode> {
    let code = Code::parse(text).map_err(|_| ErrorCode::InvalidCode)?;
    let issued_for = config
        .services
        .get(code.fields.service)
        .ok_or(ErrorCode::InvalidCode)?;
    if issued_for.id != service {
        return Err(ErrorCode::InvalidCode);
    }
    let message = code
        .fields
        .mac_message(unit, service)
        .map_err(|_| ErrorCode::InvalidCode)?;
    if !code.mac_matches(&hmac(&key.0, &message)) {
        return Err(ErrorCode::InvalidCode);
    }
    let age = today.days_since_epoch() - code.fields.day.days_since_epoch();
    if age < -1 {
        return Err(ErrorCode::InvalidCode);
    }
    if age > i64::from(config.codes.expiry_days) {
        return Err(ErrorCode::CodeExpired);
    }
    let canonical = Code::canonical(text).map_err(|_| ErrorCode::InvalidCode)?;
    Ok(CheckedCode {
        digest: key.used_digest(&canonical),
    })
}

/// One minted code with its survey link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MintedCode {
    /// `ABCD-EFGH-JKMN-PQRS`, as printed.
    pub code: String,
    pub serial: u32,
    /// The unit's survey address with `?kode=`.
    pub url: String,
}

/// Which codes to mint: `count` of `service` issued on `day`, serials from `first`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub service: String,
    pub day: Date,
    pub first: u32,
    pub count: u32,
}

/// Mints `batch` at `unit`, each with its link to `survey_url`.
pub fn mint_batch(
    key: &UnitKey,
    unit: &str,
    config: &OfficeConfig,
    batch: &Batch,
    survey_url: &str,
) -> Result<Vec<MintedCode>, String> {
    let Batch {
        service,
        day,
        first,
        count,
    } = batch;
    let (day, first, count) = (*day, *first, *count);
    let position = config
        .services
        .iter()
        .position(|s| &s.id == service)
        .ok_or_else(|| format!("`{service}` is not one of the unit's services"))?;
    (first..first.saturating_add(count))
        .map(|serial| {
            let code = key.mint(
                unit,
                service,
                CodeFields {
                    day,
                    service: position,
                    serial,
                },
            )?;
            let sep = if survey_url.contains('?') { '&' } else { '?' };
            Ok(MintedCode {
                url: format!("{survey_url}{sep}kode={code}"),
                code: grouped(&code),
                serial,
            })
        })
        .collect()
}

pub(crate) fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> CodeSecret {
        CodeSecret::from_env(Some("test-secret-for-service-codes-0123456789".into()))
            .unwrap()
            .unwrap()
    }

    fn config() -> OfficeConfig {
        OfficeConfig::default()
    }

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn a_minted_code_checks_and_another_units_key_refuses_it() {
        let key = secret().unit_key("kanim-bengkulu");
        let service = &config().services[1].id;
        let batch = mint_batch(
            &key,
            "kanim-bengkulu",
            &config(),
            &Batch {
                service: service.clone(),
                day: day("2026-12-01"),
                first: 7,
                count: 3,
            },
            "https://survei.example.go.id",
        )
        .unwrap();
        assert_eq!(batch.len(), 3);
        assert_eq!(batch[0].serial, 7);
        assert!(batch[0]
            .url
            .ends_with(&format!("?kode={}", batch[0].code.replace('-', ""))));
        let ok = check_code(
            &key,
            "kanim-bengkulu",
            &config(),
            &batch[0].code,
            service,
            day("2026-12-05"),
        )
        .unwrap();
        assert_ne!(ok.digest, batch[0].code);
        let other = secret().unit_key("kanim-medan");
        assert_eq!(
            check_code(
                &other,
                "kanim-medan",
                &config(),
                &batch[0].code,
                service,
                day("2026-12-05")
            ),
            Err(ErrorCode::InvalidCode)
        );
        assert_eq!(
            check_code(
                &key,
                "kanim-bengkulu",
                &config(),
                &batch[0].code,
                &config().services[0].id,
                day("2026-12-05")
            ),
            Err(ErrorCode::InvalidCode),
            "issued for another service"
        );
    }

    #[test]
    fn codes_expire_and_future_codes_are_refused() {
        let key = secret().unit_key("");
        let service = &config().services[0].id;
        let batch = Batch {
            service: service.clone(),
            day: day("2026-12-01"),
            first: 0,
            count: 1,
        };
        let code = &mint_batch(&key, "", &config(), &batch, "http://x/").unwrap()[0].code;
        let on = |d: &str| check_code(&key, "", &config(), code, service, day(d)).map(|_| ());
        assert_eq!(on("2026-12-15"), Ok(()), "14 days after is the last day");
        assert_eq!(on("2026-12-16"), Err(ErrorCode::CodeExpired));
        assert_eq!(on("2026-11-30"), Ok(()), "a clock a day behind");
        assert_eq!(on("2026-11-29"), Err(ErrorCode::InvalidCode));
    }

    /// The rows of docs/codes.md's test vectors, as this implementation computes them.
    fn vector_rows() -> Vec<String> {
        let secret = CodeSecret::from_env(Some("ikm-test-vector-secret-0123456789abcdef".into()))
            .unwrap()
            .unwrap();
        let services = config().services;
        [
            ("kanim-bengkulu", 0, "2026-12-05", 0),
            ("kanim-bengkulu", 0, "2026-12-05", 1),
            ("kanim-bengkulu", 3, "2026-12-05", 65536),
            ("kanim-denpasar", 0, "2026-12-05", 0),
            ("", 1, "2024-01-01", 131_071),
        ]
        .into_iter()
        .map(|(unit, position, d, serial)| {
            let key = secret.unit_key(unit);
            let service = &services[position].id;
            let fields = CodeFields {
                day: day(d),
                service: position,
                serial,
            };
            let code = key.mint(unit, service, fields).unwrap();
            let shown = if unit.is_empty() {
                "(none)".to_string()
            } else {
                format!("`{unit}`")
            };
            format!(
                "| {shown} | `{service}` | {position} | {d} | {serial} | `{}` | `{}` |",
                key.to_hex(),
                grouped(&code)
            )
        })
        .collect()
    }

    #[test]
    fn the_documented_test_vectors_are_what_this_code_computes() {
        let doc = include_str!("../../../docs/codes.md");
        let table = doc
            .split("<!-- vectors -->")
            .nth(1)
            .and_then(|rest| rest.split("<!-- /vectors -->").next())
            .unwrap();
        let documented: Vec<&str> = table
            .lines()
            .filter(|l| l.starts_with("| `") || l.starts_with("| (none)"))
            .collect();
        let computed = vector_rows();
        assert_eq!(
            documented,
            computed,
            "docs/codes.md should list:\n{}",
            computed.join("\n")
        );
        for row in &computed {
            let code = row.rsplit('`').nth(1).unwrap();
            assert!(Code::parse(code).is_ok());
        }
    }

    #[test]
    fn secrets_are_long_enough_and_never_printed() {
        assert!(CodeSecret::from_env(Some("short".into())).is_err());
        assert!(CodeSecret::from_env(Some("  ".into())).unwrap().is_none());
        assert_eq!(format!("{:?}", secret()), "CodeSecret(..)");
        let key = secret().unit_key("a");
        assert_eq!(UnitKey::from_hex(&key.to_hex()), Some(key.clone()));
        assert_eq!(UnitKey::from_hex("zz"), None);
        assert_eq!(format!("{key:?}"), "UnitKey(..)");
    }
}
