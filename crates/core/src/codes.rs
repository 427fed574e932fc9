//! Service codes (*kode layanan*): the single-use code on a queue ticket that ties a response to
//! a real service transaction, laid out so any device can mint one offline (`docs/codes.md`).
//!
//! A code is 75 bits written as 15 Crockford base32 characters plus one Luhn mod 32 check
//! character: version (3 bits) | day issued (14) | service number (6) | serial (17) | MAC (35).
//! The MAC (HMAC-SHA256 under the unit's key, truncated) is the collector's job; this module
//! holds the layout, the message the MAC covers and the check character, so the widget can
//! tell a mistyped code at once and read which service it was issued for.

use crate::time::Date;

/// Crockford's base32 alphabet: no I, L, O or U.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The layout this module reads and writes.
pub const VERSION: u8 = 1;

/// Characters in a code, the check character included (written in groups of four).
pub const LEN: usize = 16;

/// Highest serial per unit, service and day.
pub const MAX_SERIAL: u32 = (1 << 17) - 1;

/// Highest service number (a service's position in the unit's `services`, from 0).
pub const MAX_SERVICE: usize = (1 << 6) - 1;

/// Bits of the HMAC a code keeps.
pub const MAC_BITS: u32 = 35;

/// Day 0 of the issue-day field: 2024-01-01 (then 16,383 days, until 2068).
const DAY_ZERO: i64 = 19_723;
const MAX_DAY: i64 = (1 << 14) - 1;

/// What a code says before its MAC: when and for which service it was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeFields {
    /// The office-local day the code was issued.
    pub day: Date,
    /// The service's position in the unit's configured `services`, from 0.
    pub service: usize,
    /// Unique per unit, service and day.
    pub serial: u32,
}

/// A code read from text: its fields and the MAC it carries (not yet checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub fields: CodeFields,
    pub mac: u64,
}

/// Why a text is not a service code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Wrong length or a character outside the alphabet.
    Malformed,
    /// The check character does not match: a character was mistyped.
    Check,
    /// A layout this version does not know.
    Version,
    /// A field outside its range (a day before 2024 or after 2068, a service past 63).
    OutOfRange,
}

impl CodeFields {
    /// The 40 bits before the MAC, as 5 bytes: version, day, service, serial.
    pub fn header(&self) -> Result<[u8; 5], CodeError> {
        let day = self.day.days_since_epoch() - DAY_ZERO;
        if !(0..=MAX_DAY).contains(&day) || self.service > MAX_SERVICE || self.serial > MAX_SERIAL {
            return Err(CodeError::OutOfRange);
        }
        let bits = (u64::from(VERSION) << 37)
            | ((day as u64) << 23)
            | ((self.service as u64) << 17)
            | u64::from(self.serial);
        let b = bits.to_be_bytes();
        Ok([b[3], b[4], b[5], b[6], b[7]])
    }

    /// The bytes the MAC covers: `ikm-code/1`, the unit id and the service id, each ended by a
    /// zero byte, then the header. Binding the ids means a code is worth nothing at another
    /// unit or for another service, even if the numbers match.
    pub fn mac_message(&self, unit: &str, service: &str) -> Result<Vec<u8>, CodeError> {
        let mut message = Vec::with_capacity(16 + unit.len() + service.len());
        for part in ["ikm-code/1", unit, service] {
            message.extend_from_slice(part.as_bytes());
            message.push(0);
        }
        message.extend_from_slice(&self.header()?);
        Ok(message)
    }

    /// The code's text (16 characters, no separators) with `tag`, the full HMAC output.
    pub fn encode(&self, tag: &[u8]) -> Result<String, CodeError> {
        let header = self.header()?;
        let mut bits: u128 = 0;
        for b in header {
            bits = (bits << 8) | u128::from(b);
        }
        bits = (bits << MAC_BITS) | u128::from(truncate_mac(tag));
        let mut digits = [0u8; LEN - 1];
        for (i, d) in digits.iter_mut().enumerate() {
            let shift = 5 * (LEN - 2 - i);
            *d = ((bits >> shift) & 31) as u8;
        }
        let check = check_digit(&digits);
        let mut text = String::with_capacity(LEN);
        for d in digits.iter().chain(std::iter::once(&check)) {
            text.push(char::from(*ALPHABET.get(usize::from(*d)).unwrap_or(&b'0')));
        }
        Ok(text)
    }
}

/// The first [`MAC_BITS`] bits of an HMAC output, as a number.
pub fn truncate_mac(tag: &[u8]) -> u64 {
    let mut first = [0u8; 8];
    for (slot, b) in first.iter_mut().zip(tag) {
        *slot = *b;
    }
    u64::from_be_bytes(first) >> (64 - MAC_BITS)
}

impl Code {
    /// Reads a code as printed or typed: case, spaces and hyphens do not matter, and the
    /// look-alikes Crockford allows are read as he says (I and L as 1, O as 0).
    pub fn parse(text: &str) -> Result<Code, CodeError> {
        let digits = normalized_digits(text)?;
        if digits.len() != LEN {
            return Err(CodeError::Malformed);
        }
        if !check_ok(&digits) {
            return Err(CodeError::Check);
        }
        let mut bits: u128 = 0;
        for d in digits.iter().take(LEN - 1) {
            bits = (bits << 5) | u128::from(*d);
        }
        let mac = (bits & ((1 << MAC_BITS) - 1)) as u64;
        let header = (bits >> MAC_BITS) as u64;
        if (header >> 37) as u8 != VERSION {
            return Err(CodeError::Version);
        }
        let day = ((header >> 23) & MAX_DAY as u64) as i64;
        Ok(Code {
            fields: CodeFields {
                day: Date::from_days_since_epoch(DAY_ZERO + day),
                service: ((header >> 17) & MAX_SERVICE as u64) as usize,
                serial: (header & u64::from(MAX_SERIAL)) as u32,
            },
            mac,
        })
    }

