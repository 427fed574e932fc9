//! `/tv`: the waiting-room screen. This month's running figures for everyone in the room, the
//! survey's QR code beside them; no token, off unless the unit's configuration enables it.
//! It shows no individual response, only, where enabled, suggestions staff approved for it.

use crate::api::{Params, Shared, Site};
use crate::charts::{document_with_head, nrr_bars, number};
use crate::error::ApiError;
use crate::qr::{qr_svg, survey_url};
use crate::report::{build_report, Report, ReportQuery};
use crate::store::{Snapshot, Suggestion};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ikm_core::i18n::pages;
use ikm_core::period::Period;
use ikm_core::{Element, Lang};
use maud::{html, Markup, PreEscaped};

const STYLESHEET: &str = include_str!("tv.css");

/// `GET /tv.css`.
pub async fn tv_stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// `GET /tv[?unit=…&lang=en]`: the screen of one unit; with many units and none named, the
/// units whose screen is on. A unit whose screen is off is a 404, as if there were none.
pub async fn tv_page(
    State(app): State<Shared>,
    headers: HeaderMap,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let lang = params.lenient_lang();
    let unit = params.unit();
    if app.is_multi_unit() && unit.is_none() {
        let on: Vec<&Site> = app.sites().filter(|s| s.config.tv.enabled).collect();
        return Ok(screen(units_page(&on, lang), 3600));
    }
    let site = app.site(unit)?;
    if !site.config.tv.enabled {
        return Err(ApiError::NotFound(
            "the waiting-room screen is not enabled for this unit (`tv.enabled`)".into(),
        ));
    }
    let mut snapshot = app.store.snapshot().await?;
    let today = site.config.offset().local_date((app.now)());
    let this_month = ReportQuery::of_period(Period::month_of(today), lang);
    let month = report_of(&app, site, &mut snapshot, &this_month).await?;
    let today_report = report_of(
        &app,
        site,
        &mut snapshot,
        &ReportQuery::of_days(today, today, lang),
    )
    .await?;
    let approved = if site.config.tv.suggestions {
        let request = app.unit_request(&this_month, site)?;
        snapshot
            .for_unit(site.key())
            .suggestions_on_tv(&request.filter, MAX_ON_SCREEN)
            .await?
    } else {
        Vec::new()
    };
    drop(snapshot);
    let refresh = site.config.tv.refresh_secs;
    let shown = in_turn(&approved, (app.now)() / i64::from(refresh.max(1)));
    // The configured address, or the one this screen was reached at; never one from the query.
    let url = survey_url(&app, site, None, &headers);
    let qr = qr_svg(&url, &format!("QR: {url}")).map_err(ApiError::BadRequest)?;
    let screen_parts = Figures {
        month: &month,
        today: today_report.recap.respondents,
        url: &url,
        qr: &qr,
        suggestions: &shown,
    };
    Ok(screen(figures(site, &screen_parts, lang), refresh))
}

/// Most approved suggestions the screen takes its turns from (this month's newest).
const MAX_ON_SCREEN: i64 = 30;
/// How many it shows at a time.
const AT_A_TIME: usize = 2;

/// The suggestions shown on the `turn`-th refresh: [`AT_A_TIME`] of them, the next ones on
/// the next refresh, round and round; the same screen on every TV in the same turn.
fn in_turn(approved: &[Suggestion], turn: i64) -> Vec<&str> {
    let n = approved.len();
    if n == 0 {
        return Vec::new();
    }
    let start = usize::try_from(turn.rem_euclid(n as i64)).unwrap_or(0) * AT_A_TIME % n;
    approved
        .iter()
        .cycle()
        .skip(start)
        .take(AT_A_TIME.min(n))
        .map(|s| s.text.as_str())
        .collect()
}

/// What the screen of one unit shows.
struct Figures<'a> {
    month: &'a Report,
    today: u64,
    url: &'a str,
    qr: &'a str,
    suggestions: &'a [&'a str],
}

async fn report_of(
    app: &Shared,
    site: &Site,
    snapshot: &mut Snapshot,
    query: &ReportQuery,
) -> Result<Report, ApiError> {
    let request = app.unit_request(query, site)?;
    Ok(build_report(snapshot.for_unit(site.key()), &site.config, &request).await?)
}

