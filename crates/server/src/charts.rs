//! What `/admin`, the formal report and the public page print alike: numbers and dates in
//! the reader's language, and inline SVG charts (no script, printable, each with a text
//! alternative and the values printed on it).

use crate::report::TrendPoint;
use ikm_core::period::Period;
use ikm_core::score::{Grade, PerElement};
use ikm_core::time::{Date, TimeZone};
use ikm_core::{Element, Lang};
use maud::{html, Markup, DOCTYPE};

/// A number with an Indonesian decimal comma (`88,31`), or a point in English.
pub fn number(value: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{value:.decimals$}");
    match lang {
        Lang::Id => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A whole page: `body` under a head with `title` and one stylesheet.
pub fn document(lang: Lang, title: &str, stylesheet: &str, body: Markup) -> Markup {
    document_with_head(
        lang,
        title,
        html! { link rel="stylesheet" href=(stylesheet); },
        body,
    )
}

/// A whole page whose head needs more than one stylesheet (`head` follows the title).
pub fn document_with_head(lang: Lang, title: &str, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                (head)
            }
            body { (body) }
        }
    }
}

/// A date as the office reads it: `30 November 2026` (`30 November 2026` in English too,
/// with the English month).
pub fn long_date(date: Date, lang: Lang) -> String {
    format!("{} {}", date.day, Period::month_of(date).label(lang))
}

/// An instant in office time: `2 Desember 2026 14.05 (Asia/Jakarta)`.
pub fn local_time(at: i64, zone: &TimeZone, lang: Lang) -> String {
    let offset = zone.offset();
    let seconds = (at + i64::from(offset.minutes) * 60).rem_euclid(86_400);
    let separator = if lang == Lang::En { ':' } else { '.' };
    format!(
        "{} {:02}{separator}{:02} ({zone})",
        long_date(offset.local_date(at), lang),
        seconds / 3600,
        seconds % 3600 / 60
    )
}

/// The NRR of every element as bars on the 1–4 scale; the elements to act on are marked by
/// colour and by a `!` under their label (never colour alone).
pub fn nrr_bars(
    id: &str,
    title: &str,
    nrr: &PerElement<Option<f64>>,
    lowest: &[Element],
    lang: Lang,
) -> Markup {
    let (bar, gap, top, height) = (52.0, 16.0, 20.0, 200.0);
    html! {
        figure.chart-figure {
            figcaption id=(id) { (title) }
            svg.chart viewBox="0 0 640 265" role="img" aria-labelledby=(id) {
                @for level in 1..=4 {
                    @let y = top + height - height * f64::from(level) / 4.0;
                    line.grid x1="30" x2="640" y1=(y) y2=(y) {}
                    text.axis.start x="4" y=(y + 4.0) { (level) }
                }
                @for (i, e) in Element::ALL.iter().enumerate() {
                    @let x = 40.0 + i as f64 * (bar + gap);
                    @let value = nrr.get(*e).unwrap_or(0.0);
                    @let h = height * value / 4.0;
                    @let low = lowest.contains(e);
                    rect class=(if low { "bar low" } else { "bar" }) x=(x) y=(top + height - h) width=(bar) height=(h) {
                        title { (e.form_label()) " " (e.name().get(lang)) ": " (number(value, 2, lang)) }
                    }
                    text.value x=(x + bar / 2.0) y=(top + height - h - 4.0) { (number(value, 2, lang)) }
                    text.axis x=(x + bar / 2.0) y="240" { (e.form_label()) }
                    @if low { text.axis.flag x=(x + bar / 2.0) y="258" { "!" } }
                }
            }
        }
    }
}

/// The IKM per month on the 25–100 scale with the grade boundaries drawn in.
pub fn trend_line(id: &str, title: &str, points: &[TrendPoint], lang: Lang) -> Markup {
    let (left, top, width, height) = (40.0, 20.0, 580.0, 180.0);
    let y_of = |ikm: f64| top + height - height * (ikm - 25.0) / 75.0;
    let step = width / (points.len().max(2) - 1) as f64;
    let coordinates: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.ikm
                .map(|ikm| format!("{},{}", left + i as f64 * step, y_of(ikm)))
        })
        .collect();
    let n_label = match lang {
        Lang::Id => "responden",
        Lang::En => "respondents",
    };
    html! {
        figure.chart-figure {
            figcaption id=(id) { (title) }
            svg.chart viewBox="0 0 640 240" role="img" aria-labelledby=(id) {
                @for (grade, _) in &Grade::LOWER_BOUNDS[..3] {
                    @let y = y_of(grade.lower_bound());
                    line.grid x1=(left) x2="620" y1=(y) y2=(y) {}
                    text.axis.start x="2" y=(y - 3.0) { (grade) " " (number(grade.lower_bound(), 2, lang)) }
                }
                @if coordinates.len() > 1 {
                    polyline.line points=(coordinates.join(" ")) {}
                }
                @for (i, p) in points.iter().enumerate() {
                    @let x = left + i as f64 * step;
                    text.axis x=(x) y="230" { (p.period.get(2..).unwrap_or(&p.period)) }
                    @if let Some(ikm) = p.ikm {
                        @let y = y_of(ikm);
                        circle.point cx=(x) cy=(y) r="4" {
                            title { (p.label) ": IKM " (number(ikm, 2, lang)) " (" (p.respondents) " " (n_label) ")" }
                        }
                        text.value x=(x) y=(y - 8.0) { (number(ikm, 1, lang)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times_read_as_in_the_readers_language() {
        assert_eq!(number(88.3, 2, Lang::Id), "88,30");
        assert_eq!(number(88.3, 2, Lang::En), "88.30");
        let at = ikm_core::time::parse_rfc3339("2026-12-02T17:30:56Z").unwrap();
        assert_eq!(
            local_time(at, &TimeZone::wib(), Lang::Id),
            "3 Desember 2026 00.30 (Asia/Jakarta)"
        );
        assert_eq!(
            local_time(at, &TimeZone::parse("WIB").unwrap(), Lang::En),
            "3 December 2026 00:30 (WIB)"
        );
    }

    #[test]
    fn flagged_bars_are_marked_by_more_than_colour() {
        let nrr = PerElement([Some(3.0); 9]);
        let svg = nrr_bars("c", "NRR", &nrr, &[Element::Waktu], Lang::Id).into_string();
        assert_eq!(svg.matches("bar low").count(), 1);
        assert_eq!(svg.matches(">!<").count(), 1);
        assert!(svg.contains("aria-labelledby=\"c\""));
    }
}
