//! What the office publishes, without a token: `/hasil`, a page of the closed periods, and
//! `/badge.svg`, a small badge for the office website. Only closed periods are shown, so the
//! office decides what is public; never a suggestion or an individual response.

use crate::api::{with_unit, App, Params, Shared, Site};
use crate::charts::{document, local_time, nrr_bars, number, trend_line};
use crate::error::ApiError;
use crate::param::Param;
use crate::report::{build_report, trend, Report, ReportQuery, ReportRequest};
use crate::store::{Closure, Snapshot};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ikm_core::i18n::{pages, ui};
use ikm_core::period::Period;
use ikm_core::score::Grade;
use ikm_core::{Element, Lang};
use maud::{html, Markup};

/// How long browsers and proxies may keep a public page or badge: a reopened period
/// disappears within minutes.
const PUBLIC_CACHE: &str = "public, max-age=300";

/// The report of a closed period as the public sees it: the whole office, frozen figures.
async fn public_report(
    app: &App,
    site: &Site,
    snapshot: &mut Snapshot,
    period: Period,
    lang: Lang,
) -> Result<(ReportRequest, Report), ApiError> {
    let request = app.unit_request(&ReportQuery::of_period(period, lang), site)?;
    let report = build_report(snapshot.for_unit(site.key()), &site.config, &request).await?;
    Ok((request, report))
}

/// Closed periods, latest-ending first (a year after its December, a month before its quarter).
async fn published(snapshot: &mut Snapshot) -> Result<Vec<Closure>, ApiError> {
    let mut closures = snapshot.closures().await?;
    closures.sort_by(|a, b| {
        b.period
            .last_day()
            .cmp(&a.period.last_day())
            .then_with(|| a.period.first_day().cmp(&b.period.first_day()).reverse())
    });
    Ok(closures)
}

/// The closed period a request asks for (`period=`), or the latest one.
async fn chosen(snapshot: &mut Snapshot, params: &ReportQuery) -> Result<Option<Period>, ApiError> {
    let closures = published(snapshot).await?;
    match &params.period {
        Param::Absent => Ok(closures.first().map(|c| c.period)),
        Param::Malformed(key) => Err(ApiError::NotFound(format!("`{key}` is not a period"))),
        Param::Given(period) => {
            let period = *period;
            if closures.iter().any(|c| c.period == period) {
                Ok(Some(period))
            } else {
                Err(ApiError::NotFound(format!(
                    "{} has not been published",
                    period.label(Lang::Id)
                )))
            }
        }
    }
}

