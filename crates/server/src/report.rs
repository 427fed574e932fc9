//! The recap of a period (a month, quarter, semester, year or any range of days): request
//! parsing and the report the API, `/admin`, the formal report and the public page show.

use crate::api::{App, Target};
use crate::flags::{find_flags, over_population, FlagView};
use crate::param::{Month, Param};
use crate::store::{
    Aggregate, Closure, Filter, ReviewRow, Snapshot, StoreError, StoredAfter, Suggestion,
};
use crate::suggestion_summary::{Lexicon, SuggestionSummary, SuggestionText};
use ikm_core::config::Slug;
use ikm_core::followup::FollowUp;
use ikm_core::ipk::ModuleRecap;
use ikm_core::period::Period;
use ikm_core::profile::{Label, ProfileTables};
use ikm_core::questionnaire::Module;
use ikm_core::sample::krejcie_morgan;
use ikm_core::score::Grade;
use ikm_core::time::{format_rfc3339, Date};
use ikm_core::{Lang, OfficeConfig, Recap, ScoreTally, Weights};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

/// A checked report request: office-local days `from..=to` and filters.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    /// The reporting period, unless the request named a free range of days.
    pub period: Option<Period>,
    /// Its days `from..=to` and what else it is narrowed to.
    pub filter: Filter,
    pub weights: Weights,
    /// A population typed into the request; otherwise the stored ones are used.
    pub population: Option<u64>,
    /// The language of labels (`lang=en`); Indonesian by default.
    pub lang: Lang,
}

/// The query string of the report pages (`/api/v1/report`, `/api/v1/responses.csv`,
/// `/admin`, the formal report, the public results, `/tv`) as sent: the only names they
/// read, each typed as it is read. A service or counter that is not an id is a 400 at once;
/// the other values are kept as [`Param`]s, so that [`parse_request`] answers a 400 that names
/// the parameter while the public pages stay lenient with printed links. Other names are
/// ignored; a name given twice is a 400.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub period: Param<Period>,
    pub month: Param<Month>,
    pub from: Param<Date>,
    pub to: Param<Date>,
    pub weights: Param<Weights>,
    pub population: Param<u64>,
    pub lang: Param<Lang>,
    pub unit: Param<Slug>,
    #[serde(deserialize_with = "crate::api::optional_id")]
    pub service: Option<Slug>,
    #[serde(deserialize_with = "crate::api::optional_id")]
    pub counter: Option<Slug>,
}

impl ReportQuery {
    /// The query of a whole period, in `lang`.
    pub fn of_period(period: Period, lang: Lang) -> ReportQuery {
        ReportQuery {
            period: Param::Given(period),
            lang: Param::Given(lang),
            ..ReportQuery::default()
        }
    }

    /// The query of the days `from..=to`, in `lang`.
    pub fn of_days(from: Date, to: Date, lang: Lang) -> ReportQuery {
        ReportQuery {
            from: Param::Given(from),
            to: Param::Given(to),
            lang: Param::Given(lang),
            ..ReportQuery::default()
        }
    }

    /// The language asked for (Indonesian if none), or the 400's message.
    pub fn lang(&self) -> Result<Lang, String> {
        Ok(self.lang.checked("lang")?.copied().unwrap_or_default())
    }

    /// The language for a public page: one it cannot read is shown in Indonesian, not refused
    /// (the badge and `/tv` are embedded or bookmarked, where an error helps nobody).
    pub fn lenient_lang(&self) -> Lang {
        self.lang.given().copied().unwrap_or_default()
    }

    /// The unit named, as sent (a malformed one is then not a unit here: 404).
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_sent()
    }
}

/// Turns `period=YYYY-MM|YYYY-Qn|YYYY-Sn|YYYY`, or `month=YYYY-MM`, or `from`/`to` days (the
/// current month by default) and the filters into a checked request.
pub fn parse_request(
    query: &ReportQuery,
    config: &OfficeConfig,
    now: i64,
) -> Result<ReportRequest, String> {
    let today = config.offset().local_date(now);
    let mut period = Some(Period::month_of(today));
    if let Some(Month(month)) = query.month.checked("month")? {
        period = Some(*month);
    }
    if let Some(p) = query.period.checked("period")? {
        period = Some(*p);
    }
    let (mut from, mut to) = match period {
        Some(p) => (p.first_day(), p.last_day()),
        None => (today.first_of_month(), today.last_of_month()),
    };
    if let Some(day) = query.from.checked("from")? {
        from = *day;
        period = None;
    }
    if let Some(day) = query.to.checked("to")? {
        to = *day;
        period = None;
    }
    if to < from {
        return Err(format!("`to` ({to}) is before `from` ({from})"));
    }
    let weights = query
        .weights
        .checked("weights")?
        .copied()
        .unwrap_or(config.weights);
    let population = query.population.checked("population")?.copied();
    let lang = query.lang()?;
    let unit = query.unit.checked("unit")?.map(|u| u.as_str().to_string());
    let filter = Filter {
        from,
        to,
        unit,
        service: query.service.clone(),
        counter: query.counter.clone(),
    };
    Ok(ReportRequest {
        period,
        filter,
        weights,
        population,
        lang,
    })
}

