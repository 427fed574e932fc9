//! Reads element scores from a spreadsheet export (one response per row) into a [`ScoreTally`].

use ikm_core::{Element, ScoreTally};
use std::fmt;
use std::io::BufRead;

/// Why a CSV could not be scored; carries the 1-based line of the offending row.
#[derive(Debug, PartialEq, Eq)]
pub enum CsvScoreError {
    /// The file has no header row.
    Empty,
    /// An element has no column.
    MissingColumn { element: Element },
    /// Two columns name the same element.
    DuplicateColumn {
        element: Element,
        first: String,
        second: String,
    },
    /// A row has fewer cells than the element's column needs.
    ShortRow { line: u64, column: String },
    /// A cell is not an integer score 1..=4.
    BadScore {
        line: u64,
        column: String,
        value: String,
    },
    /// The file is not readable CSV (I/O error, invalid quoting, invalid UTF-8 in a header).
    Read { line: Option<u64>, reason: String },
}

impl fmt::Display for CsvScoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvScoreError::Empty => write!(
                f,
                "the file is empty: expected a header row naming the nine elements"
            ),
            CsvScoreError::MissingColumn { element } => write!(
                f,
                "no column for element `{}` ({}): name it `{}` or `{}`",
                element.key(),
                element.name().id,
                element.key(),
                element.form_label()
            ),
            CsvScoreError::DuplicateColumn {
                element,
                first,
                second,
            } => {
                write!(
                    f,
                    "columns `{first}` and `{second}` both give element `{}`",
                    element.key()
                )
            }
            CsvScoreError::ShortRow { line, column } => {
                write!(f, "line {line}: missing column `{column}`")
            }
            CsvScoreError::BadScore {
                line,
                column,
                value,
            } => {
                write!(
                    f,
                    "line {line}: column `{column}`: `{value}` is not a score from 1 to 4"
                )
            }
            CsvScoreError::Read {
                line: Some(line),
                reason,
            } => write!(f, "line {line}: {reason}"),
            CsvScoreError::Read { line: None, reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for CsvScoreError {}

/// Tallies every row of a CSV; stops at the first bad row.
pub fn score_csv<R: BufRead>(mut input: R) -> Result<ScoreTally, CsvScoreError> {
    let delimiter = sniff_delimiter(input.fill_buf().map_err(read_error(None))?);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(input);
    let headers = reader.byte_headers().map_err(|e| csv_error(&e))?.clone();
    if headers.is_empty() || headers.iter().all(|h| h.is_empty()) {
        return Err(CsvScoreError::Empty);
    }
    let columns = element_columns(&headers)?;
    let mut tally = ScoreTally::default();
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let mut scores = [None; 9];
        for (slot, &(index, _)) in scores.iter_mut().zip(columns.iter()) {
            let cell = record.get(index).ok_or_else(|| CsvScoreError::ShortRow {
                line,
                column: header_name(&headers, index),
            })?;
            *slot = parse_score(cell).map_err(|()| CsvScoreError::BadScore {
                line,
                column: header_name(&headers, index),
                value: String::from_utf8_lossy(cell).into_owned(),
            })?;
        }
        tally.add(&scores);
    }
    Ok(tally)
}

/// The column index of each element in form order.
fn element_columns(headers: &csv::ByteRecord) -> Result<[(usize, Element); 9], CsvScoreError> {
    let mut found: [Option<usize>; 9] = [None; 9];
    for (index, raw) in headers.iter().enumerate() {
        let name = String::from_utf8_lossy(raw);
        let name = name.trim_start_matches('\u{feff}');
        if let Some(element) = Element::from_column_name(name) {
            if let Some(first) = *element.of(&found) {
                return Err(CsvScoreError::DuplicateColumn {
                    element,
                    first: header_name(headers, first),
                    second: name.to_string(),
                });
            }
            *element.of_mut(&mut found) = Some(index);
        }
    }
    let mut columns = [(0, Element::Persyaratan); 9];
    for element in Element::ALL {
        let index = element
            .of(&found)
            .ok_or(CsvScoreError::MissingColumn { element })?;
        *element.of_mut(&mut columns) = (index, element);
    }
    Ok(columns)
}

