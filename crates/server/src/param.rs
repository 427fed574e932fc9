//! A query parameter read once, where it comes in: absent, a value of its type, or the text
//! that is not one. The staff's pages and the API turn the last into a 400 that names the
//! parameter and quotes the text; the public pages, lenient with printed links, fall back to
//! the default or answer 404, without parsing anything a second time.

use ikm_core::config::Slug;
use ikm_core::period::Period;
use ikm_core::time::Date;
use ikm_core::{Lang, Weights};
use serde::{Deserialize, Deserializer};

/// A type a query parameter can hold, and the form its text must take.
pub trait ParamValue: Sized {
    /// What the text must be, as the 400 says after "`name` must be".
    const EXPECTED: &'static str;
    /// The value the trimmed, non-empty `text` stands for, if it is one.
    fn from_text(text: &str) -> Option<Self>;
}

/// One query parameter as read. Blank is absent, as a form's empty field is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Param<T> {
    #[default]
    Absent,
    Given(T),
    /// The trimmed text, which is not a `T`.
    Malformed(String),
}

impl<T: ParamValue> Param<T> {
    /// Reads a parameter's text.
    pub fn read(text: Option<&str>) -> Param<T> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Param::Absent,
            Some(t) => {
                T::from_text(t).map_or_else(|| Param::Malformed(t.to_string()), Param::Given)
            }
        }
    }

    /// The value, which a form must carry, or the 400's message naming the field `name`.
    pub fn required(&self, name: &str) -> Result<&T, String> {
        self.checked(name)?
            .ok_or_else(|| format!("`{name}` is missing: it must be {}", T::EXPECTED))
    }

    /// The value or none, or the 400's message naming the parameter `name`.
    pub fn checked(&self, name: &str) -> Result<Option<&T>, String> {
        match self {
            Param::Absent => Ok(None),
            Param::Given(value) => Ok(Some(value)),
            Param::Malformed(text) => {
                Err(format!("`{name}` must be {}, got `{text}`", T::EXPECTED))
            }
        }
    }
}

impl<T> Param<T> {
    /// The value, if one was given and it is good: what a lenient page goes by.
    pub fn given(&self) -> Option<&T> {
        match self {
            Param::Given(value) => Some(value),
            _ => None,
        }
    }

    /// Whether the query named this parameter at all (well-formed or not).
    pub fn is_named(&self) -> bool {
        !matches!(self, Param::Absent)
    }
}

impl Param<Slug> {
    /// The id as sent, well-formed or not: a lookup among the configured units or regions
    /// is its check, and one that is not there is a 404 either way.
    pub fn as_sent(&self) -> Option<&str> {
        match self {
            Param::Absent => None,
            Param::Given(id) => Some(id.as_str()),
            Param::Malformed(text) => Some(text),
        }
    }
}

impl<'de, T: ParamValue> Deserialize<'de> for Param<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Param::read(Some(&text)))
    }
}

impl ParamValue for Period {
    const EXPECTED: &'static str = "YYYY-MM, YYYY-Qn (triwulan), YYYY-Sn (semester) or YYYY";
    fn from_text(text: &str) -> Option<Period> {
        Period::parse(text)
    }
}

/// `month=YYYY-MM`: the older spelling of a month's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub Period);

impl ParamValue for Month {
    const EXPECTED: &'static str = "YYYY-MM";
    fn from_text(text: &str) -> Option<Month> {
        match Period::parse(text)? {
            month @ Period::Month { .. } => Some(Month(month)),
            _ => None,
        }
    }
}

impl ParamValue for Date {
    const EXPECTED: &'static str = "a date YYYY-MM-DD";
    fn from_text(text: &str) -> Option<Date> {
        Date::parse(text)
    }
}

impl ParamValue for Lang {
    const EXPECTED: &'static str = "`id` or `en`";
    fn from_text(text: &str) -> Option<Lang> {
        Lang::from_code(text)
    }
}

impl ParamValue for Weights {
    const EXPECTED: &'static str = Weights::EXPECTED;
    fn from_text(text: &str) -> Option<Weights> {
        text.parse().ok()
    }
}

impl ParamValue for u64 {
    const EXPECTED: &'static str = "a whole number";
    fn from_text(text: &str) -> Option<u64> {
        text.parse().ok()
    }
}

/// A form's mark: `1` sets it, `0` clears it.
impl ParamValue for bool {
    const EXPECTED: &'static str = "`1` or `0`";
    fn from_text(text: &str) -> Option<bool> {
        match text {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }
    }
}

impl ParamValue for Slug {
    const EXPECTED: &'static str = "an id of lowercase letters, digits and hyphens";
    fn from_text(text: &str) -> Option<Slug> {
        Slug::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_absent_good_text_is_a_value_and_bad_text_is_kept_for_the_message() {
        assert_eq!(Param::<Period>::read(None), Param::Absent);
        assert_eq!(Param::<Period>::read(Some("  ")), Param::Absent);
        let quarter = Param::<Period>::read(Some(" 2026-Q4 "));
        assert_eq!(
            quarter.given().map(|p| p.key()),
            Some("2026-Q4".to_string())
        );
        let bad = Param::<Period>::read(Some("2026-Q5"));
        assert_eq!(bad, Param::Malformed("2026-Q5".into()));
        assert_eq!(bad.given(), None);
        assert!(bad.is_named());
        let message = bad.checked("period").unwrap_err();
        assert!(message.starts_with("`period` must be YYYY-MM"), "{message}");
        assert!(message.ends_with("got `2026-Q5`"), "{message}");
    }

    #[test]
    fn each_type_reads_its_own_form() {
        assert_eq!(Param::<Lang>::read(Some("en-US")).given(), Some(&Lang::En));
        assert!(Param::<Lang>::read(Some("fr")).given().is_none());
        assert_eq!(Param::<u64>::read(Some("1000")).given(), Some(&1000));
        assert!(Param::<u64>::read(Some("-3")).given().is_none());
        assert_eq!(
            Param::<Weights>::read(Some("0.111")).given(),
            Some(&Weights::Legacy0111)
        );
        let feb = Param::<Month>::read(Some("2026-02"));
        assert_eq!(feb.given().map(|m| m.0.key()), Some("2026-02".to_string()));
        assert!(Param::<Month>::read(Some("2026-13")).given().is_none());
        assert!(Param::<Date>::read(Some("2026-11-31")).given().is_none());
        assert!(Param::<Slug>::read(Some("Kanim Bengkulu"))
            .given()
            .is_none());
    }
}