impl ReportRequest {
    /// The first day reported on, in the office's time zone.
    pub fn from(&self) -> Date {
        self.filter.from
    }

    /// The last day reported on.
    pub fn to(&self) -> Date {
        self.filter.to
    }

    /// The title of the report: the period's label, or the range of days.
    pub fn title(&self) -> String {
        match self.period {
            Some(p) => p.label(self.lang),
            None => match self.lang {
                Lang::En => format!("{} to {}", self.from(), self.to()),
                Lang::Id => format!("{} s.d. {}", self.from(), self.to()),
            },
        }
    }

    /// The months the request's days touch, first to last.
    pub fn months(&self) -> Vec<Period> {
        let mut months = Vec::new();
        let mut month = self.from().first_of_month();
        while month <= self.to() {
            months.push(Period::month_of(month));
            month = month.add_months(1);
        }
        months
    }
}

/// The report, as `GET /api/v1/report` returns it.
#[derive(Debug, Serialize)]
pub struct Report {
    pub office: String,
    pub period: PeriodInfo,
    pub filters: Filters,
    #[serde(flatten)]
    pub recap: Recap,
    /// The IKM rounded to 2 decimals, as published and graded.
    pub ikm_rounded: Option<f64>,
    /// The same scoring over each service's responses, keyed by service id (configured
    /// services first, in their order).
    pub per_service: PerService,
    /// Who answered: every table with names (id/en) and percentages.
    pub profile: ProfileTables,
    /// Responses per service id and per counter (plain counts, as before the tables).
    pub services: BTreeMap<String, u64>,
    pub counters: BTreeMap<String, u64>,
    /// The IPK modules the office enabled (`spkp`, `spak`); not part of the IKM.
    pub modules: Modules,
    /// The Krejcie–Morgan target for the stored (or given) population; null without one.
    pub sample: Option<Sample>,
    /// When the period was closed; its figures are then frozen as they stood.
    pub closed: Option<Closed>,
    /// Responses for this period that arrived after it was closed (0 while it is open):
    /// stored and exported, not in the frozen figures.
    pub late: u64,
    /// The responses sent with a valid service code, and the IKM over them beside the IKM
    /// over all.
    pub verified: Verified,
    /// The responses left out of the recap in review, and why (docs/review.md).
    pub excluded: Excluded,
    /// Suspicious patterns among the period's responses; they change no figure.
    pub flags: Vec<FlagView>,
    /// The follow-up plan: this period's actions and the unfinished ones of earlier periods.
    pub follow_ups: FollowUps,
    /// The suggestions summed up (docs/suggestions.md); in the staff's recaps (JSON,
    /// `/admin`, the formal report), not on public pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<SuggestionsReport>,
}

/// Most suggestions a recap reads (far more than a unit receives in a year).
pub const MAX_SUGGESTIONS: i64 = 50_000;

/// The suggestions of a recap: the summary, and the complaints staff marked, listed apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionsReport {
    #[serde(flatten)]
    pub summary: SuggestionSummary,
    pub complaints: Complaints,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaints {
    pub count: u64,
    pub items: Vec<SuggestionView>,
}

/// One suggestion as JSON shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestionView {
    /// The response's id (what a mark or a follow-up action names).
    pub id: String,
    /// The day it was answered, in the unit's time zone.
    pub date: String,
    pub service: String,
    pub text: String,
    pub complaint: bool,
    pub on_tv: bool,
}

impl SuggestionView {
    pub fn new(s: &Suggestion, config: &OfficeConfig) -> SuggestionView {
        SuggestionView {
            id: s.id.clone(),
            date: config.offset().local_date(s.at).to_string(),
            service: s.service.clone(),
            text: s.text.clone(),
            complaint: s.complaint,
            on_tv: s.on_tv,
        }
    }
}

/// Reads the suggestions of `request` and adds their summary to `report`; gives them back
/// (newest first) for the pages that list them.
pub async fn add_suggestions(
    report: &mut Report,
    store: &mut Snapshot,
    config: &OfficeConfig,
    request: &ReportRequest,
) -> Result<Vec<Suggestion>, StoreError> {
    // A closed period's suggestions are those of its frozen figures, as its recap's are.
    let upto = report.closed.as_ref().map(|c| c.last_seq);
    let suggestions = store
        .suggestions(&request.filter, upto, MAX_SUGGESTIONS)
        .await?;
    let texts: Vec<SuggestionText<'_>> = suggestions
        .iter()
        .map(|s| SuggestionText {
            id: &s.id,
            text: &s.text,
        })
        .collect();
    let summary = Lexicon::new(&config.suggestions).summarize(&texts, request.lang);
    let items: Vec<SuggestionView> = suggestions
        .iter()
        .filter(|s| s.complaint)
        .map(|s| SuggestionView::new(s, config))
        .collect();
    report.suggestions = Some(SuggestionsReport {
        summary,
        complaints: Complaints {
            count: items.len() as u64,
            items,
        },
    });
    Ok(suggestions)
}

