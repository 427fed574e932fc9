//! `/admin`: a server-rendered monthly report a head of office can print: recap table, NRR bar
//! chart and 12-month IKM trend as inline SVG, respondent profile, counts and suggestions.

use crate::api::Shared;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::report::{build_report, parse_request, Report, ReportRequest};
use crate::store::Filter;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use ikm_core::score::{round_hundredths, Grade};
use ikm_core::time::Date;
use ikm_core::Element;
use std::collections::HashMap;
use std::fmt::Write;

const STYLESHEET: &str = include_str!("admin.css");

/// `GET /admin/style.css`.
pub async fn admin_stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

fn month_name(d: Date) -> String {
    format!("{} {}", MONTHS[usize::from(d.month - 1)], d.year)
}

/// `GET /admin?month=YYYY-MM[&service=…&counter=…&weights=…&population=N]`.
pub async fn admin_page(
    _: Admin,
    State(app): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let request = parse_request(&params, &app.config, (app.now)()).map_err(ApiError::BadRequest)?;
    let report = build_report(&app.store, &app.config, &request).await?;
    let mut trend = Vec::new();
    let offset = app.config.offset();
    let last = request.to.first_of_month();
    for back in (0..12).rev() {
        let first = last.add_months(-back);
        let after = first.add_months(1);
        let filter = Filter {
            from: offset.start_of(first),
            to: offset.start_of(after),
            ..request.filter.clone()
        };
        let a = app.store.aggregate(&filter).await?;
        trend.push((
            first,
            a.tally.recap(request.weights).ikm,
            a.tally.respondents,
        ));
    }
    let suggestions = app.store.suggestions(&request.filter, 200).await?;
    Ok(Html(render(&report, &request, &trend, &suggestions, &app.config)).into_response())
}

