//! The submission payload `ikm-response/1`: what the widget posts and the collector stores.
//!
//! The widget keeps its form state in this very type, so the payload cannot drift from the
//! form; optional fields exist so a missing answer is a validation error (422), not a parse error.

use crate::element::{Element, Lang};
use crate::json::{self, Value};
use crate::questionnaire::{Choice, Education, Gender, Module, Occupation};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The schema tag every payload carries.
pub const SCHEMA: &str = "ikm-response/1";

/// Largest accepted payload in bytes; a full response with a 1,000-character suggestion is under 5 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Longest suggestion in characters.
pub const MAX_SUGGESTION_CHARS: usize = 1000;

/// Longest free text for occupation "other".
pub const MAX_OCCUPATION_OTHER_CHARS: usize = 100;

/// Whether `id` is a UUID version 4 (RFC 4122 variant) written the one canonical way:
/// lowercase hex with hyphens. Only this spelling is accepted, so one response can never be
/// stored under two spellings of its id.
pub fn is_canonical_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// One response, exactly as sent on the wire (see `docs/payload.md`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Submission {
    /// UUID v4 made on the device; also the `Idempotency-Key` header. Deduplicates replays.
    pub id: String,
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Questionnaire id, `permenpan-14-2017`.
    pub survey: String,
    /// When the respondent pressed send, RFC 3339 UTC.
    pub submitted_at: String,
    /// Language the form was answered in.
    pub lang: Lang,
    /// Unit id of the office.
    pub unit: Option<String>,
    /// Service id (*jenis layanan*).
    pub service: Option<String>,
    /// Counter (*loket*) from the QR link, if any.
    pub counter: Option<String>,
    /// Service code from the queue ticket (`?kode=`), if any: marks the response verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub respondent: Respondent,
    /// The nine element scores, keyed by element key.
    pub answers: Answers,
    /// Free-text suggestion (*saran/masukan*).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// SPKP statement key → score, when the module is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spkp: Option<Scores>,
    /// SPAK statement key → score, when the module is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spak: Option<Scores>,
}

/// The respondent profile the standard asks for; nothing that identifies a person.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Respondent {
    pub gender: Option<Gender>,
    pub age: Option<u32>,
    pub education: Option<Education>,
    pub occupation: Option<Occupation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation_other: Option<String>,
}

impl Respondent {
    /// `{"gender": "P", "age": 34, …}` (see [`Submission::from_json`]).
    pub fn from_json(text: &str) -> Result<Respondent, json::Error> {
        Respondent::from_value(&json::parse(text)?)
    }

    fn from_value(value: &Value) -> Result<Respondent, json::Error> {
        let mut r = Respondent::default();
        json::read_object!(value, |v| {
            "gender" => r.gender = Some(Gender::from_value(v)?),
            "age" => r.age = Some(v.u32()?),
            "education" => r.education = Some(Education::from_value(v)?),
            "occupation" => r.occupation = Some(Occupation::from_value(v)?),
            "occupation_other" => r.occupation_other = Some(v.string()?),
        })?;
        Ok(r)
    }
}

/// The nine scores in form order; a JSON object keyed by element key, skipped elements absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Answers(pub [Option<u8>; 9]);

impl Answers {
    /// The score given for `element`.
    pub fn get(&self, element: Element) -> Option<u8> {
        *element.of(&self.0)
    }

    /// Records (or clears) the score for `element`.
    pub fn set(&mut self, element: Element, score: Option<u8>) {
        *element.of_mut(&mut self.0) = score;
    }

    /// How many elements have an answer, for the progress indicator.
    pub fn answered(&self) -> usize {
        self.0.iter().filter(|s| s.is_some()).count()
    }

    /// `{"waktu": 3, …}`: element keys only; `null` is a skipped element.
    fn from_value(value: &Value) -> Result<Answers, json::Error> {
        let mut answers = Answers::default();
        for (key, v) in value.entries()? {
            let element = Element::from_key(key).ok_or_else(|| {
                json::Error::new(json::ErrorKind::UnknownField(key.clone())).within(key)
            })?;
            if !matches!(v, Value::Null) {
                answers.set(element, Some(v.u8().map_err(|e| e.within(key))?));
            }
        }
        Ok(answers)
    }
}

impl Serialize for Answers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.answered()))?;
        for e in Element::ALL {
            if let Some(score) = self.get(e) {
                map.serialize_entry(e.key(), &score)?;
            }
        }
        map.end()
    }
}

/// Module statement key → score, sorted by key: a JSON object on the wire. A sorted list
/// rather than a `BTreeMap`, whose node code costs the widget kilobytes for a handful of keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scores(Vec<(String, u8)>);

impl Scores {
    /// The score given for statement `key`.
    pub fn get(&self, key: &str) -> Option<u8> {
        self.find(key)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, s)| *s)
    }

    /// Records the score for `key`, replacing an earlier one.
    pub fn insert(&mut self, key: &str, score: u8) {
        match self.find(key) {
            Ok(i) => {
                if let Some(entry) = self.0.get_mut(i) {
                    entry.1 = score;
                }
            }
            Err(i) => self.0.insert(i, (key.to_string(), score)),
        }
    }

    /// How many statements have a score.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The statement keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// `{"pungli": 4, …}`: any statement key (validation checks them), each a whole number.
    fn from_value(value: &Value) -> Result<Scores, json::Error> {
        let mut scores = Scores::default();
        for (key, v) in value.entries()? {
            scores.insert(key, v.u8().map_err(|e| e.within(key))?);
        }
        Ok(scores)
    }
}