/// The responses a recap leaves out, by reason (most first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub respondents: u64,
    pub reasons: Vec<ExcludedReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedReason {
    pub reason: String,
    pub respondents: u64,
    /// The ids of the responses excluded for it (in a unit's report; a recap over many units
    /// gives the counts only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<String>,
}

impl Excluded {
    /// Adds counts per reason (a unit's, into a recap over many units).
    pub fn add_counts(&mut self, counts: &[(String, u64)]) {
        for (reason, n) in counts {
            match self.reasons.iter_mut().find(|r| &r.reason == reason) {
                Some(r) => r.respondents += n,
                None => self.reasons.push(ExcludedReason {
                    reason: reason.clone(),
                    respondents: *n,
                    responses: Vec::new(),
                }),
            }
            self.respondents += n;
        }
        self.reasons
            .sort_by_key(|r| std::cmp::Reverse(r.respondents));
    }

    /// The excluded ones among `rows`.
    pub fn of(rows: &[ReviewRow]) -> Excluded {
        let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for r in rows {
            if let Some(e) = &r.excluded {
                by_reason
                    .entry(e.reason.as_str())
                    .or_default()
                    .push(r.id.clone());
            }
        }
        let mut reasons: Vec<ExcludedReason> = by_reason
            .into_iter()
            .map(|(reason, responses)| ExcludedReason {
                reason: reason.to_string(),
                respondents: responses.len() as u64,
                responses,
            })
            .collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.respondents));
        Excluded {
            respondents: reasons.iter().map(|r| r.respondents).sum(),
            reasons,
        }
    }

    /// One sentence for every page that shows a recap: how many were left out and why.
    pub fn sentence(&self, lang: Lang) -> String {
        if self.respondents == 0 {
            return match lang {
                Lang::Id => "Tidak ada respons yang dikecualikan dari rekap.".into(),
                Lang::En => "No response was excluded from the recap.".into(),
            };
        }
        let why: Vec<String> = self
            .reasons
            .iter()
            .map(|r| format!("{} × “{}”", r.respondents, r.reason))
            .collect();
        match lang {
            Lang::Id => format!(
                "{} respons dikecualikan dari rekap setelah ditinjau: {}.",
                self.respondents,
                why.join("; ")
            ),
            Lang::En => format!(
                "{} responses were excluded from the recap in review: {}.",
                self.respondents,
                why.join("; ")
            ),
        }
    }
}

/// What review shows beside a recap: the exclusions and the flags over `request`'s responses.
async fn review(
    store: &mut Snapshot,
    config: &OfficeConfig,
    request: &ReportRequest,
) -> Result<(Excluded, Vec<FlagView>), StoreError> {
    let rows = store.review_rows(&request.filter).await?;
    let offset = config.time_zone.offset();
    let mut flags = find_flags(&rows, &config.review, offset);
    let months = request.months();
    let service = request
        .filter
        .service
        .as_ref()
        .map_or_else(String::new, Slug::to_string);
    let populations = store.populations(&months, &service).await?;
    for month in months {
        let counted = rows
            .iter()
            .filter(|r| r.excluded.is_none() && month.contains(offset.local_date(r.at)))
            .count() as u64;
        let population = populations.get(&month.key()).copied();
        flags.extend(over_population(month, counted, population));
    }
    let views = flags.iter().map(|f| f.view(request.lang)).collect();
    Ok((Excluded::of(&rows), views))
}

#[derive(Debug, Serialize)]
pub struct PeriodInfo {
    /// `2026-11`, `2026-Q4`, `2026-S2`, `2026`; null for a free range of days.
    pub key: Option<String>,
    /// `November 2026`, `Triwulan IV 2026`, …; the range of days for a free range.
    pub label: String,
    pub from: String,
    pub to: String,
    pub time_zone: String,
}

#[derive(Debug, Serialize)]
pub struct Filters {
    pub unit: Option<String>,
    pub service: Option<String>,
    pub counter: Option<String>,
}

/// One service's recap.
#[derive(Debug, Serialize)]
pub struct ServiceRecap {
    pub label: String,
    pub respondents: u64,
    /// Rounded to 2 decimals; null unless all nine elements have answers.
    pub ikm: Option<f64>,
    pub mutu: Option<Grade>,
}

/// Service id → its recap, a JSON object in the configured order.
#[derive(Debug, Default)]
pub struct PerService(pub Vec<(String, ServiceRecap)>);

