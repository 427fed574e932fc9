//! A deployment: the offices (units) one collector serves and the regions (Kanwil) that group
//! them. A single office configuration is a deployment of one unit, so today's files keep
//! working unchanged.

use crate::config::{is_slug, parse_config_json, ConfigError, OfficeConfig};
use crate::element::LocalText;
use crate::json::{self, Value};

/// A group of units reported together (a Kanwil, or any grouping a ministry uses).
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub id: String,
    pub label: LocalText,
    /// Ids of the units it groups, each a configured unit.
    pub units: Vec<String>,
}

/// Every unit and region one collector serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// The units in configured order; never empty. In a deployment file every unit names its
    /// `unit` id; a single office file may leave it out.
    pub units: Vec<OfficeConfig>,
    pub regions: Vec<Region>,
}

impl Deployment {
    /// A deployment of just this office.
    pub fn single(config: OfficeConfig) -> Deployment {
        Deployment {
            units: vec![config],
            regions: Vec::new(),
        }
    }

    /// Reads `--config`: a deployment file `{"units": […], "regions": […]}` or a single office
    /// configuration. Errors name the path of the problem (`units[2].services[0].id`).
    pub fn from_json(text: &str) -> Result<Deployment, ConfigError> {
        let value = parse_config_json(text)?;
        let is_deployment = value
            .entries()
            .is_ok_and(|entries| entries.iter().any(|(key, _)| key == "units"));
        if !is_deployment {
            let config = OfficeConfig::from_value(&value)?;
            config.check()?;
            return Ok(Deployment::single(config));
        }
        let mut deployment = Deployment {
            units: Vec::new(),
            regions: Vec::new(),
        };
        json::read_object!(&value, |v| {
            "units" (required) => deployment.units = v.list(OfficeConfig::from_value)?,
            "regions" => deployment.regions = v.list(region_from)?,
        })?;
        deployment.check()?;
        Ok(deployment)
    }

    /// Checks what a deployment file adds: every unit checked and named, ids unique, every
    /// region's units configured.
    pub fn check(&self) -> Result<(), ConfigError> {
        let err = |path: String, reason: &str| {
            Err(ConfigError {
                path,
                reason: reason.into(),
            })
        };
        if self.units.is_empty() {
            return err("units".into(), "list at least one unit");
        }
        for (i, unit) in self.units.iter().enumerate() {
            unit.check().map_err(|e| ConfigError {
                path: format!("units[{i}].{}", e.path),
                reason: e.reason,
            })?;
            let Some(id) = &unit.unit else {
                return err(
                    format!("units[{i}].unit"),
                    "every unit of a deployment needs its `unit` id",
                );
            };
            if self
                .units
                .iter()
                .take(i)
                .any(|o| o.unit.as_ref() == Some(id))
            {
                return err(format!("units[{i}].unit"), "duplicate unit id");
            }
        }
        for (i, region) in self.regions.iter().enumerate() {
            if !is_slug(&region.id) {
                return err(
                    format!("regions[{i}].id"),
                    "use 1–64 lowercase letters, digits and hyphens",
                );
            }
            if self.regions.iter().take(i).any(|o| o.id == region.id) {
                return err(format!("regions[{i}].id"), "duplicate region id");
            }
            if region.label.id.trim().is_empty() {
                return err(format!("regions[{i}].label.id"), "must not be empty");
            }
            if region.units.is_empty() {
                return err(format!("regions[{i}].units"), "list at least one unit id");
            }
            for (j, id) in region.units.iter().enumerate() {
                if self.unit(id).is_none() {
                    return err(
                        format!("regions[{i}].units[{j}]"),
                        "not one of the configured units' ids",
                    );
                }
            }
        }
        Ok(())
    }

    /// The unit with this id.
    pub fn unit(&self, id: &str) -> Option<&OfficeConfig> {
        self.units.iter().find(|u| u.unit.as_deref() == Some(id))
    }

    /// The region with this id.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// Whether this serves more than one unit (then every per-office request names its unit).
    pub fn is_multi_unit(&self) -> bool {
        self.units.len() > 1
    }
}

fn region_from(value: &Value) -> Result<Region, json::Error> {
    let mut region = Region {
        id: String::new(),
        label: LocalText {
            id: String::new(),
            en: None,
        },
        units: Vec::new(),
    };
    json::read_object!(value, |v| {
        "id" (required) => region.id = v.string()?,
        "label" (required) => region.label = LocalText::from_value(v)?,
        "units" (required) => region.units = v.list(|u| u.string())?,
    })?;
    Ok(region)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const TWO: &str = r#"{
      "units": [
        {"office_name": "Kantor Imigrasi Bengkulu", "unit": "kanim-bengkulu",
         "services": [{"id": "paspor-baru", "label": {"id": "Paspor Baru"}}]},
        {"office_name": "Kantor Imigrasi Denpasar", "unit": "kanim-denpasar",
         "time_zone": "Asia/Makassar",
         "services": [{"id": "paspor-baru", "label": {"id": "Paspor Baru"}}]}
      ],
      "regions": [{"id": "kanwil-x", "label": {"id": "Kanwil X", "en": "Regional Office X"},
                   "units": ["kanim-bengkulu", "kanim-denpasar"]}]
    }"#;

    #[test]
    fn a_deployment_file_lists_units_and_regions() {
        let d = Deployment::from_json(TWO).unwrap();
        assert!(d.is_multi_unit());
        assert_eq!(d.units.len(), 2);
        assert_eq!(d.unit("kanim-denpasar").unwrap().offset().minutes, 480);
        assert_eq!(d.unit("kanim-bengkulu").unwrap().offset().minutes, 420);
        assert_eq!(d.region("kanwil-x").unwrap().units.len(), 2);
        assert!(d.unit("kanim-jakarta").is_none());
    }

    #[test]
    fn a_single_office_file_is_a_deployment_of_one() {
        let text = r#"{"office_name": "Kantor", "services": [{"id": "a", "label": {"id": "A"}}]}"#;
        let d = Deployment::from_json(text).unwrap();
        assert!(!d.is_multi_unit());
        assert_eq!(d.units[0].office_name, "Kantor");
        assert_eq!(d.units[0].unit, None);
    }

    #[test]
    fn problems_are_named_by_their_path() {
        let bad = |text: &str| Deployment::from_json(text).unwrap_err();
        let unnamed = TWO.replace(r#""unit": "kanim-denpasar","#, "");
        assert_eq!(bad(&unnamed).path, "units[1].unit");
        let duplicate = TWO.replace(
            "kanim-denpasar\",\n         \"time",
            "kanim-bengkulu\",\n         \"time",
        );
        assert_eq!(bad(&duplicate).path, "units[1].unit");
        let stray = TWO.replace(
            r#""kanim-bengkulu", "kanim-denpasar"]"#,
            r#""kanim-bogor"]"#,
        );
        let e = bad(&stray);
        assert_eq!(e.path, "regions[0].units[0]");
        assert!(e.reason.contains("not one of"), "{e}");
        let inner = TWO.replace(
            r#""id": "paspor-baru", "label": {"id": "Paspor Baru"}}]},"#,
            r#""id": "Paspor", "label": {"id": "Paspor Baru"}}]},"#,
        );
        assert_eq!(bad(&inner).path, "units[0].services[0].id");
        assert_eq!(bad(r#"{"units": []}"#).path, "units");
        assert!(bad(r#"{"units": [], "zones": 1}"#).path.contains("zones"));
    }
}