fn render(
    report: &Report,
    request: &ReportRequest,
    trend: &[(Date, Option<f64>, u64)],
    suggestions: &[(i64, String, String)],
    config: &ikm_core::OfficeConfig,
) -> String {
    let r = &report.recap;
    let title = if request.from == request.from.first_of_month()
        && request.to == request.from.last_of_month()
    {
        month_name(request.from)
    } else {
        format!("{} s.d. {}", request.from, request.to)
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Rekap IKM {title} — {office}</title><link rel=\"stylesheet\" href=\"/admin/style.css\"></head><body><main>\
         <header><p class=\"office\">{office}</p><h1>Rekapitulasi Indeks Kepuasan Masyarakat</h1>\
         <p class=\"period\">Periode: <strong>{title}</strong> · {from} s.d. {to} ({tz}) · bobot {weights}</p></header>",
        office = escape(&report.office),
        from = request.from,
        to = request.to,
        tz = escape(&config.time_zone),
        weights = request.weights.printed(),
    );
    let _ = write!(
        h,
        "<form class=\"filters no-print\" method=\"get\" action=\"/admin\"><label>Bulan <input type=\"month\" name=\"month\" value=\"{:04}-{:02}\"></label>\
         <label>Jenis layanan <select name=\"service\"><option value=\"\">Semua</option>{}</select></label>\
         <label>Populasi (pengguna layanan) <input type=\"number\" min=\"0\" name=\"population\" value=\"{}\"></label>\
         <button type=\"submit\">Tampilkan</button> <a href=\"/admin/responses.csv?from={}&amp;to={}\">Unduh CSV</a></form>",
        request.from.year,
        request.from.month,
        config
            .services
            .iter()
            .map(|s| format!(
                "<option value=\"{id}\"{sel}>{label}</option>",
                id = escape(&s.id),
                sel = if request.filter.service.as_deref() == Some(s.id.as_str()) { " selected" } else { "" },
                label = escape(&s.label.id)
            ))
            .collect::<String>(),
        request.population.map(|p| p.to_string()).unwrap_or_default(),
        request.from,
        request.to,
    );
    match (r.ni, report.ikm_rounded, r.mutu, r.kinerja) {
        (Some(ni), Some(ikm), Some(mutu), Some(kinerja)) => {
            let _ = write!(
                h,
                "<section class=\"summary\" aria-label=\"Ringkasan\"><div><span>IKM</span><strong>{}</strong></div>\
                 <div><span>Mutu pelayanan</span><strong>{mutu}</strong></div><div><span>Kinerja unit</span><strong>{kinerja}</strong></div>\
                 <div><span>Responden</span><strong>{}</strong></div></section><p>Nilai interval (NI) {}: IKM = NI × 25.</p>",
                comma(ikm, 2),
                r.respondents,
                comma(ni, 4)
            );
        }
        _ => {
            let _ = write!(
                h,
                "<p class=\"empty\">Belum ada responden pada periode ini.</p>"
            );
        }
    }
    if let Some(sample) = &report.sample {
        let _ = write!(
            h,
            "<p>Sampel minimum (Krejcie &amp; Morgan) untuk populasi {}: <strong>{}</strong> responden — {}.</p>",
            sample.population,
            sample.target,
            if sample.reached { "tercapai" } else { "belum tercapai" }
        );
    }
    h.push_str("<h2>Nilai per unsur</h2><table><thead><tr><th scope=\"col\">No</th><th scope=\"col\">Unsur pelayanan</th><th scope=\"col\">NRR</th><th scope=\"col\">NRR tertimbang</th><th scope=\"col\">Tindak lanjut</th></tr></thead><tbody>");
    for e in Element::ALL {
        let nrr = *r.nrr.get(e);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.form_label(),
            escape(e.name().id),
            nrr.map_or("–".into(), |v| comma(v, 3)),
            nrr.map_or("–".into(), |v| comma(v * request.weights.factor(), 3)),
            if r.lowest.contains(&e) {
                "<strong>Prioritas perbaikan</strong>"
            } else {
                ""
            }
        );
    }
    h.push_str("</tbody></table>");
    h.push_str(&nrr_chart(report));
    h.push_str(&trend_chart(trend));
    h.push_str(&profile_tables(report));
    h.push_str("<h2>Saran dan masukan</h2>");
    if suggestions.is_empty() {
        h.push_str("<p>Tidak ada saran pada periode ini.</p>");
    } else {
        h.push_str("<ul class=\"suggestions\">");
        let offset = config.offset();
        for (at, service, text) in suggestions {
            let label = config
                .service(service)
                .map_or(service.as_str(), |s| s.label.id.as_str());
            let _ = write!(
                h,
                "<li><span class=\"meta\">{} · {}</span> {}</li>",
                offset.local_date(*at),
                escape(label),
                escape(text)
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("<footer><p>Dihitung sesuai PermenPAN-RB No. 14 Tahun 2017: NRR per unsur, NI = Σ NRR × bobot, IKM = NI × 25; mutu A ≥ 88,31, B ≥ 76,61, C ≥ 65,00, D &lt; 65,00.</p></footer></main></body></html>");
    h
}

/// A number with an Indonesian decimal comma.
fn comma(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",")
}

fn nrr_chart(report: &Report) -> String {
    let (w, bar, gap, top, height) = (640.0, 52.0, 16.0, 20.0, 200.0);
    let mut s = format!(
        "<h2 id=\"nrr-chart\">Grafik NRR per unsur</h2><svg class=\"chart\" viewBox=\"0 0 {w} 260\" role=\"img\" aria-labelledby=\"nrr-chart\">"
    );
    for level in 1..=4 {
        let y = top + height - height * f64::from(level) / 4.0;
        let _ = write!(s, "<line x1=\"30\" x2=\"{w}\" y1=\"{y}\" y2=\"{y}\" class=\"grid\"/><text x=\"4\" y=\"{}\" class=\"axis start\">{level}</text>", y + 4.0);
    }
    for (i, e) in Element::ALL.iter().enumerate() {
        let x = 40.0 + i as f64 * (bar + gap);
        let value = report.recap.nrr.get(*e).unwrap_or(0.0);
        let h = height * value / 4.0;
        let class = if report.recap.lowest.contains(e) {
            "bar low"
        } else {
            "bar"
        };
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" class=\"{class}\"><title>{} {}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\" class=\"value\">{}</text><text x=\"{}\" y=\"245\" class=\"axis\">{}</text>",
            top + height - h,
            e.form_label(),
            escape(e.name().id),
            comma(value, 2),
            x + bar / 2.0,
            top + height - h - 4.0,
            comma(value, 2),
            x + bar / 2.0,
            e.form_label()
        );
    }
    s.push_str("</svg>");
    s
}