fn with_public_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PUBLIC_CACHE),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /hasil[?unit=…&period=…&lang=en]`: the published results of a unit; with many units
/// and none named, the list of units.
pub async fn results_page(
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let lang = params.lenient_lang();
    let en = lang == Lang::En;
    let unit = params.unit();
    if app.is_multi_unit() && unit.is_none() {
        return Ok(with_public_headers(units_page(&app, lang).into_response()));
    }
    let site = app.site(unit)?;
    let link = |url: &str| with_unit(&app, site.key(), url);
    let mut snapshot = app.store.snapshot().await?;
    snapshot.for_unit(site.key());
    let period = match chosen(&mut snapshot, &params).await {
        Ok(p) => p,
        Err(ApiError::NotFound(_)) => {
            let page = shell(
                &app,
                site,
                lang,
                html! { p { (pages::NOT_PUBLISHED.get(lang)) } a href=(link("/hasil")) { (pages::ALL_PUBLISHED_RESULTS.get(lang)) } },
            );
            return Ok(with_public_headers(
                (StatusCode::NOT_FOUND, page).into_response(),
            ));
        }
        Err(e) => return Err(e),
    };
    let closures = published(&mut snapshot).await?;
    let mut rows = Vec::new();
    for c in &closures {
        let (_, report) = public_report(&app, site, &mut snapshot, c.period, lang).await?;
        rows.push((
            c.period,
            report.ikm_rounded,
            report.recap.mutu,
            report.recap.respondents,
        ));
    }
    let body = match period {
        None => {
            html! { p { (pages::NOTHING_PUBLISHED.get(lang)) } }
        }
        Some(period) => {
            let (request, report) = public_report(&app, site, &mut snapshot, period, lang).await?;
            let mut points = trend(&mut snapshot, &request, 12, true).await?;
            points.retain(|p| p.respondents > 0);
            let r = &report.recap;
            html! {
                h2 { (period.label(lang)) }
                section.summary aria-label=(pages::SUMMARY.get(lang)) {
                    div { span { "IKM" } strong { (report.ikm_rounded.map_or("–".into(), |v| number(v, 2, lang))) } }
                    div { span { (pages::SERVICE_QUALITY.get(lang)) } strong { (r.mutu.map_or("–".into(), |g| g.to_string())) } }
                    div { span { (pages::PERFORMANCE.get(lang)) } strong { (r.mutu.map_or("–", |g| if en { g.kinerja_en() } else { g.kinerja() })) } }
                    div { span { (pages::RESPONDENTS.get(lang)) } strong { (r.respondents) } }
                }
                p.verified { (report.verified.sentence(r.respondents, lang)) }
                p.excluded { (report.excluded.sentence(lang)) }
                table {
                    caption { (pages::SCORES_1_TO_4.get(lang)) }
                    thead { tr { th scope="col" { "No" } th scope="col" { (pages::ELEMENT.get(lang)) } th scope="col" { "NRR" } th scope="col" { (pages::GRADE.get(lang)) } } }
                    tbody {
                        @for e in Element::ALL {
                            tr {
                                td { (e.form_label()) }
                                th scope="row" { (e.name().get(lang)) }
                                td.num { (r.nrr.get(e).map_or("–".into(), |v| number(v, 2, lang))) }
                                td { (r.element_mutu.get(e).map_or("–".into(), |g| g.to_string())) }
                            }
                        }
                    }
                }
                (nrr_bars("pub-nrr", pages::SCORE_PER_ELEMENT.get(lang), &r.nrr, &[], lang))
                @if points.len() > 1 {
                    (trend_line("pub-trend", pages::IKM_OF_PUBLISHED_MONTHS.get(lang), &points, lang))
                }
                p.note { (pages::CLOSED_ON.get(lang)) (report.closed.as_ref().map_or(String::new(), |c| local_time(c.closed_at_unix, &site.config.time_zone, lang))) ". "
                    (pages::IKM_FORMULA.get(lang)) (Grade::thresholds(lang)) "."  }
            }
        }
    };
    let page = shell(
        &app,
        site,
        lang,
        html! {
            (body)
            @if !rows.is_empty() {
                h2 { (pages::ALL_PUBLISHED_PERIODS.get(lang)) }
                table {
                    thead { tr { th scope="col" { (pages::PERIOD.get(lang)) } th scope="col" { "IKM" } th scope="col" { (pages::GRADE.get(lang)) } th scope="col" { (pages::RESPONDENTS.get(lang)) } } }
                    tbody {
                        @for (p, ikm, mutu, n) in &rows {
                            tr {
                                th scope="row" { a href=(link(&format!("/hasil?period={}{}", p.key(), if en { "&lang=en" } else { "" }))) aria-current=[(Some(*p) == period).then_some("page")] { (p.label(lang)) } }
                                td.num { (ikm.map_or("–".into(), |v| number(v, 2, lang))) }
                                td { (mutu.map_or("–".into(), |g| g.to_string())) }
                                td.num { (n) }
                            }
                        }
                    }
                }
            }
        },
    );
    let mut response = page.into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'",
        ),
    );
    Ok(with_public_headers(response))
}

/// `/hasil` of a deployment of many units: each unit's published results, by name.
fn units_page(app: &App, lang: Lang) -> Markup {
    let en = lang == Lang::En;
    let title = pages::RESULTS_TITLE.get(lang);
    let suffix = if en { "&lang=en" } else { "" };
    let page = html! {
        main {
            header { h1 { (title) } }
            ul {
                @for site in app.sites() {
                    li { a href={ "/hasil?unit=" (site.key()) (suffix) } { (site.config.office_name) } }
                }
            }
        }
    };
    document(lang, title, "/admin/style.css", page)
}

fn shell(app: &App, site: &Site, lang: Lang, body: Markup) -> Markup {
    let en = lang == Lang::En;
    let title = format!(
        "{} — {}",
        pages::SURVEY_RESULTS.get(lang),
        site.config.office_name
    );
    let link = |url: &str| with_unit(app, site.key(), url);
    let page = html! {
                main {
                    header {
                        p.office { (site.config.office_name) }
                        h1 { (pages::RESULTS_TITLE.get(lang)) }
                        nav aria-label=(ui::LANGUAGE.get(lang)) {
                            a href=(link("/hasil")) hreflang="id" lang="id" aria-current=[(!en).then_some("true")] { "Bahasa Indonesia" }
                            " · "
                            a href=(link("/hasil?lang=en")) hreflang="en" lang="en" aria-current=[en.then_some("true")] { "English" }
                        }
                    }
                    (body)
                }
    };
    document(lang, &title, "/admin/style.css", page)
}

/// Escapes text for SVG content and attributes.
fn xml(text: &str) -> String {
    maud::html! { (text) }.into_string()
}

/// The badge's SVG for a result, or for "not published".
pub fn badge_svg(office: &str, period: &str, figure: &str, detail: &str, lang: Lang) -> String {
    let label = match lang {
        Lang::Id => "Indeks Kepuasan Masyarakat",
        Lang::En => "Public Satisfaction Index",
    };
    // Wide enough for the longest line: about 7 px per character of 12 px text, 15 px of the
    // 24 px bold figure.
    let small = office
        .chars()
        .count()
        .max(label.chars().count() + 3 + period.chars().count());
    let width = (small * 7).max(figure.chars().count() * 15) + 24;
    let width = width.clamp(220, 720);
    let mut description = format!("{label} {office}, {period}: {figure}");
    if !detail.is_empty() {
        description.push_str(". ");
        description.push_str(detail);
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"88\" viewBox=\"0 0 {width} 88\" role=\"img\" aria-labelledby=\"t\">\
<title id=\"t\">{description}</title>\
<rect width=\"{width}\" height=\"88\" rx=\"8\" fill=\"#ffffff\" stroke=\"#1f4e8c\" stroke-width=\"2\"/>\
<text x=\"12\" y=\"22\" font-family=\"Arial, sans-serif\" font-size=\"12\" fill=\"#1a1a1a\">{office}</text>\
<text x=\"12\" y=\"40\" font-family=\"Arial, sans-serif\" font-size=\"12\" fill=\"#4a4a4a\">{label} · {period}</text>\
<text x=\"12\" y=\"72\" font-family=\"Arial, sans-serif\" font-size=\"24\" font-weight=\"bold\" fill=\"#1f4e8c\">{figure}</text>\
</svg>",
        description = xml(&description),
        office = xml(office),
        label = xml(label),
        period = xml(period),
        figure = xml(figure),
    )
}

/// `GET /badge.svg[?period=…&lang=en]`: the published IKM of a closed period (the latest by
/// default) as a small image for the office website.
pub async fn badge(
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let lang = params.lenient_lang();
    let site = app.site(params.unit())?;
    let mut snapshot = app.store.snapshot().await?;
    snapshot.for_unit(site.key());
    let (status, svg) = match chosen(&mut snapshot, &params).await {
        Ok(Some(period)) => {
            let (_, report) = public_report(&app, site, &mut snapshot, period, lang).await?;
            let figure = match (report.ikm_rounded, report.recap.mutu) {
                (Some(ikm), Some(mutu)) => format!(
                    "IKM {} · {} {mutu}",
                    number(ikm, 2, lang),
                    pages::GRADE.get(lang)
                ),
                _ => "IKM –".to_string(),
            };
            (
                StatusCode::OK,
                badge_svg(
                    &site.config.office_name,
                    &period.label(lang),
                    &figure,
                    &report.verified.sentence(report.recap.respondents, lang),
                    lang,
                ),
            )
        }
        Ok(None) | Err(ApiError::NotFound(_)) => {
            let text = pages::NOT_PUBLISHED_YET.get(lang);
            (
                StatusCode::NOT_FOUND,
                badge_svg(&site.config.office_name, text, "IKM –", "", lang),
            )
        }
        Err(e) => return Err(e),
    };
    let mut response = (status, svg).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    Ok(with_public_headers(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_is_text_with_a_title_and_escapes_the_office() {
        let svg = badge_svg(
            "Kanim <A&B>",
            "November 2026",
            "IKM 87,50 · Mutu B",
            "",
            Lang::Id,
        );
        assert!(svg.contains("<title id=\"t\">Indeks Kepuasan Masyarakat Kanim &lt;A&amp;B&gt;, November 2026: IKM 87,50 · Mutu B</title>"));
        assert!(svg.contains("role=\"img\""));
        assert!(
            svg.contains(">IKM 87,50 · Mutu B</text>"),
            "the grade is text, not colour alone"
        );
        assert!(!svg.contains("<A&B>"));
    }
}
