//! The IKM survey of PermenPAN-RB 14/2017 as plain data and functions, shared by widget and server.
//!
//! Nothing here touches a browser, a database or a clock: every rule about the survey
//! (questions, validation, payload, scoring, sample size, delivery) lives here once.

/// The JSON codec the survey's types read and write with (the `ikm-json` crate).
pub use ikm_json as json;

pub mod codes;
pub mod config;
pub mod delivery;
pub mod deployment;
pub mod element;
pub mod followup;
pub mod form;
pub mod i18n;
pub mod ipk;
#[cfg(not(target_arch = "wasm32"))]
pub mod lexicon;
pub mod outbox;
pub mod period;
pub mod profile;
pub mod questionnaire;
pub mod sample;
pub mod score;
pub mod submission;
pub mod time;
pub mod validate;

pub use config::{ConfigError, OfficeConfig};
pub use deployment::{Deployment, Region};
pub use element::{Element, Lang, Text};
pub use questionnaire::{Questionnaire, STANDARD};
pub use score::{Grade, Recap, ScoreTally, Weights};
pub use submission::Submission;
pub use validate::{ErrorCode, FieldError};

/// Pairs in their own order written as one object: the form every keyed table in a payload or
/// report takes (a map type would lose the order the questionnaire or configuration gives).
pub fn serialize_pairs<S, K, V>(
    pairs: impl ExactSizeIterator<Item = (K, V)>,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    K: serde::Serialize,
    V: serde::Serialize,
{
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (key, value) in pairs {
        map.serialize_entry(&key, &value)?;
    }
    map.end()
}
