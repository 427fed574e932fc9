//! Counter posters: a printable page per counter and service with a QR code of the survey link
//! (`?layanan=…&loket=…`), the office, service and counter in words, a short address to type,
//! and one line of instructions in Indonesian and English. `/admin/qr` and `ikm qr` make them.

use crate::api::{App, Params, Shared, Site};
use crate::auth::Viewer;
use crate::charts::document;
use crate::error::ApiError;
use crate::param::{Param, ParamValue};
use crate::survey_page::survey_path;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use ikm_core::config::{CounterOption, ServiceOption, Slug};
use ikm_core::form::survey_query;
use ikm_core::{Lang, OfficeConfig};
use maud::{html, Markup, PreEscaped};
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

/// Modules of white space around the code: the quiet zone the QR standard asks for.
pub const QUIET_ZONE: usize = 4;

/// One poster: a service, at a counter (or at no particular counter).
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub service: &'a ServiceOption,
    pub counter: Option<&'a CounterOption>,
}

/// Every counter × service combination the office configures: a counter that serves one
/// service gets that service's poster only; without counters, one poster per service.
pub fn targets(config: &OfficeConfig) -> Vec<Target<'_>> {
    if config.counters.is_empty() {
        return config
            .services
            .iter()
            .map(|service| Target {
                service,
                counter: None,
            })
            .collect();
    }
    let mut out = Vec::new();
    for counter in &config.counters {
        for service in &config.services {
            if counter
                .service
                .as_deref()
                .is_none_or(|only| only == service.id)
            {
                out.push(Target {
                    service,
                    counter: Some(counter),
                });
            }
        }
    }
    out
}

/// The survey address without a trailing slash: `https://survei.example.go.id`.
fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// The link the QR code encodes: the survey page with the service and counter fixed.
pub fn survey_link(url: &str, target: Target<'_>) -> String {
    let query = survey_query(
        None,
        Some(&target.service.id),
        target.counter.map(|c| c.id.as_str()),
    );
    format!("{}/{query}", base(url))
}

/// The short address printed under the code, for typing: `/s/{counter}/{service}` (or
/// `/s/-/{service}`), which the collector redirects to the survey link.
pub fn short_link(url: &str, target: Target<'_>) -> String {
    let counter = target.counter.map_or("-", |c| c.id.as_str());
    format!("{}/s/{counter}/{}", base(url), target.service.id)
}

