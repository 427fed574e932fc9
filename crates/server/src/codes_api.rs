//! Minting service codes for offices without a queue machine: `POST /api/v1/codes` (JSON for
//! integrations) and `ikm codes` (a printable sheet of ticket-sized slips). Both take their
//! serials from the database, so two batches never repeat one.

use crate::api::{Params, Shared, Site};
use crate::auth::{unit_for, Caller};
use crate::codes::{mint_batch, Batch, CodeSecret, MintedCode};
use crate::error::ApiError;
use crate::office_api::json_body;
use crate::param::Param;
use crate::qr::{qr_svg, survey_url, SurveyUrl};
use crate::store::{Actor, Store, COLLECTOR_SERIALS};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::config::Slug;
use ikm_core::json;
use ikm_core::time::Date;
use ikm_core::{Lang, OfficeConfig};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::json;

/// Most codes in one batch.
pub const MAX_BATCH: u32 = 1000;

/// The stylesheet of the slip sheet: A4, three slips across, cut lines between.
const SLIPS_CSS: &str = "@page { size: A4 portrait; margin: 8mm; }
body { margin: 0; font-family: Arial, \"Liberation Sans\", \"Noto Sans\", sans-serif; color: #000; background: #fff; }
.slips { display: grid; grid-template-columns: repeat(3, 1fr); }
.slip { box-sizing: border-box; border: 1px dashed #555; padding: 3mm; text-align: center; break-inside: avoid; page-break-inside: avoid; }
.slip svg { display: block; width: 30mm; height: 30mm; margin: 0 auto; }
.slip .office { font-size: 8pt; font-weight: 700; margin: 0 0 1mm; }
.slip .code { font-family: \"DejaVu Sans Mono\", \"Liberation Mono\", monospace; font-size: 11pt; font-weight: 700; letter-spacing: 0.05em; margin: 1mm 0; }
.slip .how { font-size: 7pt; margin: 0.5mm 0; }
";

/// A checked mint request: codes of `service` issued `day` at `site`, how many. Made only
/// by [`MintRequest::check`] and holding the site it was checked for, so a request in hand
/// is one that unit can mint.
#[derive(Clone)]
pub struct MintRequest<'a> {
    site: &'a Site,
    service: Slug,
    day: Date,
    count: u32,
}

impl std::fmt::Debug for MintRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MintRequest")
            .field("unit", &self.site.key())
            .field("service", &self.service)
            .field("day", &self.day)
            .field("count", &self.count)
            .finish()
    }
}

impl<'a> MintRequest<'a> {
    /// The request, or why `site` cannot mint that batch, in words for the caller.
    pub fn check(
        site: &'a Site,
        service: &str,
        day: Date,
        count: u32,
    ) -> Result<MintRequest<'a>, String> {
        let config = &site.config;
        let service = Slug::parse(service)
            .filter(|id| config.service(id.as_str()).is_some())
            .ok_or_else(|| {
                let ids: Vec<&str> = config.services.iter().map(|s| s.id.as_str()).collect();
                format!(
                    "`service` must be one of the unit's services ({}), got `{service}`",
                    ids.join(", ")
                )
            })?;
        if !(1..=MAX_BATCH).contains(&count) {
            return Err(format!(
                "`count` must be between 1 and {MAX_BATCH}, got {count}"
            ));
        }
        Ok(MintRequest {
            site,
            service,
            day,
            count,
        })
    }

    /// The service the codes are for.
    pub fn service(&self) -> &Slug {
        &self.service
    }

    /// How many codes.
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// Reserves serials and mints the batch at the request's site, on behalf of `by` (audited).
pub async fn mint(
    store: &Store,
    secret: &CodeSecret,
    request: &MintRequest<'_>,
    url: &str,
    at: i64,
    by: Actor,
) -> Result<Vec<MintedCode>, ApiError> {
    let site = request.site;
    let first = store
        .reserve_code_serials(&request.service, request.day, request.count, at, by)
        .await?
        .ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "the collector mints at most {} codes per service and day; mint the rest for another day or from a queue machine",
                u64::from(COLLECTOR_SERIALS) + 1
            ))
        })?;
    let unit = site.key();
    let batch = Batch {
        service: request.service.to_string(),
        day: request.day,
        first,
        count: request.count,
    };
    mint_batch(&secret.unit_key(unit), unit, &site.config, &batch, url)
        .map_err(ApiError::Unprocessable)
}

/// `POST /api/v1/codes`'s query: the unit (also allowed in the body) and the survey address
/// the codes' links use (`url=`, as for the posters).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CodesQuery {
    pub unit: Param<Slug>,
    pub url: Param<SurveyUrl>,
}

