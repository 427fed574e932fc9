//! `/admin`: the office's working page for a period (month, quarter, semester, year): the
//! recap with grades and spreads, per service, IPK, sample progress, the follow-up plan and
//! closing the period, each with a plain HTML form (no script; the page prints on A4).

use crate::accounts::Scope;
use crate::api::{with_unit, App, Params, Shared, Site, Target};
use crate::auth::{Editor, Reader};
use crate::charts::{document, local_time, long_date, nrr_bars, number, trend_line};
use crate::error::ApiError;
use crate::office_api::{check_note, check_population, close, create_follow_up};
use crate::origin::{is_from_this_site, OriginPolicy};
use crate::param::{Month, Param};
use crate::report::{
    add_suggestions, build_region_report, build_report, trend, FollowUpView, Report, ReportQuery,
    ReportRequest, TrendPoint,
};
use crate::store::{PeriodAction, PeriodEvent, Suggestion};
use crate::tables::{module_table, profile_tables, services_table};
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use ikm_core::config::Slug;
use ikm_core::followup::{FollowUpInput, Status};
use ikm_core::period::Period;
use ikm_core::score::Grade;
use ikm_core::time::Date;
use ikm_core::{Element, Lang, OfficeConfig};
use maud::{html, Markup};

const STYLESHEET: &str = include_str!("admin.css");

/// `GET /admin/style.css`.
pub async fn admin_stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

/// Which of the page's forms a problem belongs to, so it is shown there with what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FormKind {
    Population,
    NewFollowUp,
    EditFollowUp(String),
    Reopen,
}

/// A refused form: where, why, and the values to put back so nothing typed is lost.
struct Problem {
    form: FormKind,
    message: String,
    values: Vec<(String, String)>,
}

impl Problem {
    /// The value typed into `name` if this problem is about `form`.
    fn value(problem: Option<&Problem>, form: &FormKind, name: &str) -> Option<String> {
        problem
            .filter(|p| p.form == *form)
            .and_then(|p| p.values.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.clone())
    }
}

/// `GET /admin?period=…[&unit=…&service=…&counter=…&weights=…&population=N]`; with
/// `region=…` or `all=1` (or without a unit for a caller of a region or of every unit) the
/// ranking of the units.
pub async fn admin_page(
    Reader(caller, subject): Reader,
    State(app): State<Shared>,
    Params(params): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    match app.target(&subject)? {
        Target::Unit(site) => {
            let wider = app.is_multi_unit() && !matches!(caller.scope, Scope::Unit(_));
            dashboard(&app, site, &params, None, wider).await
        }
        target => ranking_page(&app, target, &params).await,
    }
}