/// An empty (or blank) cell is a skipped element; otherwise an integer 1..=4.
fn parse_score(cell: &[u8]) -> Result<Option<u8>, ()> {
    match cell.trim_ascii() {
        [] => Ok(None),
        [d @ b'1'..=b'4'] => Ok(Some(d - b'0')),
        _ => Err(()),
    }
}

/// `;` when the header has more semicolons than commas (spreadsheets in Indonesian locale), else `,`.
fn sniff_delimiter(start: &[u8]) -> u8 {
    let header = start.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| header.iter().filter(|&&b| b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

fn header_name(headers: &csv::ByteRecord, index: usize) -> String {
    let raw = headers.get(index).unwrap_or_default();
    String::from_utf8_lossy(raw)
        .trim_start_matches('\u{feff}')
        .to_string()
}

fn csv_error(e: &csv::Error) -> CsvScoreError {
    CsvScoreError::Read {
        line: e.position().map(|p| p.line()),
        reason: e.to_string(),
    }
}

fn read_error(line: Option<u64>) -> impl Fn(std::io::Error) -> CsvScoreError {
    move |e| CsvScoreError::Read {
        line,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::Weights;

    fn score(text: &str) -> Result<ScoreTally, CsvScoreError> {
        score_csv(text.as_bytes())
    }

    #[test]
    fn form_labels_put_u8_on_sarana_and_u9_on_pengaduan() {
        let t = score("U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,1,2\n").unwrap();
        let r = t.recap(Weights::Exact);
        assert_eq!(*r.nrr.get(Element::Sarana), Some(1.0));
        assert_eq!(*r.nrr.get(Element::Pengaduan), Some(2.0));
    }

    #[test]
    fn semicolons_other_columns_bom_and_empty_cells() {
        let text = "\u{feff}no;usia;sarana;pengaduan;persyaratan;prosedur;waktu;biaya;produk;kompetensi;perilaku;saran\n\
                    1;30;3;4;4;4;;4;4;4;4;\"bagus; cepat\"\n\
                    2;41;1;2;2;2;2;2;2;2;2;\n";
        let t = score(text).unwrap();
        assert_eq!(t.respondents, 2);
        assert_eq!(t.answered(Element::Waktu), 1);
        assert_eq!(t.sum(Element::Sarana), 4);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let header = "persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,sarana,pengaduan";
        let e = score(&format!("{header}\n4,4,4,4,4,4,4,4,4\n4,4,5,4,4,4,4,4,4\n")).unwrap_err();
        assert_eq!(
            e,
            CsvScoreError::BadScore {
                line: 3,
                column: "waktu".into(),
                value: "5".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "line 3: column `waktu`: `5` is not a score from 1 to 4"
        );

        let e = score(&format!("{header}\n4,4,4,4,x,4,4,4,4\n")).unwrap_err();
        assert!(matches!(e, CsvScoreError::BadScore { line: 2, .. }));
        let e = score(&format!("{header}\n4,4,4,4,3.5,4,4,4,4\n")).unwrap_err();
        assert!(matches!(e, CsvScoreError::BadScore { line: 2, .. }));

        let e = score(&format!("{header}\n4,4,4\n")).unwrap_err();
        assert_eq!(
            e,
            CsvScoreError::ShortRow {
                line: 2,
                column: "biaya".into()
            }
        );

        let e = score("U1,U2,U3,U4,U5,U6,U7,U9\n").unwrap_err();
        assert_eq!(
            e,
            CsvScoreError::MissingColumn {
                element: Element::Sarana
            }
        );
        assert!(e.to_string().contains("`U8`"));

        let e = score("U1,U2,U3,U4,U5,U6,U7,U8,U9,waktu\n").unwrap_err();
        assert!(matches!(
            e,
            CsvScoreError::DuplicateColumn {
                element: Element::Waktu,
                ..
            }
        ));

        assert_eq!(score("").unwrap_err(), CsvScoreError::Empty);
    }

    #[test]
    fn header_only_has_no_respondents() {
        let t = score("U1,U2,U3,U4,U5,U6,U7,U8,U9\n").unwrap();
        assert_eq!(t.respondents, 0);
        assert_eq!(t.recap(Weights::Exact).ikm, None);
    }
}