impl PerService {
    /// The recaps in order.
    pub fn values(&self) -> impl Iterator<Item = &ServiceRecap> {
        self.0.iter().map(|(_, r)| r)
    }
}

impl Serialize for PerService {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ikm_core::serialize_pairs(self.0.iter().map(|(id, recap)| (id, recap)), serializer)
    }
}

/// The enabled modules' recaps, keyed `spkp`/`spak`.
#[derive(Debug, Default)]
pub struct Modules(pub Vec<(Module, ModuleRecap)>);

impl Serialize for Modules {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ikm_core::serialize_pairs(
            self.0.iter().map(|(module, recap)| (module.key(), recap)),
            serializer,
        )
    }
}

/// How much of a recap comes from verified service users (docs/codes.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Verified {
    pub respondents: u64,
    /// Their share of all respondents, in percent with one decimal; null without respondents.
    pub percent: Option<f64>,
    /// The IKM over the verified responses alone, rounded to 2 decimals; null unless all nine
    /// elements have verified answers.
    pub ikm: Option<f64>,
    pub mutu: Option<Grade>,
}

impl Verified {
    /// The verified part `tally` of a recap of `all` respondents.
    pub fn new(tally: &ScoreTally, all: u64, weights: Weights) -> Verified {
        let recap = tally.recap(weights);
        Verified {
            respondents: tally.respondents,
            percent: (all > 0)
                .then(|| (tally.respondents as f64 * 1000.0 / all as f64).round() / 10.0),
            ikm: recap.ikm_rounded(),
            mutu: recap.mutu,
        }
    }