/// A vector QR code of `text` (error correction Q: a quarter of the code may be scratched or
/// dirty), drawn as one path of dark runs inside the quiet zone, `size` wide in CSS units.
pub fn qr_svg(text: &str, title: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)
        .map_err(|e| format!("cannot encode `{text}` as a QR code: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            let dark = |x: usize| row.get(x) == Some(&Color::Dark);
            if dark(x) {
                let start = x;
                while x < width && dark(x) {
                    x += 1;
                }
                let _ = write!(
                    path,
                    "M{} {}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    let title = html! { (title) }.into_string();
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {side} {side}\" role=\"img\" aria-label=\"{title}\" shape-rendering=\"crispEdges\">\
<rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// Paper sizes a poster prints on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    A4,
    A5,
}

impl ParamValue for Paper {
    const EXPECTED: &'static str = "`a4` or `a5`";
    fn from_text(text: &str) -> Option<Paper> {
        match text {
            "a4" | "A4" => Some(Paper::A4),
            "a5" | "A5" => Some(Paper::A5),
            _ => None,
        }
    }
}

impl Paper {
    /// `a4` or `a5`, as file names and queries write it.
    pub fn key(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::A5 => "a5",
        }
    }
}

const POSTER_CSS: &str = include_str!("poster.css");

/// The poster stylesheet for a paper size: the same rules, with the page size and scale.
pub fn poster_css(paper: Paper) -> String {
    let (size, scale) = match paper {
        Paper::A4 => ("A4", "1"),
        Paper::A5 => ("A5", "0.7"),
    };
    POSTER_CSS
        .replace("__PAGE__", size)
        .replace("__SCALE__", scale)
}

/// One poster's markup.
pub fn poster(config: &OfficeConfig, url: &str, target: Target<'_>) -> Result<Markup, String> {
    let link = survey_link(url, target);
    let label = |lang: Lang| {
        let service = target.service.label.get(lang);
        match target.counter {
            Some(c) => format!("{service} · {}", c.label.get(lang)),
            None => service.to_string(),
        }
    };
    let qr = qr_svg(&link, &format!("Kode QR survei: {}", label(Lang::Id)))?;
    let minutes = (config.rated_items() * 8 + 40).div_ceil(60);
    let short = short_link(url, target);
    let typed = short
        .strip_prefix("https://")
        .or_else(|| short.strip_prefix("http://"))
        .unwrap_or(&short)
        .to_string();
    Ok(html! {
        section.poster {
            p.office { (config.office_name) }
            h1 { "Survei Kepuasan Masyarakat" }
            p.title-en lang="en" { "Public Satisfaction Survey" }
            p.where { (label(Lang::Id)) }
            @if label(Lang::En) != label(Lang::Id) { p.where-en lang="en" { (label(Lang::En)) } }
            div.code { (PreEscaped(qr)) }
            p.short { (typed) }
            p.how { "Pindai kode ini dengan kamera ponsel untuk menilai pelayanan kami (sekitar " (minutes) " menit, tanpa data pribadi)." }
            p.how lang="en" { "Scan this code with your phone camera to rate our service (about " (minutes) " minutes, anonymous)." }
        }
    })
}

/// Every poster of the office (or only the `(counter, service)` one) on one document, a page
/// each, linking `stylesheet`.
pub fn sheet(
    config: &OfficeConfig,
    url: &str,
    stylesheet: &str,
    only: Option<(&str, &str)>,
) -> Result<Markup, String> {
    let mut posters = Vec::new();
    for target in targets(config) {
        let counter = target.counter.map_or("-", |c| c.id.as_str());
        if only.is_some_and(|(c, s)| c != counter || s != target.service.id) {
            continue;
        }
        posters.push(poster(config, url, target)?);
    }
    let title = format!("Poster QR survei — {}", config.office_name);
    Ok(document(
        Lang::Id,
        &title,
        stylesheet,
        html! {
            @for p in &posters { (p) }
            @if posters.is_empty() { p { "Tidak ada poster untuk pilihan ini." } }
        },
    ))
}

/// The file name of a poster: `loket-2--paspor-baru` (`-` for no counter).
pub fn file_stem(target: Target<'_>) -> String {
    format!(
        "{}--{}",
        target.counter.map_or("-", |c| c.id.as_str()),
        target.service.id
    )
}

/// Writes every poster into `out`: `index.html` (all), `{stem}.html` and `{stem}.svg` (the
/// code alone) per poster, and the stylesheet. Returns how many posters.
pub fn write_posters(
    config: &OfficeConfig,
    url: &str,
    paper: Paper,
    out: &std::path::Path,
) -> Result<usize, String> {
    let fail =
        |path: &std::path::Path, e: std::io::Error| format!("cannot write {}: {e}", path.display());
    std::fs::create_dir_all(out).map_err(|e| fail(out, e))?;
    let stylesheet = format!("poster-{}.css", paper.key());
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| fail(&path, e))
    };
    write(&stylesheet, &poster_css(paper))?;
    write(
        "index.html",
        &sheet(config, url, &stylesheet, None)?.into_string(),
    )?;
    let all = targets(config);
    for target in &all {
        let stem = file_stem(*target);
        let counter = target.counter.map_or("-", |c| c.id.as_str());
        let page = sheet(
            config,
            url,
            &stylesheet,
            Some((counter, &target.service.id)),
        )?;
        write(&format!("{stem}.html"), &page.into_string())?;
        write(
            &format!("{stem}.svg"),
            &qr_svg(&survey_link(url, *target), &stem)?,
        )?;
    }
    Ok(all.len())
}

/// The unit's public survey address as configured, or as this request reached us (with many
/// units, its own `/u/{unit}` under that address).
pub(crate) fn survey_url(
    app: &App,
    site: &Site,
    asked: Option<&SurveyUrl>,
    headers: &HeaderMap,
) -> String {
    if let Some(SurveyUrl(url)) = asked {
        return url.clone();
    }
    if let Some(url) = &site.config.survey_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let path = survey_path(app, site);
    format!("http://{host}{}", path.trim_end_matches('/'))
}

/// A survey address asked for in a query (`url=`), to print under a code: checked as it is
/// read, so a poster never silently carries another address than the one asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyUrl(String);

