//! How the collector sums up the free-text suggestions (`docs/suggestions.md`): the themes a
//! lexicon recognises, each tied to the element it concerns where it can tell, and the words
//! left out of the recurring-word list. Parsed and checked here so a typo in the
//! configuration is refused at start like every other field; only the collector reads it
//! (the widget's build leaves the module out).

use crate::element::{Element, LocalText};
use ikm_json::{self as json, Value};
use serde::Serialize;

/// The `suggestions` block of a configuration; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionsConfig {
    /// The office's own lexicon; `None`: the collector's default for immigration services.
    pub themes: Option<Vec<SuggestionTheme>>,
    /// Words never listed as recurring besides the Indonesian stop words (the office's name,
    /// "pelayanan", …).
    pub stop_words: Vec<String>,
    /// How many recurring words a recap lists.
    pub top_words: u32,
}

/// One theme: a suggestion belongs to it when one of its words (or a word with the same
/// stem) occurs in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionTheme {
    pub id: String,
    pub label: LocalText,
    /// The element the theme concerns; `None` where no one element fits (e.g. the online
    /// booking app).
    pub element: Option<Element>,
    pub words: Vec<String>,
}

impl Default for SuggestionsConfig {
    fn default() -> Self {
        SuggestionsConfig {
            themes: None,
            stop_words: Vec::new(),
            top_words: 15,
        }
    }
}

impl SuggestionsConfig {
    pub fn from_value(value: &Value) -> Result<SuggestionsConfig, json::Error> {
        let mut s = SuggestionsConfig::default();
        json::read_object!(value, |v| {
            "themes" => s.themes = Some(v.list(SuggestionTheme::from_value)?),
            "stop_words" => s.stop_words = v.list(Value::string)?,
            "top_words" => s.top_words = v.u32()?,
        })?;
        Ok(s)
    }

    /// Ids unique and slugs, every theme with a label and words, a sane list length; the
    /// error's path names the field.
    pub fn check(&self) -> Result<(), (String, &'static str)> {
        if !(1..=100).contains(&self.top_words) {
            return Err(("suggestions.top_words".into(), "must be between 1 and 100"));
        }
        let Some(themes) = &self.themes else {
            return Ok(());
        };
        for (i, t) in themes.iter().enumerate() {
            let at = |field: &str| format!("suggestions.themes[{i}].{field}");
            if !crate::config::is_slug(&t.id) {
                return Err((at("id"), crate::config::SLUG_RULE));
            }
            if themes.iter().take(i).any(|o| o.id == t.id) {
                return Err((at("id"), "duplicate theme id"));
            }
            if t.label.id.trim().is_empty() {
                return Err((at("label.id"), "must not be empty"));
            }
            if t.words.is_empty() || t.words.iter().any(|w| w.trim().is_empty()) {
                return Err((at("words"), "list at least one word, none empty"));
            }
        }
        Ok(())
    }
}

impl SuggestionTheme {
    fn from_value(value: &Value) -> Result<SuggestionTheme, json::Error> {
        let mut t = SuggestionTheme {
            id: String::new(),
            label: LocalText {
                id: String::new(),
                en: None,
            },
            element: None,
            words: Vec::new(),
        };
        json::read_object!(value, |v| {
            "id" (required) => t.id = v.string()?,
            "label" (required) => t.label = LocalText::from_value(v)?,
            "element" => t.element = Some(element_from(v)?),
            "words" (required) => t.words = v.list(Value::string)?,
        })?;
        Ok(t)
    }
}

fn element_from(v: &Value) -> Result<Element, json::Error> {
    let key = v.str()?;
    Element::from_key(key).ok_or_else(|| {
        json::Error::new(json::ErrorKind::InvalidValue(
            key.to_string(),
            "an element key: persyaratan, prosedur, waktu, biaya, produk, kompetensi, perilaku, sarana or pengaduan",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SuggestionsConfig, String> {
        let value = json::parse(text).map_err(|e| e.to_string())?;
        let s = SuggestionsConfig::from_value(&value).map_err(|e| e.to_string())?;
        s.check()
            .map_err(|(path, reason)| format!("{path}: {reason}"))?;
        Ok(s)
    }

    #[test]
    fn a_theme_reads_its_element_and_words() {
        let s = parse(
            r#"{"themes":[{"id":"antrean","label":{"id":"Antrean"},"element":"waktu","words":["antre","lama"]}],"top_words":5}"#,
        )
        .unwrap();
        let themes = s.themes.unwrap();
        assert_eq!(themes[0].element, Some(Element::Waktu));
        assert_eq!(themes[0].words, ["antre", "lama"]);
        assert_eq!(s.top_words, 5);
    }

    #[test]
    fn bad_lexicons_are_refused_with_their_path() {
        let unknown =
            parse(r#"{"themes":[{"id":"a","label":{"id":"A"},"element":"U3","words":["x"]}]}"#);
        assert!(unknown.unwrap_err().contains("U3"));
        let dup = parse(
            r#"{"themes":[{"id":"a","label":{"id":"A"},"words":["x"]},{"id":"a","label":{"id":"B"},"words":["y"]}]}"#,
        );
        assert_eq!(
            dup.unwrap_err(),
            "suggestions.themes[1].id: duplicate theme id"
        );
        let empty = parse(r#"{"themes":[{"id":"a","label":{"id":"A"},"words":[]}]}"#);
        assert!(empty
            .unwrap_err()
            .starts_with("suggestions.themes[0].words"));
        assert!(parse(r#"{"top_words":0}"#).is_err());
        assert!(parse(r#"{"lexicon":[]}"#).is_err());
    }
}