impl<K: AsRef<str>> FromIterator<(K, u8)> for Scores {
    fn from_iter<I: IntoIterator<Item = (K, u8)>>(iter: I) -> Scores {
        let mut scores = Scores::default();
        for (key, score) in iter {
            scores.insert(key.as_ref(), score);
        }
        scores
    }
}

impl Serialize for Scores {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::serialize_pairs(self.0.iter().map(|(key, score)| (key, score)), serializer)
    }
}

impl Submission {
    /// Reads a payload as the collector receives it. Any field this schema does not have,
    /// any element key that is not one of the nine, and any key given twice (anywhere) is an
    /// error naming its path; values of the wrong type too. Unknown choice codes are kept as
    /// invalid choices, so that they are a validation error (422), not a malformed body.
    pub fn from_json(text: &str) -> Result<Submission, json::Error> {
        Submission::from_value(&json::parse(text)?)
    }

    /// Reads a parsed payload (see [`Submission::from_json`]).
    pub fn from_value(value: &Value) -> Result<Submission, json::Error> {
        let mut s = Submission::default();
        json::read_object!(value, |v| {
            "id" (required) => s.id = v.string()?,
            "schema" (required) => s.schema = v.string()?,
            "survey" (required) => s.survey = v.string()?,
            "submitted_at" (required) => s.submitted_at = v.string()?,
            "lang" (required) => s.lang = Lang::from_value(v)?,
            "unit" => s.unit = Some(v.string()?),
            "service" => s.service = Some(v.string()?),
            "counter" => s.counter = Some(v.string()?),
            "code" => s.code = Some(v.string()?),
            "respondent" (required) => s.respondent = Respondent::from_value(v)?,
            "answers" (required) => s.answers = Answers::from_value(v)?,
            "suggestion" => s.suggestion = Some(v.string()?),
            "spkp" => s.spkp = Some(Scores::from_value(v)?),
            "spak" => s.spak = Some(Scores::from_value(v)?),
        })?;
        Ok(s)
    }

    /// A blank response for this survey, ready for the form to fill in.
    pub fn blank(lang: Lang) -> Submission {
        Submission {
            schema: SCHEMA.into(),
            survey: crate::questionnaire::STANDARD_ID.into(),
            lang,
            ..Submission::default()
        }
    }

    /// A response id (UUID v4) from 16 random bytes supplied by the platform's generator.
    pub fn id_from_random_bytes(bytes: [u8; 16]) -> String {
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// The answers to perception module `module`, if any were given.
    pub fn module(&self, module: Module) -> Option<&Scores> {
        match module {
            Module::Spkp => self.spkp.as_ref(),
            Module::Spak => self.spak.as_ref(),
        }
    }

    /// The answers to `module`, to fill in.
    pub fn module_mut(&mut self, module: Module) -> &mut Option<Scores> {
        match module {
            Module::Spkp => &mut self.spkp,
            Module::Spak => &mut self.spak,
        }
    }

    /// The nine scores, for scoring.
    pub fn scores(&self) -> [Option<u8>; 9] {
        self.answers.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_scores_are_a_sorted_object_without_duplicate_keys() {
        let scores: Scores = [("suap", 2), ("calo", 5), ("suap", 3)]
            .into_iter()
            .collect();
        assert_eq!(scores.keys().collect::<Vec<_>>(), ["calo", "suap"]);
        assert_eq!(scores.get("suap"), Some(3));
        assert_eq!(
            serde_json::to_string(&scores).unwrap(),
            r#"{"calo":5,"suap":3}"#
        );
        let read = |text: &str| json::parse(text).and_then(|v| Scores::from_value(&v));
        assert_eq!(read(r#"{"suap":3,"calo":5}"#).unwrap(), scores);
        assert!(read(r#"{"suap":3,"suap":4}"#).is_err());
        assert!(
            read(r#"{"suap":null}"#).is_err(),
            "a statement score is a number"
        );
    }

    pub(crate) const EXAMPLE: &str = include_str!("../../../docs/example-submission.json");

    #[test]
    fn documented_example_round_trips_exactly() {
        let s = Submission::from_json(EXAMPLE).unwrap();
        assert_eq!(s.schema, SCHEMA);
        assert_eq!(s.answers.get(Element::Sarana), Some(3));
        assert_eq!(s.answers.get(Element::Pengaduan), Some(4));
        assert_eq!(s.respondent.education, Some(Education::D4S1));
        let back: serde_json::Value = serde_json::to_value(&s).unwrap();
        let original: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn unknown_fields_and_element_keys_are_rejected() {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        v["answers"]["kecepatan"] = 3.into();
        let e = Submission::from_json(&v.to_string()).unwrap_err();
        assert_eq!(
            (e.to_string(), e.path.as_str()),
            ("unknown field `kecepatan`".into(), "answers.kecepatan")
        );

        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        v["ip"] = "10.0.0.1".into();
        let e = Submission::from_json(&v.to_string()).unwrap_err();
        assert_eq!(e.to_string(), "unknown field `ip`");
    }

    #[test]
    fn ids_from_random_bytes_are_valid_v4() {
        let id = Submission::id_from_random_bytes([0xab; 16]);
        let parsed = uuid::Uuid::try_parse(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_ne!(id, Submission::id_from_random_bytes([0x01; 16]));
    }

    #[test]
    fn skipped_elements_are_absent_not_null() {
        let mut s = Submission::blank(Lang::En);
        s.answers.set(Element::Waktu, Some(2));
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["answers"], serde_json::json!({"waktu": 2}));
        assert_eq!(v["lang"], "en");
        assert!(v.get("suggestion").is_none());
    }
}
