//! The CSV files the collector writes, with every cell a spreadsheet could run neutralised.

use crate::store::StoredRow;
use ikm_core::config::Modules;
use ikm_core::questionnaire::{Choice, Module};
use ikm_core::Element;
use std::borrow::Cow;

/// A cell as written to a CSV file: text a spreadsheet would take for a formula (it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, the OWASP advice
/// against CSV injection; anything else is unchanged.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Writes records of cells, each passed through [`safe_cell`], as RFC 4180 CSV in UTF-8.
pub fn write_csv<'a>(records: impl IntoIterator<Item = Vec<Cow<'a, str>>>) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        let safe: Vec<Cow<'_, str>> = record.iter().map(|cell| safe_cell(cell)).collect();
        // Writing to a Vec cannot fail.
        let _ = out.write_record(safe.iter().map(|c| c.as_bytes()));
    }
    out.into_inner().unwrap_or_default()
}

/// The modules whose columns an export has: those enabled, and any that exported rows answered.
pub fn exported_modules(rows: &[StoredRow], enabled: &Modules) -> Vec<Module> {
    Module::ALL
        .into_iter()
        .filter(|m| {
            enabled.get(*m).is_some() || rows.iter().any(|r| r.submission.module(*m).is_some())
        })
        .collect()
}

/// Columns of the export, in order; the nine element keys let `ikm score` read it back, and
/// each module statement has its own column (`spkp_informasi`, `spak_pungli`).
pub fn responses_header(modules: &[Module]) -> Vec<String> {
    let mut columns: Vec<String> = base_header().into_iter().map(String::from).collect();
    for module in modules {
        for statement in module.statements() {
            columns.push(format!("{}_{}", module.key(), statement.key));
        }
    }
    columns.extend(REVIEW_COLUMNS.iter().map(|c| c.to_string()));
    columns
}

/// Last: whether a service code verified the response, and whether the recap counts it
/// (`counted`, or `excluded` with the reason given in review).
const REVIEW_COLUMNS: [&str; 3] = ["verified", "status", "excluded_reason"];

fn base_header() -> Vec<&'static str> {
    let mut columns = vec![
        "id",
        "submitted_at",
        "received_at",
        "unit",
        "service",
        "counter",
        "lang",
        "gender",
        "age",
        "education",
        "occupation",
        "occupation_other",
    ];
    columns.extend(Element::ALL.iter().map(|e| e.key()));
    columns.push("suggestion");
    columns
}

/// The responses export: a header, then one row per stored response.
pub fn responses_csv(rows: &[StoredRow], enabled: &Modules) -> Vec<u8> {
    let modules = exported_modules(rows, enabled);
    let header = responses_header(&modules)
        .into_iter()
        .map(Cow::Owned)
        .collect();
    let records = rows.iter().map(|row| {
        let s = &row.submission;
        let r = &s.respondent;
        let owned = |v: Option<&String>| Cow::Owned(v.cloned().unwrap_or_default());
        let mut record: Vec<Cow<'_, str>> = vec![
            Cow::Borrowed(s.id.as_str()),
            Cow::Borrowed(s.submitted_at.as_str()),
            Cow::Owned(ikm_core::time::format_rfc3339(row.received_at)),
            owned(s.unit.as_ref()),
            owned(s.service.as_ref()),
            owned(s.counter.as_ref()),
            Cow::Borrowed(s.lang.code()),
            Cow::Borrowed(r.gender.map_or("", Choice::code)),
            Cow::Owned(r.age.map(|a| a.to_string()).unwrap_or_default()),
            Cow::Borrowed(r.education.map_or("", Choice::code)),
            Cow::Borrowed(r.occupation.map_or("", Choice::code)),
            owned(r.occupation_other.as_ref()),
        ];
        record.extend(
            Element::ALL
                .iter()
                .map(|e| Cow::Owned(s.answers.get(*e).map(|v| v.to_string()).unwrap_or_default())),
        );
        record.push(owned(s.suggestion.as_ref()));
        for module in &modules {
            let scores = s.module(*module);
            for statement in module.statements() {
                let score = scores.and_then(|m| m.get(statement.key));
                record.push(Cow::Owned(score.map(|v| v.to_string()).unwrap_or_default()));
            }
        }
        record.push(Cow::Borrowed(if row.verified { "1" } else { "0" }));
        match &row.excluded {
            Some(e) => record.extend([Cow::Borrowed("excluded"), Cow::Borrowed(e.reason.as_str())]),
            None => record.extend([Cow::Borrowed("counted"), Cow::Borrowed("")]),
        }
        record
    });
    write_csv(std::iter::once(header).chain(records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_untouched() {
        for risky in [
            "=1+1",
            "+62 812",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(safe_cell(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in [
            "",
            "Pelayanan cepat",
            "4",
            "2026-11-01T00:00:00Z",
            " =x",
            "a=b",
            "'quoted",
        ] {
            assert_eq!(safe_cell(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn the_written_file_quotes_and_neutralises() {
        let csv = write_csv([
            vec![Cow::Borrowed("a"), Cow::Borrowed("=cmd|' /C calc'!A0")],
            vec![Cow::Borrowed("b\"c"), Cow::Borrowed("line\nbreak")],
        ]);
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text, "a,'=cmd|' /C calc'!A0\n\"b\"\"c\",\"line\nbreak\"\n");
    }
}