/// The page with its refresh: a `meta refresh` reloads it on any TV browser, script or not.
fn screen(page: (Lang, String, Markup), refresh_secs: u32) -> Response {
    let (lang, title, body) = page;
    let head = html! {
        meta http-equiv="refresh" content=(refresh_secs);
        link rel="stylesheet" href="/tv.css";
    };
    let mut response =
        (StatusCode::OK, document_with_head(lang, &title, head, body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'",
        ),
    );
    response
}

fn units_page(on: &[&Site], lang: Lang) -> (Lang, String, Markup) {
    let en = lang == Lang::En;
    let title = pages::SCREENS.get(lang).to_string();
    let suffix = if en { "&lang=en" } else { "" };
    let body = html! {
        main.list {
            h1 { (title) }
            @if on.is_empty() {
                p { (pages::NO_SCREEN_ON.get(lang)) }
            }
            ul {
                @for site in on {
                    li { a href={ "/tv?unit=" (site.key()) (suffix) } { (site.config.office_name) } }
                }
            }
        }
    };
    (lang, title, body)
}

fn figures(site: &Site, f: &Figures<'_>, lang: Lang) -> (Lang, String, Markup) {
    let Figures {
        month,
        today,
        url,
        qr,
        suggestions,
    } = *f;
    let en = lang == Lang::En;
    let r = &month.recap;
    let title = format!(
        "{} — {}",
        pages::SCREEN_TITLE.get(lang),
        site.config.office_name
    );
    let dash = || "–".to_string();
    let body = html! {
        main.tv {
            header {
                p.office { (site.config.office_name) }
                h1 { (pages::SURVEY_NAME.get(lang)) " · " (month.period.label) }
            }
            section.figures aria-label=(pages::THIS_MONTH.get(lang)) {
                div.ikm {
                    span { (pages::IKM_THIS_MONTH.get(lang)) }
                    strong { (month.ikm_rounded.map_or_else(dash, |v| number(v, 2, lang))) }
                    span.grade { (r.mutu.map_or_else(dash, |g| format!("{} · {}", g, if en { g.kinerja_en() } else { g.kinerja() }))) }
                }
                div { span { (pages::RESPONDENTS_TODAY.get(lang)) } strong { (today) } }
                div { span { (pages::RESPONDENTS_THIS_MONTH.get(lang)) } strong { (r.respondents) } }
            }
            (nrr_bars("tv-nrr", pages::SCORES_1_TO_4.get(lang), &r.nrr, &[], lang))
            ol.elements {
                @for e in Element::ALL {
                    li { b { (e.form_label()) } " " (e.name().get(lang)) }
                }
            }
            @if !suggestions.is_empty() {
                section.said aria-label=(pages::WHAT_RESPONDENTS_SAID.get(lang)) {
                    h2 { (pages::WHAT_RESPONDENTS_SAID.get(lang)) }
                    @for text in suggestions { blockquote { "“" (text) "”" } }
                }
            }
            aside.scan {
                div.code { (PreEscaped(qr)) }
                p { (pages::SCAN_TO_RATE.get(lang)) }
                p.url { (url) }
            }
        }
    };
    (lang, title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approved(n: usize) -> Vec<Suggestion> {
        (0..n)
            .map(|i| Suggestion {
                id: format!("r{i}"),
                at: 0,
                service: "paspor-baru".into(),
                text: format!("s{i}"),
                complaint: false,
                on_tv: true,
            })
            .collect()
    }

    #[test]
    fn each_refresh_shows_the_next_ones_round_and_round() {
        let five = approved(5);
        assert_eq!(in_turn(&five, 0), ["s0", "s1"]);
        assert_eq!(in_turn(&five, 1), ["s2", "s3"]);
        assert_eq!(in_turn(&five, 2), ["s4", "s0"]);
        assert_eq!(in_turn(&five, 5), ["s0", "s1"], "back to the start");
        assert_eq!(in_turn(&approved(1), 7), ["s0"], "one is shown alone");
        assert!(in_turn(&[], 3).is_empty());
        assert_eq!(in_turn(&five, -1), ["s3", "s4"], "no panic on odd clocks");
    }
}
