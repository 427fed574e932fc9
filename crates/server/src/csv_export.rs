//! The CSV files the collector writes, with every cell a spreadsheet could run neutralised.

use crate::store::StoredRow;
use ikm_core::questionnaire::Choice;
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

/// Columns of the export, in order; the nine element keys let `ikm score` read it back.
pub fn responses_header() -> Vec<&'static str> {
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
pub fn responses_csv(rows: &[StoredRow]) -> Vec<u8> {
    let header = responses_header().into_iter().map(Cow::Borrowed).collect();
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
