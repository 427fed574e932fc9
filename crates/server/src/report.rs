//! The monthly (or any period's) IKM recap: request parsing and the report the API and /admin show.

use crate::store::{Aggregate, Filter, Store, StoreError};
use ikm_core::config::is_slug;
use ikm_core::profile::ProfileDistribution;
use ikm_core::sample::krejcie_morgan;
use ikm_core::time::Date;
use ikm_core::{OfficeConfig, Recap, Weights};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A checked report request: office-local days `from..=to` and filters.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub from: Date,
    pub to: Date,
    pub filter: Filter,
    pub weights: Weights,
    pub population: Option<u64>,
}

/// Parses the query string of `/api/v1/report`, `/api/v1/responses.csv` and `/admin`.
///
/// `from`/`to` default to the current month; `month=YYYY-MM` is a shorthand for both.
pub fn parse_request(
    params: &HashMap<String, String>,
    config: &OfficeConfig,
    now: i64,
) -> Result<ReportRequest, String> {
    let offset = config.offset();
    let get = |key: &str| params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let today = offset.local_date(now);
    let (mut from, mut to) = (today.first_of_month(), today.last_of_month());
    if let Some(month) = get("month") {
        let first = Date::parse(&format!("{month}-01"))
            .ok_or_else(|| format!("`month` must be YYYY-MM, got `{month}`"))?;
        (from, to) = (first, first.last_of_month());
    }
    if let Some(v) = get("from") {
        from =
            Date::parse(v).ok_or_else(|| format!("`from` must be a date YYYY-MM-DD, got `{v}`"))?;
    }
    if let Some(v) = get("to") {
        to = Date::parse(v).ok_or_else(|| format!("`to` must be a date YYYY-MM-DD, got `{v}`"))?;
    }
    if to < from {
        return Err(format!("`to` ({to}) is before `from` ({from})"));
    }
    let weights = match get("weights") {
        None => config.weights,
        Some(w) => w.parse()?,
    };
    let population = match get("population") {
        None => None,
        Some(p) => Some(
            p.parse::<u64>()
                .map_err(|_| format!("`population` must be a whole number, got `{p}`"))?,
        ),
    };
    let slug = |key: &str| -> Result<Option<String>, String> {
        match get(key) {
            Some(v) if !is_slug(v) => Err(format!(
                "`{key}` must be an id of lowercase letters, digits and hyphens, got `{v}`"
            )),
            other => Ok(other.map(String::from)),
        }
    };
    let filter = Filter {
        from: offset.start_of(from),
        to: offset.start_of(Date::from_days_since_epoch(to.days_since_epoch() + 1)),
        unit: slug("unit")?,
        service: slug("service")?,
        counter: slug("counter")?,
    };
    Ok(ReportRequest {
        from,
        to,
        filter,
        weights,
        population,
    })
}

/// The report, as `GET /api/v1/report` returns it.
#[derive(Debug, Serialize)]
pub struct Report {
    pub office: String,
    pub period: Period,
    pub filters: Filters,
    #[serde(flatten)]
    pub recap: Recap,
    /// The IKM rounded to 2 decimals, as published and graded.
    pub ikm_rounded: Option<f64>,
    pub profile: ProfileDistribution,
    pub services: BTreeMap<String, u64>,
    pub counters: BTreeMap<String, u64>,
    /// Krejcie–Morgan sample size for the given population, and whether the period reached it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<Sample>,
}

#[derive(Debug, Serialize)]
pub struct Period {
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

#[derive(Debug, Serialize)]
pub struct Sample {
    pub population: u64,
    pub target: u64,
    pub reached: bool,
}

/// Computes the report for a request.
pub async fn build_report(
    store: &Store,
    config: &OfficeConfig,
    request: &ReportRequest,
) -> Result<Report, StoreError> {
    let Aggregate {
        tally,
        profile,
        services,
        counters,
    } = store.aggregate(&request.filter).await?;
    let recap = tally.recap(request.weights);
    let sample = request.population.map(|population| {
        let target = krejcie_morgan(population);
        Sample {
            population,
            target,
            reached: tally.respondents >= target,
        }
    });
    Ok(Report {
        office: config.office_name.clone(),
        period: Period {
            from: request.from.to_string(),
            to: request.to.to_string(),
            time_zone: config.time_zone.clone(),
        },
        filters: Filters {
            unit: request.filter.unit.clone(),
            service: request.filter.service.clone(),
            counter: request.filter.counter.clone(),
        },
        ikm_rounded: recap.ikm_rounded(),
        recap,
        profile,
        services,
        counters,
        sample,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::time::parse_rfc3339;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
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
        assert_eq!(
            r.filter.from,
            parse_rfc3339("2026-11-01T00:00:00+07:00").unwrap()
        );
        assert_eq!(
            r.filter.to,
            parse_rfc3339("2026-12-01T00:00:00+07:00").unwrap()
        );
        // 00:30 WIB on 1 November is inside; 23:59 WIB on 31 October is not.
        let inside = parse_rfc3339("2026-11-01T00:30:00+07:00").unwrap();
        let before = parse_rfc3339("2026-10-31T23:59:00+07:00").unwrap();
        assert!(r.filter.from <= inside && inside < r.filter.to);
        assert!(before < r.filter.from);
    }

    #[test]
    fn defaults_to_the_current_month_and_reads_month() {
        let config = OfficeConfig::default();
        // 20:00 UTC on 30 November is already 1 December in WIB.
        let now = parse_rfc3339("2026-11-30T20:00:00Z").unwrap();
        let r = parse_request(&params(&[]), &config, now).unwrap();
        assert_eq!(
            (r.from.to_string(), r.to.to_string()),
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
        assert_eq!(r.to.to_string(), "2026-02-28");
        assert_eq!(r.weights, Weights::Legacy0111);
        assert_eq!(r.population, Some(1000));
    }

    #[test]
    fn bad_parameters_are_explained() {
        let config = OfficeConfig::default();
        let bad = |pairs: &[(&str, &str)]| parse_request(&params(pairs), &config, 0).unwrap_err();
        assert!(bad(&[("from", "2026-11-31")]).contains("`from` must be a date"));
        assert!(bad(&[("from", "2026-11-05"), ("to", "2026-11-01")]).contains("before"));
        assert!(bad(&[("weights", "0.1")]).contains("use `exact` or `0.111`"));
        assert!(bad(&[("population", "-3")]).contains("whole number"));
        assert!(bad(&[("service", "Paspor Baru")]).contains("`service`"));
    }
}