fn trend_chart(trend: &[(Date, Option<f64>, u64)]) -> String {
    let (left, top, width, height) = (40.0, 20.0, 580.0, 180.0);
    let y_of = |ikm: f64| top + height - height * (ikm - 25.0) / 75.0;
    let mut s = String::from(
        "<h2 id=\"trend-chart\">Tren IKM 12 bulan terakhir</h2><svg class=\"chart\" viewBox=\"0 0 640 240\" role=\"img\" aria-labelledby=\"trend-chart\">",
    );
    for (grade, _) in &Grade::LOWER_BOUNDS[..3] {
        let (bound, label) = (grade.lower_bound(), grade.to_string());
        let y = y_of(bound);
        let _ = write!(s, "<line x1=\"{left}\" x2=\"620\" y1=\"{y}\" y2=\"{y}\" class=\"grid\"/><text x=\"2\" y=\"{}\" class=\"axis start\">{label} {}</text>", y - 3.0, comma(bound, 2));
    }
    let step = width / (trend.len().max(2) - 1) as f64;
    let mut points = Vec::new();
    for (i, (month, ikm, n)) in trend.iter().enumerate() {
        let x = left + i as f64 * step;
        let _ = write!(
            s,
            "<text x=\"{x}\" y=\"230\" class=\"axis\">{:02}/{}</text>",
            month.month,
            month.year % 100
        );
        if let Some(ikm) = ikm {
            let y = y_of(*ikm);
            points.push(format!("{x},{y}"));
            let _ = write!(
                s,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"4\" class=\"point\"><title>{}: IKM {} ({n} responden)</title></circle><text x=\"{x}\" y=\"{}\" class=\"value\">{}</text>",
                month_name(*month),
                comma(round_hundredths(*ikm) as f64 / 100.0, 2),
                y - 8.0,
                comma(round_hundredths(*ikm) as f64 / 100.0, 1)
            );
        }
    }
    if points.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" class=\"line\"/>",
            points.join(" ")
        );
    }
    s.push_str("</svg>");
    s
}

fn profile_tables(report: &Report) -> String {
    let mut s = String::from("<h2>Profil responden</h2><div class=\"profile\">");
    let p = &report.profile;
    for (title, counts) in [
        ("Jenis kelamin", &p.gender),
        ("Usia", &p.age),
        ("Pendidikan", &p.education),
        ("Pekerjaan", &p.occupation),
    ] {
        let _ = write!(s, "<table><caption>{title}</caption><tbody>");
        for (code, n) in &counts.0 {
            let _ = write!(
                s,
                "<tr><th scope=\"row\">{}</th><td>{n}</td></tr>",
                escape(code)
            );
        }
        s.push_str("</tbody></table>");
    }
    for (title, counts) in [
        ("Jenis layanan", &report.services),
        ("Loket", &report.counters),
    ] {
        let _ = write!(s, "<table><caption>{title}</caption><tbody>");
        for (code, n) in counts {
            let _ = write!(
                s,
                "<tr><th scope=\"row\">{}</th><td>{n}</td></tr>",
                escape(code)
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</div>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_suggestions() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(comma(88.3, 2), "88,30");
    }
}
