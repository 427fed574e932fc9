//! The audit trail as auditors read it: `GET /api/v1/audit` (JSON) and `/admin/audit` (a page).
//! A caller sees the events of the units its scope covers; events of no one unit (logins of
//! the admin token, accounts of a region) only with a scope over every unit.

use crate::accounts::Scope;
use crate::api::{with_unit, App, Params, Shared, Target};
use crate::auth::{Caller, Reader, Subject};
use crate::charts::{document, local_time};
use crate::error::ApiError;
use crate::param::Param;
use crate::store::{AuditEvent, AuditQuery};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ikm_core::config::Slug;
use ikm_core::time::{format_rfc3339, Date};
use ikm_core::Lang;
use maud::html;
use serde_json::{json, Value};

/// Most events one request returns (newest first); narrow `from`/`to` for older ones.
pub const MAX_EVENTS: u32 = 5000;

/// The audit trail's query: the unit (read by the caller's extractor too) and office-local
/// days `from..=to`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuditParams {
    pub unit: Param<Slug>,
    pub from: Param<Date>,
    pub to: Param<Date>,
}

/// Reads `unit`, `from` and `to` (office-local days, inclusive) into the query this caller may make.
fn audit_query(
    app: &App,
    caller: &Caller,
    subject: &Subject,
    params: &AuditParams,
) -> Result<AuditQuery, ApiError> {
    let checked = |name: &str, day: &Param<Date>| {
        day.checked(name)
            .map(Option::<&Date>::copied)
            .map_err(ApiError::BadRequest)
    };
    let (from, to) = (checked("from", &params.from)?, checked("to", &params.to)?);
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ApiError::BadRequest("`from` is after `to`".into()));
        }
    }
    // Days are read in the first unit's time zone (every unit's, for a single office).
    let offset = app.first_site().config.offset();
    let named_unit = params.unit.is_named();
    let wide = matches!(caller.scope, Scope::All);
    let units = match subject {
        // The events of no one unit go with a single office's own, for a caller of every unit.
        Subject::Unit(unit) if wide && !(named_unit && app.is_multi_unit()) => {
            Some(vec![unit.clone(), String::new()])
        }
        Subject::Unit(unit) => Some(vec![unit.clone()]),
        Subject::Region(id) => Some(app.region(id)?.units.clone()),
        Subject::All => None,
    };
    Ok(AuditQuery {
        units,
        from: from.map(|d| offset.start_of(d)),
        to: to.map(|d| offset.span(d, d).1),
        limit: MAX_EVENTS,
    })
}

/// The events `params` ask for that `caller` may see.
async fn read_events(
    app: &App,
    caller: &Caller,
    subject: &Subject,
    params: &AuditParams,
) -> Result<Vec<AuditEvent>, ApiError> {
    let query = audit_query(app, caller, subject, params)?;
    Ok(app.store.snapshot().await?.audit_events(&query).await?)
}

fn event_json(e: &AuditEvent) -> Value {
    json!({
        "at": format_rfc3339(e.at),
        "actor": e.actor,
        "action": e.action,
        "unit": (!e.unit.is_empty()).then_some(&e.unit),
        "target": e.target,
        "before": e.before,
        "after": e.after,
    })
}

/// `GET /api/v1/audit?unit=…&from=YYYY-MM-DD&to=YYYY-MM-DD` → `{"events": [...]}`, newest first.
pub async fn get_audit(
    Reader(caller, subject): Reader,
    State(app): State<Shared>,
    Params(params): Params<AuditParams>,
) -> Result<Response, ApiError> {
    let query = audit_query(&app, &caller, &subject, &params)?;
    let events = app.store.snapshot().await?.audit_events(&query).await?;
    Ok(
        Json(json!({ "events": events.iter().map(event_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

/// A before/after value as one line of text.
fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "—".into(), Value::to_string)
}

/// `GET /admin/audit`: the same events as a table, with the same filters.
pub async fn audit_page(
    Reader(caller, subject): Reader,
    State(app): State<Shared>,
    Params(params): Params<AuditParams>,
) -> Result<Response, ApiError> {
    let events = read_events(&app, &caller, &subject, &params).await?;
    let (name, back) = match app.target(&subject)? {
        Target::Unit(site) => (
            site.config.office_name.clone(),
            with_unit(&app, site.key(), "/admin"),
        ),
        Target::Region(r) => (r.label.id.clone(), format!("/admin?region={}", r.id)),
        Target::All => ("Semua unit".to_string(), "/admin?all=1".to_string()),
    };
    let scope_q = match &subject {
        Subject::Unit(u) if app.is_multi_unit() => format!("unit={u}&"),
        Subject::Region(r) => format!("region={r}&"),
        Subject::All if app.is_multi_unit() => "all=1&".to_string(),
        _ => String::new(),
    };
    let zone = &app.first_site().config.time_zone;
    let (from, to) = (
        params.from.given().map(Date::to_string).unwrap_or_default(),
        params.to.given().map(Date::to_string).unwrap_or_default(),
    );
    let body = html! {
        main {
            header {
                p.office { (name) }
                h1 { "Jejak audit" }
                p { "Setiap perubahan: siapa, kapan, unit, apa, nilai sebelum dan sesudah. Tidak ada yang dapat mengubah atau menghapus catatan ini." }
            }
            nav.actions aria-label="Tautan" {
                a href=(back) { "Kembali ke rekap" }
                a href={ "/api/v1/audit?" (scope_q) "from=" (from) "&to=" (to) } { "JSON" }
            }
            form.picker method="get" action="/admin/audit" {
                @match &subject {
                    Subject::Unit(u) if app.is_multi_unit() => { input type="hidden" name="unit" value=(u); }
                    Subject::Region(r) => { input type="hidden" name="region" value=(r); }
                    Subject::All if app.is_multi_unit() => { input type="hidden" name="all" value="1"; }
                    _ => {}
                }
                label { "Dari " input type="date" name="from" value=(from); }
                label { "Sampai " input type="date" name="to" value=(to); }
                button type="submit" { "Tampilkan" }
            }
            @if events.is_empty() {
                p { "Belum ada catatan pada rentang ini." }
            } @else {
                table {
                    caption { (events.len()) " catatan, terbaru di atas (" (zone) ")" }
                    thead { tr { th scope="col" { "Waktu" } th scope="col" { "Pelaku" } th scope="col" { "Tindakan" } th scope="col" { "Unit" } th scope="col" { "Sasaran" } th scope="col" { "Sebelum" } th scope="col" { "Sesudah" } } }
                    tbody {
                        @for e in &events {
                            tr {
                                td { (local_time(e.at, zone, Lang::Id)) }
                                td { (e.actor) }
                                td { code { (e.action) } }
                                td { (if e.unit.is_empty() { "—" } else { e.unit.as_str() }) }
                                td { (e.target) }
                                td { code { (shown(e.before.as_ref())) } }
                                td { code { (shown(e.after.as_ref())) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(document(
        Lang::Id,
        &format!("Jejak audit — {name}"),
        "/admin/style.css",
        body,
    )
    .into_response())
}
