//! The suggestions summed up (`docs/suggestions.md`): how many, which themes of the lexicon
//! they touch (each tied to its element where the lexicon can tell) and the words that recur,
//! Indonesian words compared by their Sastrawi stem so "antre", "antrean" and "mengantre"
//! count as one. Pure: the texts go in, the summary comes out.

use ikm_core::config::SuggestionsConfig;
use ikm_core::element::{Element, Lang, LocalText};
use sastrawi::{Dictionary, Stemmer};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The default lexicon for immigration services, used unless a unit configures its own.
const DEFAULT_LEXICON: &str = include_str!("lexicon-imigrasi.json");

/// How many example texts a theme carries.
const EXAMPLES: usize = 3;

/// One suggestion as the summary reads it.
#[derive(Debug, Clone, Copy)]
pub struct SuggestionText<'a> {
    pub id: &'a str,
    pub text: &'a str,
}

/// What a recap says about the suggestions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionSummary {
    /// Suggestions among the counted responses.
    pub total: u64,
    /// The themes that occur, most suggestions first.
    pub themes: Vec<ThemeCount>,
    /// Suggestions that touch no theme of the lexicon.
    pub unthemed: u64,
    /// Words (by stem) that occur in at least two suggestions, most suggestions first.
    pub recurring_words: Vec<WordCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeCount {
    pub id: String,
    pub label: String,
    /// The element the theme concerns (wire key), null where the lexicon cannot tell.
    pub element: Option<&'static str>,
    pub element_label: Option<&'static str>,
    pub suggestions: u64,
    /// The response ids of the theme's suggestions, newest first (the follow-up plan cites them).
    pub responses: Vec<String>,
    /// The newest few texts, to read what the theme is about.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordCount {
    /// The form written most often (`antrean`), its stem beside it (`antre`).
    pub word: String,
    pub stem: String,
    /// Suggestions it occurs in.
    pub suggestions: u64,
}

/// A lexicon made ready to match: each theme's words as written and as stems.
pub struct Lexicon {
    themes: Vec<ReadyTheme>,
    stop_words: HashSet<String>,
    top_words: usize,
}

struct ReadyTheme {
    id: String,
    label: LocalText,
    element: Option<Element>,
    /// Each word or phrase as its sequence of stems (`waktu tunggu` → `[waktu, tunggu]`).
    phrases: Vec<Vec<String>>,
}

impl Lexicon {
    /// The unit's lexicon, or the default one where it configures no themes; the configured
    /// stop words are added to the default's.
    pub fn new(config: &SuggestionsConfig) -> Lexicon {
        let default = default_lexicon();
        let themes = config
            .themes
            .clone()
            .unwrap_or_else(|| default.themes.clone().unwrap_or_default());
        let stemmer = Analyzer::new();
        let mut stop_words: HashSet<String> = HashSet::new();
        let own_stops = config.themes.is_none().then_some(&default.stop_words);
        for word in own_stops.into_iter().flatten().chain(&config.stop_words) {
            for token in tokens(word) {
                stop_words.insert(stemmer.stem(&token));
                stop_words.insert(token);
            }
        }
        let themes = themes
            .into_iter()
            .map(|t| {
                let phrases = t
                    .words
                    .iter()
                    .map(|w| tokens(w).iter().map(|t| stemmer.stem(t)).collect())
                    .filter(|p: &Vec<String>| !p.is_empty())
                    .collect();
                ReadyTheme {
                    id: t.id,
                    label: t.label,
                    element: t.element,
                    phrases,
                }
            })
            .collect();
        Lexicon {
            themes,
            stop_words,
            top_words: usize::try_from(config.top_words).unwrap_or(15),
        }
    }