    /// Whether `tag` (the HMAC over [`CodeFields::mac_message`]) is the one this code carries.
    /// One integer comparison: timing tells nothing about the right MAC.
    pub fn mac_matches(&self, tag: &[u8]) -> bool {
        truncate_mac(tag) ^ self.mac == 0
    }

    /// The canonical text: 16 characters, upper case, no separators (what is hashed and stored).
    pub fn canonical(text: &str) -> Result<String, CodeError> {
        let digits = normalized_digits(text)?;
        Ok(digits
            .iter()
            .filter_map(|d| ALPHABET.get(usize::from(*d)))
            .map(|b| char::from(*b))
            .collect())
    }
}

/// `ABCD-EFGH-JKMN-PQRS`: the code in groups of four, for printing and reading aloud.
pub fn grouped(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 4);
    for (i, c) in code.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

fn normalized_digits(text: &str) -> Result<Vec<u8>, CodeError> {
    let mut digits = Vec::with_capacity(LEN);
    for c in text.trim().chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let d = ALPHABET
            .iter()
            .position(|a| char::from(*a) == c)
            .ok_or(CodeError::Malformed)?;
        digits.push(d as u8);
        if digits.len() > LEN {
            return Err(CodeError::Malformed);
        }
    }
    Ok(digits)
}

/// Luhn mod 32 over `digits`, right to left: catches every single mistyped character and
/// most swaps of two neighbours.
fn luhn_sum(digits: &[u8], double_first: bool) -> u32 {
    let mut double = double_first;
    let mut sum = 0;
    for d in digits.iter().rev() {
        let mut addend = u32::from(*d) * if double { 2 } else { 1 };
        addend = addend / 32 + addend % 32;
        sum += addend;
        double = !double;
    }
    sum
}

fn check_digit(digits: &[u8]) -> u8 {
    ((32 - luhn_sum(digits, true) % 32) % 32) as u8
}

fn check_ok(digits: &[u8]) -> bool {
    luhn_sum(digits, false) % 32 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> CodeFields {
        CodeFields {
            day: Date::parse("2026-12-05").unwrap(),
            service: 2,
            serial: 1234,
        }
    }

    #[test]
    fn a_code_reads_back_its_fields_and_mac() {
        let tag = [0xde, 0xad, 0xbe, 0xef, 0x42, 0, 0, 0];
        let text = fields().encode(&tag).unwrap();
        assert_eq!(text.len(), LEN);
        let code = Code::parse(&text).unwrap();
        assert_eq!(code.fields, fields());
        assert!(code.mac_matches(&tag));
        assert!(!code.mac_matches(&[0xde, 0xad, 0xbe, 0xef, 0x02]));
        assert_eq!(
            Code::parse(&grouped(&text).to_lowercase()).unwrap(),
            code,
            "case and hyphens do not matter"
        );
    }

    #[test]
    fn every_single_mistyped_character_is_caught() {
        let text = fields().encode(&[7; 32]).unwrap();
        let chars: Vec<char> = text.chars().collect();
        for i in 0..LEN {
            for a in ALPHABET.iter().map(|b| char::from(*b)) {
                if a == chars[i] {
                    continue;
                }
                let mut typo = chars.clone();
                typo[i] = a;
                let typo: String = typo.into_iter().collect();
                assert!(
                    matches!(Code::parse(&typo), Err(CodeError::Check)),
                    "{typo} passed"
                );
            }
        }
    }

    #[test]
    fn look_alikes_read_as_crockford_says_and_junk_is_malformed() {
        let text = fields().encode(&[1; 32]).unwrap();
        let spoken = text.replace('1', "l").replace('0', "o");
        assert_eq!(Code::parse(&spoken), Code::parse(&text));
        assert_eq!(Code::canonical(&spoken).unwrap(), text);
        assert_eq!(Code::parse("ABC"), Err(CodeError::Malformed));
        assert_eq!(Code::parse(&format!("{text}0")), Err(CodeError::Malformed));
        assert_eq!(
            Code::parse("ABCD-EFGH-JKMN-PQR!"),
            Err(CodeError::Malformed)
        );
        assert_eq!(
            Code::parse("UUUU-UUUU-UUUU-UUUU"),
            Err(CodeError::Malformed)
        );
    }

    #[test]
    fn fields_out_of_range_cannot_be_encoded() {
        let mut f = fields();
        f.serial = MAX_SERIAL + 1;
        assert_eq!(f.encode(&[0; 32]), Err(CodeError::OutOfRange));
        let mut f = fields();
        f.service = MAX_SERVICE + 1;
        assert_eq!(f.encode(&[0; 32]), Err(CodeError::OutOfRange));
        let mut f = fields();
        f.day = Date::parse("2023-12-31").unwrap();
        assert_eq!(f.encode(&[0; 32]), Err(CodeError::OutOfRange));
    }

    #[test]
    fn the_mac_message_binds_unit_and_service() {
        let m = fields()
            .mac_message("kanim-bengkulu", "paspor-baru")
            .unwrap();
        assert!(m.starts_with(b"ikm-code/1\0kanim-bengkulu\0paspor-baru\0"));
        assert_eq!(m.len(), 11 + 15 + 12 + 5);
        assert_ne!(
            m,
            fields()
                .mac_message("kanim-bengkulu", "izin-tinggal")
                .unwrap()
        );
    }
}