/// The ranking of a region's (or every) unit for a period, each linked to its own page.
async fn ranking_page(
    app: &App,
    target: Target<'_>,
    params: &ReportQuery,
) -> Result<Response, ApiError> {
    let request = app.unit_request(params, app.first_site())?;
    let mut snapshot = app.store.snapshot().await?;
    let report = build_region_report(&mut snapshot, app, target, &request).await?;
    drop(snapshot);
    let title = request.title();
    let period_q = request
        .period
        .map(|p| format!("&period={}", p.key()))
        .unwrap_or_default();
    let scope_q = match &report.region {
        Some(id) => format!("region={id}"),
        None => "all=1".to_string(),
    };
    let body = html! {
        main {
            header {
                p.office { (report.label) }
                h1 { "Peringkat IKM unit " (title) }
                p.period { (long_date(request.from(), Lang::Id)) " s.d. " (long_date(request.to(), Lang::Id)) " (zona waktu tiap unit) · bobot " (request.weights.printed()) }
            }
            form.filters.no-print method="get" action="/admin" {
                @if let Some(id) = &report.region { input type="hidden" name="region" value=(id); } @else { input type="hidden" name="all" value="1"; }
                label {
                    "Periode"
                    select name="period" {
                        @for (group, periods) in picker_periods(Period::month_of(request.to()).last_day().min(app.first_site().config.offset().local_date((app.now)())), request.period) {
                            optgroup label=(group) {
                                @for p in periods {
                                    option value=(p.key()) selected[Some(p) == request.period] { (p.label(Lang::Id)) }
                                }
                            }
                        }
                    }
                }
                button type="submit" { "Tampilkan" }
            }
            nav.actions.no-print aria-label="Tautan" {
                a href={ "/api/v1/report?" (scope_q) (period_q) } { "JSON" }
                a href="/admin/audit" { "Jejak audit" }
            }
            form.logout.no-print method="post" action="/logout" {
                button type="submit" { "Keluar" }
            }
            section aria-labelledby="pooled" {
                h2 id="pooled" { "IKM gabungan" }
                p {
                    "Seluruh responden unit-unit ini dihitung sebagai satu survei (angka utama): "
                    strong { (report.ikm_rounded.map_or("—".to_string(), |v| number(v, 2, Lang::Id))) }
                    @if let Some(m) = report.recap.mutu { " (mutu " (m) ")" }
                    ", " (report.recap.respondents) " responden. Rata-rata IKM unit: "
                    (report.mean_of_units.ikm.map_or("—".to_string(), |v| number(v, 2, Lang::Id)))
                    @if let Some(m) = report.mean_of_units.mutu { " (mutu " (m) ")" }
                    " dari " (report.mean_of_units.units) " unit."
                }
                p.verified { (report.verified.sentence(report.recap.respondents, Lang::Id)) }
                p { (report.excluded.sentence(Lang::Id)) }
            }
            section aria-labelledby="ranking" {
                h2 id="ranking" { "Peringkat unit" }
                table {
                    thead { tr { th scope="col" { "No." } th scope="col" { "Unit" } th scope="col" { "Responden" } th scope="col" { "IKM" } th scope="col" { "Mutu" } th scope="col" { "Periode" } } }
                    tbody {
                        @for (i, (id, u)) in report.per_unit.ranked().into_iter().enumerate() {
                            tr {
                                td { (i + 1) }
                                td { a href={ "/admin?unit=" (id) (period_q) } { (u.label) } }
                                td { (u.respondents) }
                                td { (u.ikm.map_or("—".to_string(), |v| number(v, 2, Lang::Id))) }
                                td { (u.mutu.map_or("—".to_string(), |m| m.to_string())) }
                                td { @if u.closed { "ditutup" } @else { "terbuka" } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(document(
        Lang::Id,
        &format!("Peringkat IKM {title} — {}", report.label),
        "/admin/style.css",
        body,
    )
    .into_response())
}

/// The page of `site` for `params`, with `problem` shown at its form (then answered 422);
/// `wider`: the caller also sees other units (a link back to their ranking).
async fn dashboard(
    app: &App,
    site: &Site,
    params: &ReportQuery,
    problem: Option<Problem>,
    wider: bool,
) -> Result<Response, ApiError> {
    let request = app.unit_request(params, site)?;
    let mut snapshot = app.store.snapshot().await?;
    snapshot.for_unit(site.key());
    let mut report = build_report(&mut snapshot, &site.config, &request).await?;
    let points = trend(&mut snapshot, &request, 12, false).await?;
    let mut suggestions =
        add_suggestions(&mut report, &mut snapshot, &site.config, &request).await?;
    suggestions.truncate(NEWEST_SUGGESTIONS);
    let events = match request.period {
        Some(p) => snapshot.period_events(p).await?,
        None => Vec::new(),
    };
    drop(snapshot);
    let today = site.config.offset().local_date((app.now)());
    let view = View {
        app,
        site,
        wider,
        request: &request,
        report: &report,
        today,
    };
    let markup = view.page(&points, &suggestions, &events, problem.as_ref());
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, markup).into_response())
}

/// What every part of the page reads.
struct View<'a> {
    app: &'a App,
    site: &'a Site,
    /// The caller also reads other units: link back to the ranking.
    wider: bool,
    request: &'a ReportRequest,
    report: &'a Report,
    today: Date,
}

/// The periods the picker offers: this and the two previous years' months, quarters,
/// semesters and years, newest first, plus the one shown if it is older.
fn picker_periods(today: Date, shown: Option<Period>) -> Vec<(&'static str, Vec<Period>)> {
    let years = [today.year, today.year - 1, today.year - 2];
    let months: Vec<Period> = (0..36)
        .map(|back| Period::month_of(today.first_of_month().add_months(-back)))
        .collect();
    let quarters: Vec<Period> = years
        .iter()
        .flat_map(|&year| {
            (1..=4)
                .rev()
                .map(move |quarter| Period::Quarter { year, quarter })
        })
        .filter(|p| p.first_day() <= today)
        .collect();
    let semesters: Vec<Period> = years
        .iter()
        .flat_map(|&year| {
            (1..=2)
                .rev()
                .map(move |semester| Period::Semester { year, semester })
        })
        .filter(|p| p.first_day() <= today)
        .collect();
    let whole_years: Vec<Period> = years.iter().map(|&year| Period::Year { year }).collect();
    let mut groups = vec![
        ("Bulan", months),
        ("Triwulan", quarters),
        ("Semester", semesters),
        ("Tahun", whole_years),
    ];
    if let Some(shown) = shown {
        if !groups.iter().any(|(_, list)| list.contains(&shown)) {
            let index = match shown {
                Period::Month { .. } => 0,
                Period::Quarter { .. } => 1,
                Period::Semester { .. } => 2,
                Period::Year { .. } => 3,
            };
            if let Some((_, list)) = groups.get_mut(index) {
                list.push(shown);
            }
        }
    }
    groups
}

/// `/admin` for `unit` (`""`: the single office) and `period` (keeping the service filter).
fn admin_url(unit: &str, period: Option<Period>, service: Option<&str>) -> String {
    let mut url = String::from("/admin");
    let mut sep = '?';
    if !unit.is_empty() {
        url.push_str(&format!("{sep}unit={unit}"));
        sep = '&';
    }
    if let Some(p) = period {
        url.push_str(&format!("{sep}period={}", p.key()));
        sep = '&';
    }
    if let Some(s) = service {
        url.push_str(&format!("{sep}service={s}"));
    }
    url
}

impl View<'_> {
    fn config(&self) -> &OfficeConfig {
        &self.site.config
    }

    /// `url` naming this page's unit, when the deployment has more than one.
    fn with_unit(&self, url: &str) -> String {
        with_unit(self.app, self.site.key(), url)
    }

    /// The period forms act on: the one shown, or the month of its last day.
    fn acting_period(&self) -> Period {
        self.request
            .period
            .unwrap_or_else(|| Period::month_of(self.request.to()))
    }

    fn page(
        &self,
        points: &[TrendPoint],
        suggestions: &[Suggestion],
        events: &[PeriodEvent],
        problem: Option<&Problem>,
    ) -> Markup {
        let r = &self.report;
        let title = self.request.title();
        let body = html! {
                    main {
                        header {
                            p.office { (r.office) }
                            h1 { "Rekapitulasi IKM " (title) }
                            p.period {
                                (long_date(self.request.from(), Lang::Id)) " s.d. " (long_date(self.request.to(), Lang::Id))
                                " (" (self.config().time_zone) ") · bobot " (self.request.weights.printed())
                                @if let Some(s) = &self.request.filter.service {
                                    " · layanan " (self.config().service(s.as_str()).map_or(s.as_str(), |o| o.label.id.as_str()))
                                }
                            }
                            (self.status_line())
                        }
                        (self.picker())
                        nav.actions.no-print aria-label="Tautan" {
                            @let key = self.request.period.map(|p| p.key());
                            @if let Some(key) = &key {
                                a href=(self.with_unit(&format!("/admin/laporan?period={key}"))) { "Laporan resmi (cetak/PDF)" }
                            }
                            a href=(self.with_unit(&format!("/admin/responses.csv?from={}&to={}", self.request.from(), self.request.to()))) { "Unduh CSV" }
                            a href=(self.with_unit(&format!("/api/v1/report?from={}&to={}", self.request.from(), self.request.to()))) { "JSON" }
                            a href=(self.with_unit("/hasil")) { "Halaman publik" }
                            a href=(self.with_unit("/admin/qr")) { "Poster QR loket" }
                            a href=(self.with_unit("/admin/audit")) { "Jejak audit" }
                            @if self.wider {
                                a href="/admin" { "Peringkat unit" }
                            }
                        }
                        form.logout.no-print method="post" action="/logout" {
                            button type="submit" { "Keluar" }
                        }
                        (self.summary())
                        (self.sample_section(problem))
                        (self.elements_table())
                        (nrr_bars("nrr-chart", "Grafik NRR per unsur (tanda ! = prioritas perbaikan)", &r.recap.nrr, &r.recap.lowest, Lang::Id))
                        (trend_line("trend-chart", "Tren IKM 12 bulan terakhir", points, Lang::Id))
                        (self.services_table())
                        (self.modules_section())
                        (self.profile_section())
                        (self.review_section())
                        (self.follow_up_section(problem))
                        (self.closing_section(events, problem))
                        (self.suggestions_section(suggestions))
                        footer {
                            p { "Dihitung sesuai PermenPAN-RB No. 14 Tahun 2017: NRR per unsur, NI = Σ NRR × bobot, IKM = NI × 25; mutu " (Grade::thresholds(Lang::Id)) ". Mutu per unsur: NRR × 25 pada tabel yang sama." }
                        }
                    }
        };
        document(
            Lang::Id,
            &format!("Rekap IKM {title} — {}", r.office),
            "/admin/style.css",
            body,
        )
    }

    fn status_line(&self) -> Markup {
        html! {
            @match (&self.report.closed, self.request.period) {
                (Some(c), _) => {
                    p.state.closed {
                        strong { "Periode ditutup" } " pada " (local_time(c.closed_at_unix, &self.config().time_zone, Lang::Id)) "; angka dibekukan pada " (c.respondents) " responden."
                        @if self.report.late > 0 {
                            " " (self.report.late) " respons masuk setelah penutupan: tersimpan dan ada di CSV, tidak mengubah angka ini."
                        }
                    }
                }
                (None, Some(_)) => {
                    p.state.open { strong { "Periode terbuka" } ": angka masih dapat bertambah. Tanggal " (local_time((self.app.now)(), &self.config().time_zone, Lang::Id)) "." }
                }
                (None, None) => {}
            }
        }
    }

    fn picker(&self) -> Markup {
        let shown = self.request.period;
        html! {
            form.filters.no-print method="get" action="/admin" {
                @if self.app.is_multi_unit() {
                    input type="hidden" name="unit" value=(self.site.key());
                }
                label {
                    "Periode"
                    select name="period" {
                        @for (group, periods) in picker_periods(self.today, shown) {
                            optgroup label=(group) {
                                @for p in periods {
                                    option value=(p.key()) selected[Some(p) == shown] { (p.label(Lang::Id)) }
                                }
                            }
                        }
                    }
                }
                label {
                    "Jenis layanan"
                    select name="service" {
                        option value="" { "Semua" }
                        @for s in &self.config().services {
                            option value=(s.id) selected[self.request.filter.service.as_ref().map(Slug::as_str) == Some(s.id.as_str())] { (s.label.id) }
                        }
                    }
                }
                button type="submit" { "Tampilkan" }
            }
        }
    }

    fn summary(&self) -> Markup {
        let r = &self.report.recap;
        html! {
            @match (r.ni, self.report.ikm_rounded, r.mutu, r.kinerja) {
                (Some(ni), Some(ikm), Some(mutu), Some(kinerja)) => {
                    section.summary aria-label="Ringkasan" {
                        div { span { "IKM" } strong { (number(ikm, 2, Lang::Id)) } }
                        div { span { "Mutu pelayanan" } strong { (mutu) } }
                        div { span { "Kinerja unit" } strong { (kinerja) } }
                        div { span { "Responden" } strong { (r.respondents) } }
                    }
                    p { "Nilai interval (NI) " (number(ni, 4, Lang::Id)) ": IKM = NI × 25." }
                    p.verified { (self.report.verified.sentence(r.respondents, Lang::Id)) }
                }
                _ => {
                    @if r.respondents == 0 {
                        p.empty { "Belum ada responden pada periode ini." }
                    } @else {
                        p.empty { (r.respondents) " responden, tetapi belum semua unsur terjawab: IKM belum dapat dihitung." }
                    }
                }
            }
        }
    }

    /// Flags and exclusions (docs/review.md): each flag with a form that excludes its
    /// responses for a reason, each exclusion with a button that counts its responses again.
    /// A closed period shows them without the forms (its exclusions are frozen with it).
    fn review_section(&self) -> Markup {
        let r = &self.report;
        let open = r.closed.is_none();
        let period = self.acting_period().key();
        html! {
            section aria-labelledby="h-review" {
                h2 id="h-review" { "Tinjauan respons" }
                p { (r.excluded.sentence(Lang::Id)) }
                @if r.flags.is_empty() {
                    p { "Tidak ada pola mencurigakan pada periode ini." }
                } @else {
                    p { "Pola yang perlu ditinjau. Tanda ini tidak mengubah angka; respons hanya dikecualikan bila Anda memutuskannya, dengan alasan, dan tercatat di jejak audit." }
                    ul.flags {
                        @for (i, f) in r.flags.iter().enumerate() {
                            li {
                                strong { (f.why) }
                                @if let (Some(from), Some(to)) = (&f.from, &f.to) {
                                    " " span.when { (from) " – " (to) }
                                }
                                @if f.excluded > 0 {
                                    " (" (f.excluded) " dari " (f.responses.len()) " sudah dikecualikan)"
                                }
                                @if open && !f.responses.is_empty() && f.excluded < f.responses.len() {
                                    form.inline.no-print method="post" action=(self.with_unit("/admin/exclusions")) {
                                        input type="hidden" name="period" value=(period);
                                        input type="hidden" name="responses" value=(f.responses.join(" "));
                                        label for=(format!("flag-reason-{i}")) { "Alasan" }
                                        input id=(format!("flag-reason-{i}")) name="reason" required minlength="3" maxlength="300";
                                        button type="submit" { "Kecualikan " (f.responses.len()) " respons" }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !r.excluded.reasons.is_empty() {
                    h3 { "Dikecualikan" }
                    ul {
                        @for reason in &r.excluded.reasons {
                            li {
                                (reason.respondents) " × “" (reason.reason) "”"
                                @if open {
                                    form.inline.no-print method="post" action=(self.with_unit("/admin/exclusions/undo")) {
                                        input type="hidden" name="period" value=(period);
                                        input type="hidden" name="responses" value=(reason.responses.join(" "));
                                        button type="submit" { "Hitung kembali" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn sample_section(&self, problem: Option<&Problem>) -> Markup {
        let form = FormKind::Population;
        let typed = |name: &str| Problem::value(problem, &form, name);
        let default_month =
            Period::month_of(self.request.to().min(self.today).max(self.request.from()));
        html! {
            section aria-labelledby="h-sample" {
                h2 id="h-sample" { "Sampel (Krejcie & Morgan)" }
                @match &self.report.sample {
                    Some(s) => {
                        p {
                            "Populasi (pengguna layanan) " strong { (s.population) } ", sampel minimum " strong { (s.target) }
                            " responden; terkumpul " strong { (s.respondents) } " — "
                            (if s.reached { "tercapai" } else { "belum tercapai" }) "."
                        }
                        label.progress {
                            span { "Progres sampel: " (s.respondents) " dari " (s.target) }
                            progress max=(s.target.max(1)) value=(s.respondents.min(s.target.max(1))) {}
                        }
                        @if !s.months_missing.is_empty() {
                            p.warning { "Populasi belum dicatat untuk: " (s.months_missing.join(", ")) " — target sampel dihitung tanpa bulan tersebut." }
                        }
                    }
                    None => p { "Populasi periode ini belum dicatat: catat jumlah pengguna layanan per bulan untuk melihat target sampel." }
                }
                form.inline.no-print method="post" action=(self.with_unit("/admin/population")) {
                    @if let Some(p) = problem.filter(|p| p.form == form) {
                        p.form-error role="alert" { (p.message) }
                    }
                    input type="hidden" name="return" value=(self.acting_period().key());
                    label { "Bulan" input type="month" name="month" required value=(typed("month").unwrap_or_else(|| default_month.key())); }
                    label {
                        "Untuk"
                        select name="service" {
                            option value="" { "Seluruh kantor" }
                            @for s in &self.config().services {
                                option value=(s.id) selected[typed("service").as_deref() == Some(s.id.as_str())] { (s.label.id) }
                            }
                        }
                    }
                    label { "Jumlah pengguna layanan" input type="number" name="population" min="0" step="1" required value=[typed("population")]; }
                    button type="submit" { "Simpan populasi" }
                }
            }
        }
    }

    fn elements_table(&self) -> Markup {
        let r = &self.report.recap;
        let factor = self.request.weights.factor();
        html! {
            h2 { "Nilai per unsur" }
            table {
                thead {
                    tr {
                        th scope="col" { "No" } th scope="col" { "Unsur pelayanan" } th scope="col" { "NRR" }
                        th scope="col" { "NRR tertimbang" } th scope="col" { "Mutu" }
                        th scope="col" { "Skor 1" } th scope="col" { "Skor 2" } th scope="col" { "Skor 3" } th scope="col" { "Skor 4" }
                        th scope="col" { "Tindak lanjut" }
                    }
                }
                tbody {
                    @for e in Element::ALL {
                        @let nrr = *r.nrr.get(e);
                        @let answered = *r.answered.get(e);
                        tr {
                            td { (e.form_label()) }
                            th scope="row" { (e.name().id) }
                            td.num { (nrr.map_or("–".into(), |v| number(v, 3, Lang::Id))) }
                            td.num { (nrr.map_or("–".into(), |v| number(v * factor, 3, Lang::Id))) }
                            td { (r.element_mutu.get(e).map_or("–".into(), |g| g.to_string())) }
                            @for n in r.distribution.get(e) {
                                td.num { (n) @if answered > 0 { " " span.share { "(" (number(*n as f64 * 100.0 / answered as f64, 0, Lang::Id)) "%)" } } }
                            }
                            td { @if r.lowest.contains(&e) { strong { "Prioritas perbaikan" } } }
                        }
                    }
                }
            }
            p.note { "Prioritas perbaikan: tiga NRR terendah, ditambah setiap unsur yang nilainya sama dengan yang ketiga." }
        }
    }

    fn services_table(&self) -> Markup {
        html! {
            h2 { "IKM per jenis layanan" }
            (services_table(self.report))
        }
    }

    fn modules_section(&self) -> Markup {
        html! {
            @if !self.report.modules.0.is_empty() {
                section aria-labelledby="h-ipk" {
                    h2 id="h-ipk" { "Indeks Persepsi (IPK) — bukan bagian dari IKM" }
                    @for (module, recap) in &self.report.modules.0 {
                        (module_table(*module, recap, Lang::Id))
                    }
                }
            }
        }
    }

    fn profile_section(&self) -> Markup {
        html! {
            h2 { "Profil responden" }
            (profile_tables(self.report))
        }
    }

    fn follow_up_section(&self, problem: Option<&Problem>) -> Markup {
        let plan = &self.report.follow_ups;
        let new = FormKind::NewFollowUp;
        let typed = |name: &str| Problem::value(problem, &new, name);
        let lowest = &self.report.recap.lowest;
        let chosen = typed("element").or_else(|| lowest.first().map(|e| e.key().to_string()));
        html! {
            section aria-labelledby="h-rtl" {
                h2 id="h-rtl" { "Rencana tindak lanjut" }
                @if plan.plan.is_empty() && plan.carried.is_empty() {
                    p { "Belum ada rencana tindak lanjut untuk periode ini." }
                }
                @if !plan.plan.is_empty() {
                    (self.follow_up_table("Rencana periode ini", &plan.plan, problem))
                }
                @if !plan.carried.is_empty() {
                    (self.follow_up_table("Belum selesai dari periode sebelumnya", &plan.carried, problem))
                }
                form.stacked.no-print method="post" action=(self.with_unit("/admin/follow-ups")) {
                    h3 { "Tambah tindakan" }
                    @if let Some(p) = problem.filter(|p| p.form == new) {
                        p.form-error role="alert" { (p.message) }
                    }
                    input type="hidden" name="period" value=(typed("period").unwrap_or_else(|| self.acting_period().key()));
                    (follow_up_fields(chosen.as_deref(), lowest, &typed))
                    button type="submit" { "Simpan tindakan" }
                }
            }
        }
    }

    fn follow_up_table(
        &self,
        caption: &str,
        rows: &[FollowUpView],
        problem: Option<&Problem>,
    ) -> Markup {
        html! {
            table.rtl {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { "Periode" } th scope="col" { "Unsur" } th scope="col" { "Tindakan" }
                        th scope="col" { "Penanggung jawab" } th scope="col" { "Batas waktu" } th scope="col" { "Status" }
                        th scope="col" class="no-print" { "Ubah" }
                    }
                }
                tbody {
                    @for f in rows {
                        @let form = FormKind::EditFollowUp(f.id.clone());
                        @let typed = |name: &str| Problem::value(problem, &form, name).or_else(|| Some(match name {
                            "action" => f.action.clone(),
                            "responsible" => f.responsible.clone(),
                            "due" => f.due.clone(),
                            "status" => f.status.to_string(),
                            "suggestions" => f.suggestions.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(" "),
                            _ => String::new(),
                        }));
                        tr {
                            td { (f.period_label) }
                            td { (f.element_label) }
                            td { (f.action) (cited_list(&f.suggestions)) }
                            td { (f.responsible) }
                            td { (f.due) }
                            td { (f.status_label) }
                            td.no-print {
                                details open[problem.is_some_and(|p| p.form == form)] {
                                    summary { "Ubah" }
                                    @if let Some(p) = problem.filter(|p| p.form == form) {
                                        p.form-error role="alert" { (p.message) }
                                    }
                                    form.stacked method="post" action=(self.with_unit(&format!("/admin/follow-ups/{}", f.id))) {
                                        input type="hidden" name="period" value=(f.period);
                                        input type="hidden" name="return" value=(self.acting_period().key());
                                        (follow_up_fields(Some(f.element), &[], &typed))
                                        button type="submit" { "Simpan perubahan" }
                                    }
                                    form method="post" action=(self.with_unit(&format!("/admin/follow-ups/{}/delete", f.id))) {
                                        input type="hidden" name="return" value=(self.acting_period().key());
                                        button type="submit" class="danger" { "Hapus tindakan" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn closing_section(&self, events: &[PeriodEvent], problem: Option<&Problem>) -> Markup {
        let Some(period) = self.request.period else {
            return html! {};
        };
        let zone = &self.config().time_zone;
        let reopen = FormKind::Reopen;
        html! {
            section.no-print aria-labelledby="h-close" {
                h2 id="h-close" { "Penutupan periode" }
                @if self.report.closed.is_some() {
                    p { "Periode " (period.label(Lang::Id)) " sudah ditutup. Membukanya kembali akan menghitung ulang dengan semua respons, termasuk yang terlambat; alasannya dicatat." }
                    form.stacked method="post" action=(self.with_unit("/admin/periods/reopen")) {
                        @if let Some(p) = problem.filter(|p| p.form == reopen) {
                            p.form-error role="alert" { (p.message) }
                        }
                        input type="hidden" name="period" value=(period.key());
                        label { "Alasan membuka kembali (opsional)" textarea name="note" rows="2" maxlength="500" { (Problem::value(problem, &reopen, "note").unwrap_or_default()) } }
                        button type="submit" { "Buka kembali periode" }
                    }
                } @else {
                    p { "Menutup periode membekukan rekap " (period.label(Lang::Id)) " seperti sekarang. Respons yang datang sesudahnya tetap disimpan dan dihitung sebagai terlambat. Hanya periode yang ditutup yang tampil di halaman publik." }
                    form method="post" action=(self.with_unit("/admin/periods/close")) {
                        input type="hidden" name="period" value=(period.key());
                        button type="submit" { "Tutup dan bekukan " (period.label(Lang::Id)) }
                    }
                }
                @if !events.is_empty() {
                    h3 { "Riwayat" }
                    ul {
                        @for e in events {
                            li {
                                (local_time(e.at, zone, Lang::Id)) ": "
                                (match e.action { PeriodAction::Close => "ditutup", PeriodAction::Reopen => "dibuka kembali" })
                                " (" (e.respondents) " responden)"
                                @if let Some(note) = &e.note { " — " (note) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The suggestions summed up (themes by element, recurring words), the complaints apart,
    /// and the newest ones with the buttons that mark them.
    fn suggestions_section(&self, suggestions: &[Suggestion]) -> Markup {
        let offset = self.config().offset();
        let period = self.acting_period().key();
        let Some(report) = &self.report.suggestions else {
            return html! {};
        };
        let summary = &report.summary;
        html! {
            section aria-labelledby="h-suggestions" {
                h2 id="h-suggestions" { "Saran dan masukan" }
                @if summary.total == 0 {
                    p { "Tidak ada saran pada periode ini." }
                } @else {
                    p { (summary.total) " saran dari " (self.report.recap.respondents) " responden; " (report.complaints.count) " ditandai sebagai pengaduan yang perlu dijawab." }
                    @if !summary.themes.is_empty() {
                        table.themes {
                            caption { "Tema saran (leksikon: docs/suggestions.md)" }
                            thead { tr { th scope="col" { "Tema" } th scope="col" { "Unsur" } th scope="col" { "Saran" } th scope="col" { "Contoh" } } }
                            tbody {
                                @for t in &summary.themes {
                                    tr {
                                        th scope="row" { (t.label) }
                                        td { (t.element_label.unwrap_or("–")) }
                                        td.num { (t.suggestions) }
                                        td { @for (i, e) in t.examples.iter().enumerate() { @if i > 0 { " · " } "“" (e) "”" } }
                                    }
                                }
                            }
                        }
                    }
                    p { (summary.unthemed) " saran tidak masuk tema mana pun." }
                    @if !summary.recurring_words.is_empty() {
                        h3 { "Kata yang sering muncul" }
                        ul.words {
                            @for w in &summary.recurring_words { li { (w.word) " (" (w.suggestions) ")" } }
                        }
                    }
                    h3 { "Pengaduan yang perlu dijawab" }
                    @if report.complaints.items.is_empty() {
                        p { "Belum ada saran yang ditandai sebagai pengaduan." }
                    } @else {
                        ul.complaints {
                            @for c in &report.complaints.items {
                                li { span.meta { (c.date) " · " (c.id) } " " (c.text) }
                            }
                        }
                    }
                    h3 { "Saran terbaru" }
                    ul.suggestions {
                        @for s in suggestions {
                            li {
                                span.meta { (offset.local_date(s.at)) " · " (self.config().service(&s.service).map_or(s.service.as_str(), |c| c.label.id.as_str())) " · id " code { (s.id) } }
                                " " (s.text)
                                @if s.complaint { " " strong { "[pengaduan]" } }
                                @if s.on_tv { " " strong { "[layar TV]" } }
                                form.inline.no-print method="post" action=(self.with_unit("/admin/suggestions")) {
                                    input type="hidden" name="period" value=(period);
                                    input type="hidden" name="response" value=(s.id);
                                    input type="hidden" name="complaint" value=(if s.complaint { "0" } else { "1" });
                                    button type="submit" { (if s.complaint { "Bukan pengaduan" } else { "Tandai pengaduan" }) }
                                }
                                form.inline.no-print method="post" action=(self.with_unit("/admin/suggestions")) {
                                    input type="hidden" name="period" value=(period);
                                    input type="hidden" name="response" value=(s.id);
                                    input type="hidden" name="on_tv" value=(if s.on_tv { "0" } else { "1" });
                                    button type="submit" { (if s.on_tv { "Sembunyikan dari layar TV" } else { "Tampilkan di layar TV" }) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The fields of a follow-up action; the elements to act on come first in the list.
fn follow_up_fields(
    chosen: Option<&str>,
    lowest: &[Element],
    typed: &dyn Fn(&str) -> Option<String>,
) -> Markup {
    let mut order: Vec<Element> = lowest.to_vec();
    order.extend(Element::ALL.into_iter().filter(|e| !lowest.contains(e)));
    let status = typed("status").unwrap_or_else(|| "planned".into());
    html! {
        label {
            "Unsur"
            select name="element" required {
                @for e in order {
                    option value=(e.key()) selected[chosen == Some(e.key())] {
                        (e.form_label()) " " (e.name().id) @if lowest.contains(&e) { " (prioritas)" }
                    }
                }
            }
        }
        label { "Tindakan perbaikan" textarea name="action" rows="2" maxlength="500" required { (typed("action").unwrap_or_default()) } }
        label { "Penanggung jawab" input type="text" name="responsible" maxlength="120" required value=[typed("responsible")]; }
        label { "Batas waktu" input type="date" name="due" required value=[typed("due")]; }
        label {
            "Saran yang mendasari (opsional: id respons dari daftar saran, dipisah spasi)"
            input type="text" name="suggestions" maxlength="800" value=[typed("suggestions")];
        }
        label {
            "Status"
            select name="status" {
                @for (name, s) in Status::ALL {
                    option value=(name) selected[status == name] { (s.label().id) }
                }
            }
        }
    }
}

/// The suggestions an action cites, under its text (the formal report prints the same).
pub(crate) fn cited_list(cited: &[crate::report::CitedSuggestion]) -> Markup {
    html! {
        @if !cited.is_empty() {
            ul.cited {
                @for c in cited {
                    li { "Saran: " @match &c.text { Some(t) => { "“" (t) "”" }, None => { "(" (c.id) ")" } } }
                }
            }
        }
    }
}

/// How many of the newest suggestions `/admin` lists with their buttons.
const NEWEST_SUGGESTIONS: usize = 200;

/// An `/admin` form post, taken only from this site's own pages: the names its handler reads,
/// typed (`T`; a name given twice is a 400), and every field as sent, so that a refused form
/// comes back with what was typed.
pub struct AdminForm<T> {
    pub form: T,
    pub fields: Vec<(String, String)>,
}

impl<T: serde::de::DeserializeOwned> FromRequest<Shared> for AdminForm<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Shared) -> Result<AdminForm<T>, ApiError> {
        if !is_from_this_site(request.headers(), OriginPolicy::Strict) {
            return Err(ApiError::Forbidden(
                "admin forms are accepted from this site's own pages only".into(),
            ));
        }
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, app)
            .await
            .map_err(|rejection: FormRejection| ApiError::UnreadableBody {
                status: rejection.status(),
                detail: rejection.body_text(),
            })?;
        // The same pairs read again into `T`, so both views agree on every byte.
        let encoded = serde_urlencoded::to_string(&fields)
            .map_err(|e| ApiError::BadRequest(format!("the form's fields: {e}")))?;
        let form = serde_urlencoded::from_str::<T>(&encoded)
            .map_err(|e| ApiError::BadRequest(format!("the form's fields: {e}")))?;
        Ok(AdminForm { form, fields })
    }
}

/// A form that only says where to go back: `/admin` for its `period`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PeriodFields {
    pub period: Param<Period>,
}

/// A form that names its period (`period`, also where it goes back to) and a note.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReopenFields {
    pub period: Param<Period>,
    pub note: Option<String>,
}

/// A form on one follow-up action: it goes back to the period shown (`return`), which may
/// not be the action's own.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReturnFields {
    #[serde(rename = "return")]
    pub back: Param<Period>,
}

/// `POST /admin/population`'s fields.
///
/// A refusal (a figure that is not one, a service the office does not offer) shows the form
/// again as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PopulationFields {
    pub month: Param<Month>,
    pub service: Param<Slug>,
    pub population: Param<u64>,
    #[serde(rename = "return")]
    pub back: Param<Period>,
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Back to `/admin` of `unit` for the period a form came from (never anywhere else), after a
/// change made from it.
pub(crate) fn back_to(app: &App, unit: &str, period: &Param<Period>) -> Response {
    let period = period.given().copied();
    let unit = if app.is_multi_unit() { unit } else { "" };
    let mut response = Redirect::to(&admin_url(unit, period, None)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page again for the form's period with `message` at `form` and the typed values kept.
async fn refuse(
    app: &App,
    unit: &str,
    fields: Vec<(String, String)>,
    period: &Param<Period>,
    form: FormKind,
    message: String,
) -> Result<Response, ApiError> {
    let params = ReportQuery {
        period: period.given().map_or(Param::Absent, |p| Param::Given(*p)),
        ..ReportQuery::default()
    };
    dashboard(
        app,
        app.site_by_key(unit),
        &params,
        Some(Problem {
            form,
            message,
            values: fields,
        }),
        false,
    )
    .await
}

/// `POST /admin/population`: month, service (optional) and the number of service users.
pub async fn post_population(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, fields }: AdminForm<PopulationFields>,
) -> Result<Response, ApiError> {
    let checked = form.month.required("month").and_then(|Month(month)| {
        Ok((
            *month,
            check_population(&app, &unit, &form.population, &form.service)?,
        ))
    });
    let back = &form.back;
    match checked {
        Ok((month, (n, service))) => {
            app.store
                .set_population(
                    month,
                    service.as_ref(),
                    n,
                    (app.now)(),
                    caller.acting_for(&unit),
                )
                .await?;
            Ok(back_to(&app, &unit, back))
        }
        Err(message) => refuse(&app, &unit, fields, back, FormKind::Population, message).await,
    }
}

/// `POST /admin/periods/close`.
pub async fn post_close_form(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, .. }: AdminForm<PeriodFields>,
) -> Result<Response, ApiError> {
    let period = *form
        .period
        .required("period")
        .map_err(ApiError::BadRequest)?;
    close(&app, &caller, &unit, period).await?;
    Ok(back_to(&app, &unit, &form.period))
}

/// `POST /admin/periods/reopen`, with an optional note.
pub async fn post_reopen_form(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, fields }: AdminForm<ReopenFields>,
) -> Result<Response, ApiError> {
    let key = &form.period;
    let period = *key.required("period").map_err(ApiError::BadRequest)?;
    match check_note(form.note.clone()) {
        Ok(note) => {
            app.store
                .reopen_period(period, (app.now)(), note, caller.acting_for(&unit))
                .await?;
            Ok(back_to(&app, &unit, key))
        }
        Err(message) => refuse(&app, &unit, fields, key, FormKind::Reopen, message).await,
    }
}

/// `POST /admin/follow-ups`: a new action (the core reads its fields), back to its period.
pub async fn post_follow_up_form(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    AdminForm { form, fields }: AdminForm<PeriodFields>,
) -> Result<Response, ApiError> {
    let back = &form.period;
    match FollowUpInput::from_fields(|name| field(&fields, name)) {
        Ok(input) => {
            create_follow_up(&app, &caller, &unit, input).await?;
            Ok(back_to(&app, &unit, back))
        }
        Err(message) => refuse(&app, &unit, fields, back, FormKind::NewFollowUp, message).await,
    }
}

/// `POST /admin/follow-ups/{id}`: the action's new fields.
pub async fn post_follow_up_edit(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(id): Path<String>,
    AdminForm { form, fields }: AdminForm<ReturnFields>,
) -> Result<Response, ApiError> {
    let back = &form.back;
    match FollowUpInput::from_fields(|name| field(&fields, name)) {
        Ok(input) => {
            if !app
                .store
                .update_follow_up(&id, input, (app.now)(), caller.acting_for(&unit))
                .await?
            {
                return Err(ApiError::NotFound(format!("no follow-up action `{id}`")));
            }
            Ok(back_to(&app, &unit, back))
        }
        Err(message) => {
            refuse(
                &app,
                &unit,
                fields,
                back,
                FormKind::EditFollowUp(id),
                message,
            )
            .await
        }
    }
}

/// `POST /admin/follow-ups/{id}/delete`.
pub async fn post_follow_up_delete(
    Editor(caller, unit): Editor,
    State(app): State<Shared>,
    Path(id): Path<String>,
    AdminForm { form, .. }: AdminForm<ReturnFields>,
) -> Result<Response, ApiError> {
    if !app
        .store
        .delete_follow_up(&id, (app.now)(), caller.acting_for(&unit))
        .await?
    {
        return Err(ApiError::NotFound(format!("no follow-up action `{id}`")));
    }
    Ok(back_to(&app, &unit, &form.back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picker_offers_all_four_kinds_up_to_today() {
        let today = Date::new(2026, 11, 15).unwrap();
        let groups = picker_periods(today, None);
        let keys: Vec<Vec<String>> = groups
            .iter()
            .map(|(_, l)| l.iter().map(|p| p.key()).collect())
            .collect();
        assert_eq!(keys[0][0], "2026-11");
        assert_eq!(keys[0].len(), 36);
        assert_eq!(keys[1][0], "2026-Q4", "the quarter in progress");
        assert!(!keys[2].contains(&"2027-S1".to_string()));
        assert_eq!(keys[3], ["2026", "2025", "2024"]);
        let old = Period::parse("2019-Q2").unwrap();
        assert!(picker_periods(today, Some(old))[1].1.contains(&old));
    }

    #[test]
    fn admin_links_keep_the_period_and_service() {
        assert_eq!(
            admin_url("", Period::parse("2026-Q4"), Some("paspor-baru")),
            "/admin?period=2026-Q4&service=paspor-baru"
        );
        assert_eq!(
            admin_url("kanim-bengkulu", Period::parse("2026-11"), None),
            "/admin?unit=kanim-bengkulu&period=2026-11"
        );
    }
}