    /// Sums up `suggestions` (newest first, as the store gives them).
    pub fn summarize(&self, suggestions: &[SuggestionText<'_>], lang: Lang) -> SuggestionSummary {
        let analyzer = Analyzer::new();
        let mut per_theme: Vec<Vec<&SuggestionText<'_>>> = vec![Vec::new(); self.themes.len()];
        let mut unthemed = 0;
        let mut stems: HashMap<String, u64> = HashMap::new();
        let mut forms: HashMap<String, BTreeMap<String, u64>> = HashMap::new();
        for suggestion in suggestions {
            let mut seen: HashSet<String> = HashSet::new();
            let mut sequence: Vec<String> = Vec::new();
            for token in tokens(suggestion.text) {
                let stem = analyzer.stem(&token);
                if seen.insert(stem.clone()) && self.recurs(&analyzer, &token, &stem) {
                    *stems.entry(stem.clone()).or_default() += 1;
                }
                sequence.push(stem.clone());
                *forms.entry(stem).or_default().entry(token).or_default() += 1;
            }
            let mut themed = false;
            for (theme, hits) in self.themes.iter().zip(per_theme.iter_mut()) {
                if theme.phrases.iter().any(|p| contains_phrase(&sequence, p)) {
                    hits.push(suggestion);
                    themed = true;
                }
            }
            if !themed {
                unthemed += 1;
            }
        }
        let mut themes: Vec<ThemeCount> = self
            .themes
            .iter()
            .zip(per_theme)
            .filter(|(_, hits)| !hits.is_empty())
            .map(|(theme, hits)| ThemeCount {
                id: theme.id.clone(),
                label: theme.label.get(lang).to_string(),
                element: theme.element.map(Element::key),
                element_label: theme.element.map(|e| e.name().get(lang)),
                suggestions: hits.len() as u64,
                responses: hits.iter().map(|s| s.id.to_string()).collect(),
                examples: hits
                    .iter()
                    .take(EXAMPLES)
                    .map(|s| s.text.to_string())
                    .collect(),
            })
            .collect();
        themes.sort_by_key(|t| std::cmp::Reverse(t.suggestions));
        let mut recurring_words: Vec<WordCount> = stems
            .into_iter()
            .filter(|(_, n)| *n >= 2)
            .map(|(stem, n)| WordCount {
                word: most_written(forms.get(&stem)).unwrap_or_else(|| stem.clone()),
                stem,
                suggestions: n,
            })
            .collect();
        recurring_words.sort_by(|a, b| {
            b.suggestions
                .cmp(&a.suggestions)
                .then_with(|| a.word.cmp(&b.word))
        });
        recurring_words.truncate(self.top_words);
        SuggestionSummary {
            total: suggestions.len() as u64,
            themes,
            unthemed,
            recurring_words,
        }
    }

    /// Whether a word may be listed as recurring: not a stop word, not a number, not a
    /// fragment.
    fn recurs(&self, analyzer: &Analyzer, token: &str, stem: &str) -> bool {
        token.chars().count() >= 3
            && !token.chars().all(|c| c.is_ascii_digit())
            && !analyzer.stemmer.is_stopword(token)
            && !self.stop_words.contains(token)
            && !self.stop_words.contains(stem)
    }
}

/// The compiled-in default; a test proves it parses and passes the configuration's checks.
fn default_lexicon() -> SuggestionsConfig {
    ikm_core::json::parse(DEFAULT_LEXICON)
        .ok()
        .and_then(|v| SuggestionsConfig::from_value(&v).ok())
        .unwrap_or_default()
}

/// The Sastrawi stemmer over its compiled-in root dictionary.
struct Analyzer {
    stemmer: Stemmer<'static>,
}

impl Analyzer {
    fn new() -> Analyzer {
        static DICTIONARY: std::sync::OnceLock<Dictionary> = std::sync::OnceLock::new();
        Analyzer {
            stemmer: Stemmer::new(DICTIONARY.get_or_init(Dictionary::new)),
        }
    }

    /// A lowercase token's stem; a hyphenated word (`m-paspor`, `bolak-balik`) is kept whole.
    fn stem(&self, token: &str) -> String {
        if token.contains('-') {
            return token.to_string();
        }
        self.stemmer.stem_word(token).into_owned()
    }
}

/// The lowercase words of a text: letters and digits, with inner hyphens kept.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|t| t.trim_matches('-').to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether `phrase` occurs in `stems` as consecutive words.
fn contains_phrase(stems: &[String], phrase: &[String]) -> bool {
    match phrase {
        [word] => stems.contains(word),
        _ => stems.windows(phrase.len()).any(|w| w == phrase),
    }
}

/// The form of a stem written most often (the first in alphabetical order on a tie).
fn most_written(forms: Option<&BTreeMap<String, u64>>) -> Option<String> {
    let forms = forms?;
    let most = forms.values().copied().max()?;
    forms
        .iter()
        .find(|(_, n)| **n == most)
        .map(|(form, _)| form.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-looking suggestions from a passport office's month, newest first.
    const MONTH: [&str; 12] = [
        "Antrean terlalu lama, saya menunggu hampir 3 jam",
        "Petugas loket 2 kurang ramah dan ketus saat ditanya",
        "Ruang tunggu panas, AC-nya mati. Mohon diperbaiki",
        "Mengantre dari pagi, antreannya tidak teratur",
        "Aplikasi M-Paspor sering error dan kuota cepat habis",
        "Pelayanan sudah bagus, pertahankan",
        "Toilet kotor dan tidak ada air",
        "Persyaratan berkas kurang jelas, saya harus bolak-balik dua kali",
        "Ada calo di depan kantor yang menawarkan jasa",
        "Petugasnya ramah dan sabar menjelaskan",
        "Waktu tunggu lama sekali",
        "Parkiran sempit",
    ];

    fn summary(lexicon: &Lexicon, texts: &[&str]) -> SuggestionSummary {
        let ids: Vec<String> = (0..texts.len()).map(|i| format!("r{i}")).collect();
        let items: Vec<SuggestionText<'_>> = texts
            .iter()
            .zip(&ids)
            .map(|(text, id)| SuggestionText { id, text })
            .collect();
        lexicon.summarize(&items, Lang::Id)
    }

    fn theme<'a>(s: &'a SuggestionSummary, id: &str) -> Option<&'a ThemeCount> {
        s.themes.iter().find(|t| t.id == id)
    }

