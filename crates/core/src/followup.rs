//! The follow-up plan (*rencana tindak lanjut*, RTL): what the office will do about an
//! element to act on, who answers for it, by when, and how far it got.

use crate::element::{Element, Text};
use crate::json::{self, Value};
use crate::period::Period;
use crate::time::Date;
use crate::validate::is_clean_text;
use serde::Serialize;

/// Longest action text, in characters.
pub const MAX_ACTION_CHARS: usize = 500;
/// Longest name of who is responsible, in characters.
pub const MAX_RESPONSIBLE_CHARS: usize = 120;

/// How far an action got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    InProgress,
    Done,
}

impl Status {
    /// Every status with its one name (JSON, forms, the database).
    pub const ALL: [(&'static str, Status); 3] = [
        ("planned", Status::Planned),
        ("in_progress", Status::InProgress),
        ("done", Status::Done),
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Done => "done",
        }
    }

    /// The status for its name.
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
    }

    /// How reports print it.
    pub fn label(self) -> Text {
        match self {
            Status::Planned => Text::new("Direncanakan", "Planned"),
            Status::InProgress => Text::new("Dalam proses", "In progress"),
            Status::Done => Text::new("Selesai", "Done"),
        }
    }
}

/// One action of the plan as the office enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpInput {
    /// The reporting period whose recap flagged the element.
    pub period: Period,
    pub element: Element,
    pub action: String,
    pub responsible: String,
    pub due: Date,
    pub status: Status,
    /// The response ids of the suggestions behind the action (docs/suggestions.md).
    pub suggestions: Vec<String>,
}

/// One stored action of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: String,
    pub input: FollowUpInput,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl FollowUpInput {
    /// Reads and checks the fields from any source (a JSON body, a form post); `get` gives a
    /// field's text. `status` defaults to `planned`. The error names the field and the rule.
    pub fn from_fields<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<FollowUpInput, String> {
        let required = |name: &str| -> Result<&'a str, String> {
            get(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("`{name}` is required"))
        };
        let period_text = required("period")?;
        let period = Period::parse(period_text).ok_or_else(|| {
            format!("`period` must be YYYY-MM, YYYY-Qn, YYYY-Sn or YYYY, got `{period_text}`")
        })?;
        let element_text = required("element")?;
        let element = Element::from_key(element_text).ok_or_else(|| {
            format!(
                "`element` must be an element key (persyaratan … pengaduan), got `{element_text}`"
            )
        })?;
        let text = |name: &str, max: usize| -> Result<String, String> {
            let value = required(name)?;
            if value.chars().count() > max {
                return Err(format!("`{name}` is too long: at most {max} characters"));
            }
            if !is_clean_text(value) {
                return Err(format!("`{name}` contains control characters"));
            }
            Ok(value.to_string())
        };
        let action = text("action", MAX_ACTION_CHARS)?;
        let responsible = text("responsible", MAX_RESPONSIBLE_CHARS)?;
        let due_text = required("due")?;
        let due = Date::parse(due_text)
            .ok_or_else(|| format!("`due` must be a date YYYY-MM-DD, got `{due_text}`"))?;
        let status = match get("status").map(str::trim).filter(|v| !v.is_empty()) {
            None => Status::Planned,
            Some(s) => Status::parse(s).ok_or_else(|| {
                format!("`status` must be `planned`, `in_progress` or `done`, got `{s}`")
            })?,
        };
        let suggestions = cited_suggestions(get("suggestions").unwrap_or(""))?;
        Ok(FollowUpInput {
            period,
            element,
            action,
            responsible,
            due,
            status,
            suggestions,
        })
    }

    /// Reads a JSON body `{"period", "element", "action", "responsible", "due", "status"}`.
    pub fn from_json(text: &str) -> Result<FollowUpInput, String> {
        let value = json::parse(text).map_err(|e| {
            let (line, column) = e.line_column(text);
            format!("{e} at line {line}, column {column}")
        })?;
        FollowUpInput::from_pairs(&read_strings(&value, &FollowUpInput::FIELDS)?)
    }

    /// The field names, as JSON, forms and the database name them.
    pub const FIELDS: [&'static str; 7] = [
        "period",
        "element",
        "action",
        "responsible",
        "due",
        "status",
        "suggestions",
    ];

    /// The cited suggestions as forms and the database write them: ids separated by spaces.
    pub fn suggestions_text(&self) -> String {
        self.suggestions.join(" ")
    }

    /// Reads the fields from (name, text) pairs.
    pub fn from_pairs(pairs: &[(&str, String)]) -> Result<FollowUpInput, String> {
        FollowUpInput::from_fields(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        })
    }
}