impl ParamValue for SurveyUrl {
    const EXPECTED: &'static str =
        "an http:// or https:// address (at most 200 characters, no spaces)";
    fn from_text(url: &str) -> Option<SurveyUrl> {
        ((url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 200
            && url.chars().all(|c| c.is_ascii_graphic()))
        .then(|| SurveyUrl(url.to_string()))
    }
}

/// `/admin/qr`'s query: the paper, one counter's poster (`counter` with `service`), and the
/// survey address to print.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PosterQuery {
    pub paper: Param<Paper>,
    #[serde(deserialize_with = "crate::api::optional_id")]
    pub counter: Option<Slug>,
    #[serde(deserialize_with = "crate::api::optional_id")]
    pub service: Option<Slug>,
    pub url: Param<SurveyUrl>,
}

/// `GET /admin/qr[?paper=a5&counter=…&service=…&url=…]`: the poster sheet. The survey
/// address is `url=`, else the configuration's `survey_url`, else the address this request
/// came to (fine on the office network, not for phones if that is `127.0.0.1`).
pub async fn qr_page(
    Viewer(_, unit): Viewer,
    State(app): State<Shared>,
    headers: HeaderMap,
    Params(params): Params<PosterQuery>,
) -> Result<Response, ApiError> {
    let site = app.site_by_key(&unit);
    let paper = params
        .paper
        .checked("paper")
        .map_err(ApiError::BadRequest)?;
    let paper = paper.copied().unwrap_or(Paper::A4);
    let asked = params.url.checked("url").map_err(ApiError::BadRequest)?;
    let url = survey_url(&app, site, asked, &headers);
    let only = match (&params.counter, &params.service) {
        (Some(c), Some(s)) => Some((c.as_str(), s.as_str())),
        _ => None,
    };
    let stylesheet = format!("/admin/poster-{}.css", paper.key());
    let sheet = sheet(&site.config, &url, &stylesheet, only).map_err(ApiError::BadRequest)?;
    Ok(sheet.into_response())
}

/// `GET /admin/poster-a4.css`, `/admin/poster-a5.css`.
pub fn poster_stylesheet(paper: Paper) -> Response {
    let mut response = poster_css(paper).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    response
}

/// `GET /s/{counter}/{service}`: the short address under a poster's code, redirected to the
/// survey link (`-` for no counter). Unknown ids are dropped rather than refused, as the
/// survey page itself does.
pub async fn short_redirect(
    State(app): State<Shared>,
    Path((counter, service)): Path<(String, String)>,
) -> Response {
    redirect_to_survey(&app, app.first_site(), &counter, &service)
}

/// `GET /u/{unit}/s/{counter}/{service}`: a unit's short address in a deployment of many units.
pub async fn unit_short_redirect(
    State(app): State<Shared>,
    Path((unit, counter, service)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let site = app.site(Some(&unit))?;
    Ok(redirect_to_survey(&app, site, &counter, &service))
}

fn redirect_to_survey(app: &App, site: &Site, counter: &str, service: &str) -> Response {
    let service = site.config.service(service).map(|s| s.id.as_str());
    let counter = site.config.counter(counter).map(|c| c.id.as_str());
    let query = survey_query(None, service, counter);
    Redirect::to(&format!("{}{query}", survey_path(app, site))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_gets_its_services_posters() {
        let config =
            OfficeConfig::from_json(include_str!("../../../examples/office.json")).unwrap();
        let all = targets(&config);
        // Two counters for any of the five services, two counters for one service each.
        assert_eq!(all.len(), 2 * 5 + 2);
        let tpi = all
            .iter()
            .find(|t| t.counter.is_some_and(|c| c.id == "pos-tpi"))
            .unwrap();
        assert_eq!(tpi.service.id, "tpi-pelabuhan");
        assert_eq!(
            survey_link("https://survei.example.go.id/", *tpi),
            "https://survei.example.go.id/?layanan=tpi-pelabuhan&loket=pos-tpi"
        );
        assert_eq!(
            short_link("https://survei.example.go.id", *tpi),
            "https://survei.example.go.id/s/pos-tpi/tpi-pelabuhan"
        );
        let plain = OfficeConfig::default();
        assert_eq!(targets(&plain).len(), plain.services.len());
        assert!(targets(&plain).iter().all(|t| t.counter.is_none()));
        assert_eq!(Param::<Paper>::read(Some("A5")).given(), Some(&Paper::A5));
        assert!(Param::<Paper>::read(Some("letter")).given().is_none());
        let url = |text| Param::<SurveyUrl>::read(Some(text)).given().cloned();
        assert!(url("https://survei.example.go.id/?layanan=x").is_some());
        assert_eq!(url("javascript:alert(1)"), None);
        assert_eq!(url("https://survei.example.go.id/a b"), None);
        assert!(poster_css(Paper::A5).contains("size: A5"));
    }
}