    /// One sentence for every page that shows a recap (`/admin`, the formal report, `/hasil`,
    /// the badge's title): how many respondents were verified and the IKM over them.
    pub fn sentence(&self, all: u64, lang: Lang) -> String {
        let number = crate::charts::number;
        if self.respondents == 0 {
            return match lang {
                Lang::Id => "Belum ada respons dengan kode layanan (terverifikasi).".into(),
                Lang::En => "No responses with a service code (verified) yet.".into(),
            };
        }
        let percent = number(self.percent.unwrap_or_default(), 1, lang);
        let ikm = match (self.ikm, self.mutu, lang) {
            (Some(ikm), Some(mutu), Lang::Id) => {
                format!(
                    "IKM atas respons terverifikasi {} (mutu {mutu}).",
                    number(ikm, 2, lang)
                )
            }
            (Some(ikm), Some(mutu), Lang::En) => {
                format!(
                    "IKM over verified responses {} (grade {mutu}).",
                    number(ikm, 2, lang)
                )
            }
            (_, _, Lang::Id) => "IKM atas respons terverifikasi belum dapat dihitung.".into(),
            (_, _, Lang::En) => "The IKM over verified responses cannot be computed yet.".into(),
        };
        match lang {
            Lang::Id => format!(
                "Terverifikasi dengan kode layanan: {} dari {all} responden ({percent} %). {ikm}",
                self.respondents
            ),
            Lang::En => format!(
                "Verified by a service code: {} of {all} respondents ({percent} %). {ikm}",
                self.respondents
            ),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Sample {
    /// Service users over the period's months (stored per month, or given in the request).
    pub population: u64,
    pub target: u64,
    pub respondents: u64,
    pub reached: bool,
    /// Months of the period without a stored population (the target then undercounts).
    pub months_missing: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Closed {
    /// RFC 3339, UTC.
    pub closed_at: String,
    /// The same instant in Unix seconds, for pages that print it in office time.
    #[serde(skip)]
    pub closed_at_unix: i64,
    /// The respondents when it was closed (the frozen figure).
    pub respondents: u64,
    /// The last response stored before it closed: later ones are not in its figures.
    #[serde(skip)]
    pub last_seq: i64,
}

#[derive(Debug, Serialize)]
pub struct FollowUps {
    pub plan: Vec<FollowUpView>,
    /// Unfinished actions of earlier periods.
    pub carried: Vec<FollowUpView>,
}

/// A follow-up action as JSON shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpView {
    pub id: String,
    pub period: String,
    pub period_label: String,
    pub element: &'static str,
    pub element_label: &'static str,
    pub action: String,
    pub responsible: String,
    pub due: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub created_at: String,
    pub updated_at: String,
    /// The suggestions the action cites, with their text where it is this unit's.
    pub suggestions: Vec<CitedSuggestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CitedSuggestion {
    pub id: String,
    pub text: Option<String>,
}

/// The texts of the suggestions `follow_ups` cite, by response id.
pub async fn cited_texts(
    store: &mut Snapshot,
    follow_ups: &[FollowUp],
) -> Result<HashMap<String, String>, StoreError> {
    let cited: Vec<String> = follow_ups
        .iter()
        .flat_map(|f| f.input.suggestions.iter().cloned())
        .collect();
    store.suggestion_texts(&cited).await
}

impl FollowUpView {
    /// The action with labels in `lang`.
    pub fn new(f: &FollowUp, lang: Lang, texts: &HashMap<String, String>) -> FollowUpView {
        let i = &f.input;
        FollowUpView {
            id: f.id.clone(),
            period: i.period.key(),
            period_label: i.period.label(lang),
            element: i.element.key(),
            element_label: i.element.name().get(lang),
            action: i.action.clone(),
            responsible: i.responsible.clone(),
            due: i.due.to_string(),
            status: i.status.as_str(),
            status_label: i.status.label().get(lang),
            created_at: format_rfc3339(f.created_at),
            updated_at: format_rfc3339(f.updated_at),
            suggestions: i
                .suggestions
                .iter()
                .map(|id| CitedSuggestion {
                    id: id.clone(),
                    text: texts.get(id).cloned(),
                })
                .collect(),
        }
    }
}

/// The responses a report counts: everything stored for its days, or for a closed period,
/// everything stored up to its closing (the late arrivals taken away, exactly).
pub struct Counted {
    pub aggregate: Aggregate,
    pub modules: Vec<ikm_core::ipk::ModuleTally>,
    pub closure: Option<Closure>,
    pub late: u64,
    /// The verified responses among those counted.
    pub verified: ScoreTally,
}

/// Sums the responses of `request`, frozen at the closing when its period is closed.
pub async fn count(store: &mut Snapshot, request: &ReportRequest) -> Result<Counted, StoreError> {
    let closure = match request.period {
        Some(p) => store.closure(p).await?,
        None => None,
    };
    let mut aggregate = store.aggregate(&request.filter).await?;
    let mut modules = store.module_tallies(&request.filter, None).await?;
    let mut late = 0;
    if let Some(c) = &closure {
        let after = StoredAfter(c.last_seq);
        late = store.count_after(&request.filter, after).await?;
        if late > 0 {
            aggregate.subtract(&store.aggregate_after(&request.filter, after).await?);
            let late_modules = store.module_tallies(&request.filter, Some(after)).await?;
            for (mine, theirs) in modules.iter_mut().zip(&late_modules) {
                mine.subtract(theirs);
            }
        }
    }
    let upto = closure.as_ref().map(|c| StoredAfter(c.last_seq));
    let verified = store.verified_tally(&request.filter, upto).await?;
    Ok(Counted {
        aggregate,
        modules,
        closure,
        late,
        verified,
    })
}

/// Computes the report for a request.
pub async fn build_report(
    store: &mut Snapshot,
    config: &OfficeConfig,
    request: &ReportRequest,
) -> Result<Report, StoreError> {
    let Counted {
        aggregate,
        modules,
        closure,
        late,
        verified,
    } = count(store, request).await?;
    let recap = aggregate.tally.recap(request.weights);
    let verified = Verified::new(&verified, recap.respondents, request.weights);
    let sample = sample(store, request, recap.respondents).await?;
    let follow_ups = store.follow_ups().await?;
    let texts = cited_texts(store, &follow_ups).await?;
    let (excluded, flags) = review(store, config, request).await?;
    let lang = request.lang;
    let per_service = per_service(&aggregate.per_service, config, request.weights, lang);
    let profile = ProfileTables::new(
        &aggregate.profile,
        &aggregate.services,
        &aggregate.counters,
        recap.respondents,
        config,
    );
    let modules = Modules(
        modules
            .iter()
            .filter_map(|t| {
                let scale = config.modules.get(t.module)?.scale;
                Some((t.module, t.recap(scale)))
            })
            .collect(),
    );
    Ok(Report {
        office: config.office_name.clone(),
        period: PeriodInfo {
            key: request.period.map(Period::key),
            label: request.title(),
            from: request.from().to_string(),
            to: request.to().to_string(),
            time_zone: config.time_zone.name().to_string(),
        },
        filters: Filters {
            unit: request.filter.unit.clone(),
            service: request.filter.service.as_ref().map(Slug::to_string),
            counter: request.filter.counter.as_ref().map(Slug::to_string),
        },
        ikm_rounded: recap.ikm_rounded(),
        recap,
        per_service,
        profile,
        services: aggregate.services,
        counters: aggregate.counters,
        modules,
        sample,
        closed: closure.map(|c| Closed {
            closed_at: format_rfc3339(c.closed_at),
            closed_at_unix: c.closed_at,
            respondents: c.respondents,
            last_seq: c.last_seq,
        }),
        late,
        verified,
        excluded,
        flags,
        follow_ups: FollowUps {
            plan: follow_ups
                .iter()
                .filter(|f| f.planned_within(request.from(), request.to()))
                .map(|f| FollowUpView::new(f, lang, &texts))
                .collect(),
            carried: follow_ups
                .iter()
                .filter(|f| f.carried_into(request.from()))
                .map(|f| FollowUpView::new(f, lang, &texts))
                .collect(),
        },
        suggestions: None,
    })
}

/// A recap over many units (a region, or the whole deployment), as `GET /api/v1/report?region=…`
/// and `?all=1` return it.
#[derive(Debug, Serialize)]
pub struct RegionReport {
    /// The region's id; null for the whole deployment.
    pub region: Option<String>,
    pub label: String,
    pub period: PeriodInfo,
    /// The headline: every respondent of the units pooled, scored as one survey (each unit's
    /// closed period counted as frozen).
    #[serde(flatten)]
    pub recap: Recap,
    pub ikm_rounded: Option<f64>,
    /// The verified responses of all the units pooled, and the IKM over them.
    pub verified: Verified,
    /// The responses the units excluded in review, by reason, summed.
    pub excluded: Excluded,
    /// The second reading: the plain mean of the units' own IKM (units without one left out),
    /// rounded to 2 decimals, and its grade.
    pub mean_of_units: MeanOfUnits,
    /// Unit id → its recap, in configured order.
    pub per_unit: PerUnit,
}

#[derive(Debug, Serialize)]
pub struct MeanOfUnits {
    pub ikm: Option<f64>,
    pub mutu: Option<Grade>,
    /// How many units had an IKM to average.
    pub units: usize,
}

/// One unit's line in a recap over many units.
#[derive(Debug, Serialize)]
pub struct UnitRecap {
    pub label: String,
    pub respondents: u64,
    /// Rounded to 2 decimals; null unless all nine elements have answers.
    pub ikm: Option<f64>,
    pub mutu: Option<Grade>,
    /// Whether the unit closed the period (its figures then frozen).
    pub closed: bool,
    /// Responses that arrived after the unit closed the period.
    pub late: u64,
    /// How many of its respondents were verified by a service code.
    pub verified: u64,
    /// How many responses it excluded in review.
    pub excluded: u64,
}

/// Unit id → its recap, a JSON object in configured order.
#[derive(Debug, Default)]
pub struct PerUnit(pub Vec<(String, UnitRecap)>);

impl PerUnit {
    /// The units ranked best first by IKM (units without one last, in configured order).
    pub fn ranked(&self) -> Vec<&(String, UnitRecap)> {
        let mut ranked: Vec<&(String, UnitRecap)> = self.0.iter().collect();
        ranked.sort_by(|(_, a), (_, b)| match (a.ikm, b.ikm) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        ranked
    }
}

impl Serialize for PerUnit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ikm_core::serialize_pairs(self.0.iter().map(|(id, recap)| (id, recap)), serializer)
    }
}

/// Computes the recap over `target`'s units from one snapshot: each unit counted in its own
/// time zone and frozen at its own closing, then pooled.
pub async fn build_region_report(
    store: &mut Snapshot,
    app: &App,
    target: Target<'_>,
    request: &ReportRequest,
) -> Result<RegionReport, StoreError> {
    let lang = request.lang;
    let mut pooled = ScoreTally::default();
    let mut pooled_verified = ScoreTally::default();
    let mut per_unit = Vec::new();
    let mut unit_ikms = Vec::new();
    let mut excluded = Excluded {
        respondents: 0,
        reasons: Vec::new(),
    };
    for site in app.sites_of(target) {
        let mut unit_request = request.clone();
        unit_request.filter.unit = Some(site.key().to_string());
        let counted = count(store.for_unit(site.key()), &unit_request).await?;
        let left_out = store.excluded_counts(&unit_request.filter).await?;
        excluded.add_counts(&left_out);
        let tally = counted.aggregate.tally;
        pooled.merge(&tally);
        pooled_verified.merge(&counted.verified);
        let recap = tally.recap(request.weights);
        unit_ikms.extend(recap.ikm);
        per_unit.push((
            site.key().to_string(),
            UnitRecap {
                label: site.config.office_name.clone(),
                respondents: recap.respondents,
                ikm: recap.ikm_rounded(),
                mutu: recap.mutu,
                closed: counted.closure.is_some(),
                late: counted.late,
                verified: counted.verified.respondents,
                excluded: left_out.iter().map(|(_, n)| n).sum(),
            },
        ));
    }
    let recap = pooled.recap(request.weights);
    let mean = ikm_core::score::mean_ikm(&unit_ikms);
    let (region, label) = match target {
        Target::Region(r) => (
            Some(r.id.clone()),
            Label::from(&r.label).get(lang).to_string(),
        ),
        _ => (
            None,
            match lang {
                Lang::Id => "Semua unit".to_string(),
                Lang::En => "All units".to_string(),
            },
        ),
    };
    Ok(RegionReport {
        region,
        label,
        period: PeriodInfo {
            key: request.period.map(Period::key),
            label: request.title(),
            from: request.from().to_string(),
            to: request.to().to_string(),
            time_zone: "unit".to_string(),
        },
        ikm_rounded: recap.ikm_rounded(),
        verified: Verified::new(&pooled_verified, recap.respondents, request.weights),
        excluded,
        recap,
        mean_of_units: MeanOfUnits {
            ikm: mean.map(|m| ikm_core::score::round_hundredths(m) as f64 / 100.0),
            mutu: mean.map(|m| Grade::from_ikm_hundredths(ikm_core::score::round_hundredths(m))),
            units: unit_ikms.len(),
        },
        per_unit: PerUnit(per_unit),
    })
}

/// The IKM of each service: every configured service in configured order, then any other
/// service id stored.
fn per_service(
    tallies: &BTreeMap<String, ScoreTally>,
    config: &OfficeConfig,
    weights: Weights,
    lang: Lang,
) -> PerService {
    let empty = ScoreTally::default();
    let mut out: Vec<(String, ServiceRecap)> = Vec::new();
    let configured = config
        .services
        .iter()
        .map(|s| (s.id.clone(), Label::from(&s.label)));
    let stored = tallies.keys().map(|id| {
        (
            id.clone(),
            Label {
                id: id.clone(),
                en: id.clone(),
            },
        )
    });
    for (id, label) in configured.chain(stored) {
        if out.iter().any(|(seen, _)| *seen == id) {
            continue;
        }
        let recap = tallies.get(&id).unwrap_or(&empty).recap(weights);
        out.push((
            id,
            ServiceRecap {
                label: label.get(lang).to_string(),
                respondents: recap.respondents,
                ikm: recap.ikm_rounded(),
                mutu: recap.mutu,
            },
        ));
    }
    PerService(out)
}

/// The sample target: for a given population, or the stored populations of the months.
async fn sample(
    store: &mut Snapshot,
    request: &ReportRequest,
    respondents: u64,
) -> Result<Option<Sample>, StoreError> {
    let months = request.months();
    let (population, months_missing) = match request.population {
        Some(p) => (p, Vec::new()),
        None => {
            let service = request.filter.service.as_ref().map_or("", Slug::as_str);
            let stored = store.populations(&months, service).await?;
            if stored.is_empty() {
                return Ok(None);
            }
            let missing = months
                .iter()
                .map(|m| m.key())
                .filter(|k| !stored.contains_key(k))
                .collect();
            (stored.values().sum(), missing)
        }
    };
    let target = krejcie_morgan(population);
    Ok(Some(Sample {
        population,
        target,
        respondents,
        reached: respondents >= target,
        months_missing,
    }))
}

/// One point of a trend: a month's IKM (frozen where the month is closed).
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub period: String,
    pub label: String,
    pub respondents: u64,
    pub ikm: Option<f64>,
    pub mutu: Option<Grade>,
    pub closed: bool,
}

/// The IKM of the `months` months ending with the month of `request.to()`, for the request's
/// filters, in two queries: the months' counts, and the late arrivals of the closed ones
/// (taken away, so a closed month shows its frozen figure). With `closed_only`, only closed
/// months are listed (the public page).
pub async fn trend(
    store: &mut Snapshot,
    request: &ReportRequest,
    months: i32,
    closed_only: bool,
) -> Result<Vec<TrendPoint>, StoreError> {
    let last = request.to().first_of_month();
    let first = last.add_months(1 - months);
    let filter = Filter {
        from: first,
        to: last.last_of_month(),
        ..request.filter.clone()
    };
    let tallies = store.monthly(&filter).await?;
    let closures = store.closures().await?;
    let window: Vec<(Date, Period, Option<&Closure>)> = (0..months)
        .rev()
        .map(|back| {
            let month = last.add_months(-back);
            let period = Period::month_of(month);
            (month, period, closures.iter().find(|c| c.period == period))
        })
        .collect();
    let closed: Vec<(Date, StoredAfter)> = window
        .iter()
        .filter_map(|(month, _, closure)| closure.map(|c| (*month, StoredAfter(c.last_seq))))
        .collect();
    let late = store.monthly_after(&filter, &closed).await?;
    let of = |list: &[(Date, ScoreTally)], month: Date| {
        list.iter()
            .find(|(m, _)| *m == month)
            .map(|(_, t)| *t)
            .unwrap_or_default()
    };
    let mut points = Vec::new();
    for (month, period, closure) in window {
        if closed_only && closure.is_none() {
            continue;
        }
        let mut tally = of(&tallies, month);
        tally.subtract(&of(&late, month));
        let recap = tally.recap(request.weights);
        points.push(TrendPoint {
            period: period.key(),
            label: period.label(request.lang),
            respondents: recap.respondents,
            ikm: recap.ikm_rounded(),
            mutu: recap.mutu,
            closed: closure.is_some(),
        });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::time::parse_rfc3339;

    /// The query as a browser would send these pairs.
    fn params(pairs: &[(&str, &str)]) -> ReportQuery {
        let object = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object)).unwrap()
    }

    #[test]
    fn days_are_office_local_days() {
        let config = OfficeConfig::default();
        let now = parse_rfc3339("2026-11-15T00:00:00Z").unwrap();
        let r = parse_request(
            &params(&[("from", "2026-11-01"), ("to", "2026-11-30")]),
            &config,
            now,
        )
        .unwrap();
        let (start, end) = config.offset().span(r.filter.from, r.filter.to);
        assert_eq!(start, parse_rfc3339("2026-11-01T00:00:00+07:00").unwrap());
        assert_eq!(end, parse_rfc3339("2026-12-01T00:00:00+07:00").unwrap());
        // 00:30 WIB on 1 November is inside; 23:59 WIB on 31 October is not.
        let inside = parse_rfc3339("2026-11-01T00:30:00+07:00").unwrap();
        let before = parse_rfc3339("2026-10-31T23:59:00+07:00").unwrap();
        assert!(start <= inside && inside < end);
        assert!(before < start);
    }

    #[test]
    fn defaults_to_the_current_month_and_reads_month() {
        let config = OfficeConfig::default();
        // 20:00 UTC on 30 November is already 1 December in WIB.
        let now = parse_rfc3339("2026-11-30T20:00:00Z").unwrap();
        let r = parse_request(&params(&[]), &config, now).unwrap();
        assert_eq!(
            (r.from().to_string(), r.to().to_string()),
            ("2026-12-01".into(), "2026-12-31".into())
        );
        let r = parse_request(
            &params(&[
                ("month", "2026-02"),
                ("weights", "0.111"),
                ("population", "1000"),
            ]),
            &config,
            now,
        )
        .unwrap();
        assert_eq!(r.to().to_string(), "2026-02-28");
        assert_eq!(r.weights, Weights::Legacy0111);
        assert_eq!(r.population, Some(1000));
    }

    #[test]
    fn bad_parameters_are_explained() {
        let config = OfficeConfig::default();
        let bad = |pairs: &[(&str, &str)]| parse_request(&params(pairs), &config, 0).unwrap_err();
        assert!(bad(&[("from", "2026-11-31")]).contains("`from` must be a date"));
        assert!(bad(&[("from", "2026-11-05"), ("to", "2026-11-01")]).contains("before"));
        assert!(bad(&[("weights", "0.1")]).contains("`weights` must be `exact` or `0.111`"));
        assert!(bad(&[("population", "-3")]).contains("whole number"));
        assert!(bad(&[("unit", "Kanim Bengkulu")]).contains("`unit`"));
        assert!(bad(&[("period", "2026-Q5")]).contains("`period` must be"));
        assert!(bad(&[("lang", "fr")]).contains("`lang`"));
    }

    #[test]
    fn an_id_is_checked_as_the_query_is_read_and_blank_is_all() {
        let read = serde_urlencoded::from_str::<ReportQuery>;
        let refused = read("service=Paspor+Baru").unwrap_err().to_string();
        assert!(refused.contains("`Paspor Baru`"), "{refused}");
        assert!(read("counter=loket-2%2F").is_err());
        let all = read("service=&counter=+").unwrap();
        assert_eq!((all.service, all.counter), (None, None));
        let one = read("service=paspor-baru&counter=loket-2").unwrap();
        assert_eq!(one.service.as_ref().map(Slug::as_str), Some("paspor-baru"));
        assert_eq!(one.counter.as_ref().map(Slug::as_str), Some("loket-2"));
    }

    #[test]
    fn every_kind_of_period_sets_the_days_and_the_title() {
        let config = OfficeConfig::default();
        let now = parse_rfc3339("2026-11-15T00:00:00Z").unwrap();
        let read = |pairs: &[(&str, &str)]| parse_request(&params(pairs), &config, now).unwrap();
        let q = read(&[("period", "2026-Q4")]);
        assert_eq!(
            (q.from().to_string(), q.to().to_string()),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        assert_eq!(q.title(), "Triwulan IV 2026");
        assert_eq!(q.months().len(), 3);
        assert_eq!(
            read(&[("period", "2026-S2"), ("lang", "en")]).title(),
            "Semester II 2026"
        );
        assert_eq!(read(&[("period", "2026")]).title(), "Tahun 2026");
        assert_eq!(
            read(&[("period", "2026"), ("lang", "en")]).title(),
            "Year 2026"
        );
        assert_eq!(
            read(&[]).title(),
            "November 2026",
            "the current month by default"
        );
        let range = read(&[("from", "2026-11-03"), ("to", "2026-12-02")]);
        assert_eq!(range.period, None);
        assert_eq!(range.title(), "2026-11-03 s.d. 2026-12-02");
        assert_eq!(range.months().len(), 2);
    }
}