    #[test]
    fn the_default_lexicon_parses_and_passes_the_checks() {
        let default = default_lexicon();
        default.check().unwrap();
        let themes = default.themes.unwrap();
        assert_eq!(themes.len(), 10);
        let elements: HashSet<_> = themes.iter().filter_map(|t| t.element).collect();
        assert_eq!(elements.len(), 9, "every element has a theme");
    }

    #[test]
    fn a_month_of_suggestions_falls_into_the_elements_it_concerns() {
        let lexicon = Lexicon::new(&SuggestionsConfig::default());
        let s = summary(&lexicon, &MONTH);
        assert_eq!(s.total, 12);
        let queue = theme(&s, "antrean").unwrap();
        assert_eq!(queue.element, Some("waktu"));
        // "antrean … menunggu", "mengantre … antreannya", "waktu tunggu lama"; not "ruang
        // tunggu" (a phrase of the facilities) nor "kuota cepat habis".
        assert_eq!(queue.responses, ["r0", "r3", "r10"]);
        assert_eq!(queue.examples.len(), 3);
        let facilities = theme(&s, "sarana").unwrap();
        assert_eq!(facilities.responses, ["r2", "r6", "r11"]);
        let staff = theme(&s, "perilaku").unwrap();
        assert_eq!(staff.responses, ["r1", "r9"]);
        assert_eq!(staff.element_label, Some("Perilaku Pelaksana"));
        let online = theme(&s, "daring").unwrap();
        assert_eq!(online.element, None);
        assert_eq!(online.responses, ["r4"]);
        assert_eq!(theme(&s, "biaya").unwrap().responses, ["r8"]);
        assert_eq!(theme(&s, "persyaratan").unwrap().responses, ["r7"]);
        // Only "Pelayanan sudah bagus, pertahankan" touches no theme.
        assert_eq!(s.unthemed, 1);
        assert_eq!(s.themes[0].suggestions, 3, "most suggestions first");
    }

    #[test]
    fn recurring_words_are_counted_by_stem_without_stop_words() {
        let lexicon = Lexicon::new(&SuggestionsConfig::default());
        let s = summary(&lexicon, &MONTH);
        let antre = s
            .recurring_words
            .iter()
            .find(|w| w.stem == "antre")
            .unwrap();
        assert_eq!(antre.suggestions, 2, "antrean, mengantre/antreannya");
        let ramah = s
            .recurring_words
            .iter()
            .find(|w| w.stem == "ramah")
            .unwrap();
        assert_eq!((ramah.word.as_str(), ramah.suggestions), ("ramah", 2));
        let tunggu = s
            .recurring_words
            .iter()
            .find(|w| w.stem == "tunggu")
            .unwrap();
        assert_eq!(tunggu.suggestions, 3);
        for word in &s.recurring_words {
            assert!(word.suggestions >= 2);
            for stop in [
                "dan",
                "saya",
                "tidak",
                "petugas",
                "pelayanan",
                "mohon",
                "lama",
            ] {
                assert_ne!(word.word, stop, "stop word listed");
            }
        }
        let counts: Vec<u64> = s.recurring_words.iter().map(|w| w.suggestions).collect();
        let mut sorted = counts.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(counts, sorted);
    }

    #[test]
    fn an_office_lexicon_replaces_the_default_and_adds_stop_words() {
        let value = ikm_core::json::parse(
            r#"{"themes":[{"id":"loket","label":{"id":"Loket","en":"Counters"},"element":"prosedur","words":["loket"]}],
                "stop_words":["ramah"],"top_words":1}"#,
        )
        .unwrap();
        let config = SuggestionsConfig::from_value(&value).unwrap();
        let lexicon = Lexicon::new(&config);
        let s = summary(&lexicon, &MONTH);
        assert_eq!(s.themes.len(), 1);
        assert_eq!(s.themes[0].responses, ["r1"]);
        assert_eq!(s.unthemed, 11);
        assert_eq!(s.recurring_words.len(), 1);
        assert!(s.recurring_words.iter().all(|w| w.stem != "ramah"));
        let en = lexicon.summarize(
            &[SuggestionText {
                id: "x",
                text: "loket",
            }],
            Lang::En,
        );
        assert_eq!(en.themes[0].label, "Counters");
    }

    #[test]
    fn no_suggestions_and_odd_text_give_an_empty_summary() {
        let lexicon = Lexicon::new(&SuggestionsConfig::default());
        let s = summary(&lexicon, &[]);
        assert_eq!((s.total, s.unthemed), (0, 0));
        assert!(s.themes.is_empty() && s.recurring_words.is_empty());
        let odd = summary(&lexicon, &["😀😀 ---", "café ñandú 123", "café 123"]);
        assert_eq!(odd.total, 3);
        assert_eq!(odd.recurring_words.len(), 1, "café twice; numbers never");
    }
}