/// Most suggestions one action cites.
pub const MAX_CITED: usize = 20;

/// Response ids separated by spaces or commas: each a response id, at most [`MAX_CITED`],
/// repeats dropped.
fn cited_suggestions(text: &str) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = Vec::new();
    for id in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
    {
        if !crate::submission::is_canonical_id(id) {
            return Err(format!("`suggestions`: `{id}` is not a response id"));
        }
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    if ids.len() > MAX_CITED {
        return Err(format!("`suggestions`: at most {MAX_CITED} response ids"));
    }
    Ok(ids)
}

/// The string fields of a JSON object, refusing any key not in `allowed` and any non-string.
pub fn read_strings(
    value: &Value,
    allowed: &[&'static str],
) -> Result<Vec<(&'static str, String)>, String> {
    let entries = value
        .entries()
        .map_err(|_| "the body must be a JSON object".to_string())?;
    let mut out = Vec::new();
    for (key, v) in entries {
        let Some(name) = allowed.iter().find(|a| **a == key) else {
            return Err(format!("unknown field `{key}`"));
        };
        if matches!(v, Value::Null) {
            continue;
        }
        if let (true, Ok(items)) = (key == "suggestions", v.list(Value::string)) {
            // The cited suggestions as a list, written as forms write them: spaces between.
            out.push((*name, items.join(" ")));
            continue;
        }
        let text = v.str().map_err(|_| format!("`{key}` must be a string"))?;
        out.push((*name, text.to_string()));
    }
    Ok(out)
}

impl FollowUp {
    /// Whether this action belongs to the plan of the days `first..=last`: its period lies
    /// inside them (a quarter's report lists its months' plans too).
    pub fn planned_within(&self, first: Date, last: Date) -> bool {
        first <= self.input.period.first_day() && self.input.period.last_day() <= last
    }

    /// Whether this action is unfinished and came from a period that ended before `first`:
    /// such actions are carried into every later report until done.
    pub fn carried_into(&self, first: Date) -> bool {
        self.input.status != Status::Done && self.input.period.last_day() < first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &'static [(&'static str, &'static str)]) -> Result<FollowUpInput, String> {
        FollowUpInput::from_fields(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
    }

    #[test]
    fn an_action_is_read_with_its_default_status() {
        let f = fields(&[
            ("period", "2026-11"),
            ("element", "waktu"),
            ("action", "Tambah petugas loket pada jam sibuk"),
            ("responsible", "Kasubsi Dokumen Perjalanan"),
            ("due", "2026-12-31"),
        ])
        .unwrap();
        assert_eq!(f.status, Status::Planned);
        assert_eq!(f.element, Element::Waktu);
        assert_eq!(f.period.key(), "2026-11");
    }

    #[test]
    fn bad_fields_are_named() {
        let base = [
            ("period", "2026-11"),
            ("element", "waktu"),
            ("action", "x"),
            ("responsible", "y"),
            ("due", "2026-12-31"),
        ];
        let with = |name: &str, value: &'static str| {
            let mut pairs: Vec<(&str, &str)> =
                base.iter().copied().filter(|(k, _)| *k != name).collect();
            pairs.push((name, value));
            let owned: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            FollowUpInput::from_fields(|n| {
                owned.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str())
            })
            .unwrap_err()
        };
        assert!(with("period", "2026-13").contains("`period`"));
        assert!(with("element", "harga").contains("`element`"));
        assert!(with("action", " ").contains("`action` is required"));
        assert!(with("due", "31-12-2026").contains("`due`"));
        assert!(with("status", "finished").contains("`status`"));
        assert!(with("responsible", "a\u{0}b").contains("control characters"));
        let long: &'static str = Box::leak("x".repeat(501).into_boxed_str());
        assert!(with("action", long).contains("at most 500"));
        assert!(
            FollowUpInput::from_json(r#"{"period":"2026-11","extra":"x"}"#)
                .unwrap_err()
                .contains("unknown field `extra`")
        );
        assert!(FollowUpInput::from_json(r#"{"period":2026}"#)
            .unwrap_err()
            .contains("must be a string"));
        assert!(FollowUpInput::from_json("[")
            .unwrap_err()
            .contains("ends too early"));
        assert!(FollowUpInput::from_json("[1]")
            .unwrap_err()
            .contains("must be a JSON object"));
    }

    #[test]
    fn an_action_cites_suggestions_by_response_id() {
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let other = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        let body = format!(
            r#"{{"period":"2026-11","element":"waktu","action":"Tambah loket","responsible":"Kasi","due":"2026-12-31","suggestions":["{id}","{other}","{id}"]}}"#
        );
        let input = FollowUpInput::from_json(&body).unwrap();
        assert_eq!(input.suggestions, [id, other], "a repeat is dropped");
        assert_eq!(input.suggestions_text(), format!("{id} {other}"));
        let typed = format!(
            r#"{{"period":"2026-11","element":"waktu","action":"x","responsible":"y","due":"2026-12-31","suggestions":"{id}, {other}"}}"#
        );
        assert_eq!(
            FollowUpInput::from_json(&typed).unwrap().suggestions.len(),
            2
        );
        let bad = r#"{"period":"2026-11","element":"waktu","action":"x","responsible":"y","due":"2026-12-31","suggestions":["nope"]}"#;
        assert!(FollowUpInput::from_json(bad)
            .unwrap_err()
            .contains("`nope` is not a response id"));
        let none = r#"{"period":"2026-11","element":"waktu","action":"x","responsible":"y","due":"2026-12-31"}"#;
        assert!(FollowUpInput::from_json(none)
            .unwrap()
            .suggestions
            .is_empty());
    }

    #[test]
    fn unfinished_actions_are_carried_into_later_periods_only() {
        let f = FollowUp {
            id: "a".into(),
            input: fields(&[
                ("period", "2026-10"),
                ("element", "waktu"),
                ("action", "x"),
                ("responsible", "y"),
                ("due", "2026-12-31"),
                ("status", "in_progress"),
            ])
            .unwrap(),
            created_at: 0,
            updated_at: 0,
        };
        let p = |k: &str| Period::parse(k).unwrap();
        let carried = |f: &FollowUp, k: &str| f.carried_into(p(k).first_day());
        let planned = |f: &FollowUp, k: &str| f.planned_within(p(k).first_day(), p(k).last_day());
        assert!(carried(&f, "2026-11"));
        assert!(
            !carried(&f, "2026-10"),
            "its own period lists it as its plan"
        );
        assert!(
            planned(&f, "2026-10") && planned(&f, "2026-Q4"),
            "the quarter lists its months' plans"
        );
        assert!(!carried(&f, "2026-Q4") && !planned(&f, "2026-11"));
        assert!(carried(&f, "2027"));
        let done = FollowUp {
            input: FollowUpInput {
                status: Status::Done,
                ..f.input.clone()
            },
            ..f
        };
        assert!(!carried(&done, "2026-11"));
    }
}