/// `POST /api/v1/codes` with `{"service", "count", "day"?: "YYYY-MM-DD", "unit"?}` (admin of the
/// unit): a batch of single-use codes as JSON, with their survey links.
pub async fn post_codes(
    caller: Caller,
    State(app): State<Shared>,
    Params(params): Params<CodesQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = json_body(&body)?;
    let mut unit = params.unit.as_sent().map(str::to_string);
    let mut service = None;
    let mut count = None;
    let mut day = None;
    json::read_object!(&value, |v| {
        "service" (required) => service = Some(v.string()?),
        "count" (required) => count = Some(v.u32()?),
        "day" => day = Some(v.string()?),
        "unit" => unit = Some(v.string()?),
    })?;
    let unit = unit_for(&app, &caller, unit.as_deref(), true)?;
    let secret = app.codes.as_ref().ok_or_else(|| {
        ApiError::Unprocessable(
            "service codes are off: start ikm serve with IKM_CODE_SECRET set".into(),
        )
    })?;
    let site = app.site_by_key(&unit);
    let now = (app.now)();
    let day = match day {
        None => site.config.offset().local_date(now),
        Some(text) => Date::parse(&text).ok_or_else(|| {
            ApiError::Unprocessable(format!("`day` must be a date YYYY-MM-DD, got `{text}`"))
        })?,
    };
    let request = MintRequest::check(
        site,
        service.as_deref().unwrap_or_default(),
        day,
        count.unwrap_or_default(),
    )
    .map_err(ApiError::Unprocessable)?;
    let asked = params.url.checked("url").map_err(ApiError::BadRequest)?;
    let url = survey_url(&app, site, asked, &headers);
    let codes = mint(
        &app.store,
        secret,
        &request,
        &url,
        now,
        caller.acting_for(&unit),
    )
    .await?;
    let valid_until = valid_until(&site.config, day);
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "unit": (!unit.is_empty()).then_some(unit),
            "service": request.service(),
            "day": day.to_string(),
            "valid_until": valid_until.to_string(),
            "codes": codes,
        })),
    )
        .into_response())
}

/// The last day a code issued on `day` is accepted.
pub fn valid_until(config: &OfficeConfig, day: Date) -> Date {
    Date::from_days_since_epoch(day.days_since_epoch() + i64::from(config.codes.expiry_days))
}

/// The printable sheet: one slip per code with its QR code, the code to type and one line of
/// instructions in Indonesian and English.
pub fn slips_page(
    config: &OfficeConfig,
    service: &str,
    day: Date,
    codes: &[MintedCode],
) -> Result<Markup, String> {
    let label = config
        .service(service)
        .map_or(service.to_string(), |s| s.label.get(Lang::Id).to_string());
    let until = valid_until(config, day);
    let mut slips = Vec::with_capacity(codes.len());
    for c in codes {
        let qr = qr_svg(&c.url, &format!("Kode QR survei, kode {}", c.code))?;
        slips.push(html! {
            div.slip {
                p.office { (config.office_name) }
                (PreEscaped(qr))
                p.code { (c.code) }
                p.how { "Pindai untuk menilai layanan " (label) " (berlaku s.d. " (until) ")." }
                p.how lang="en" { "Scan to rate the service (valid until " (until) ")." }
            }
        });
    }
    Ok(html! {
        (DOCTYPE)
        html lang="id" {
            head {
                meta charset="utf-8";
                title { "Kode survei — " (config.office_name) " — " (label) " — " (day) }
                style { (PreEscaped(SLIPS_CSS)) }
            }
            body {
                main.slips { @for s in &slips { (s) } }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{check_code, Batch, CodeSecret};

    #[test]
    fn a_sheet_has_one_slip_per_code_and_each_qr_carries_its_link() {
        let config = OfficeConfig::default();
        let secret = CodeSecret::from_env(Some("x".repeat(40))).unwrap().unwrap();
        let key = secret.unit_key("");
        let service = config.services[0].id.clone();
        let day = Date::parse("2026-12-05").unwrap();
        let batch = Batch {
            service: service.clone(),
            day,
            first: 0,
            count: 4,
        };
        let codes = mint_batch(&key, "", &config, &batch, "https://survei.example.go.id").unwrap();
        let page = slips_page(&config, &service, day, &codes)
            .unwrap()
            .into_string();
        assert_eq!(page.matches("class=\"slip\"").count(), 4);
        for c in &codes {
            assert!(page.contains(&c.code));
            assert!(check_code(&key, "", &config, &c.code, &service, day).is_ok());
        }
        assert!(page.contains("berlaku s.d. 2026-12-19"));
        let site = Site::new(config.clone());
        assert!(MintRequest::check(&site, "nope", day, 1)
            .unwrap_err()
            .contains("`service`"));
        assert!(MintRequest::check(&site, "Paspor Baru", day, 1)
            .unwrap_err()
            .contains("got `Paspor Baru`"));
        assert!(MintRequest::check(&site, &service, day, 0)
            .unwrap_err()
            .contains("`count`"));
        let request = MintRequest::check(&site, &service, day, 4).unwrap();
        assert_eq!(
            (request.service().as_str(), request.count()),
            (service.as_str(), 4)
        );
    }
}
