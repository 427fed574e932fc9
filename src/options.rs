//! What the embedding decided before the respondent starts, and the precedence rules that
//! turn it into the form's [`Setup`]: pure functions of data, tested natively.
//!
//! Sources, strongest first: the page's query string (a QR link: `layanan`, `loket`, `lang`),
//! the element's attributes (or `mount()`'s options), the office configuration, the browser.

use crate::kiosk::KioskSettings;
use crate::state::Setup;
use ikm_core::config::is_slug;
#[cfg(feature = "steps")]
use ikm_core::config::SurveyMode;
use ikm_core::{Lang, OfficeConfig};
use std::rc::Rc;

/// What the embedding page chose: the `<ikm-survey>` attributes, or `mount()`'s config object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MountOptions {
    /// URL the responses are POSTed to (required).
    pub endpoint: Option<String>,
    pub unit: Option<String>,
    pub lang: Option<String>,
    pub service: Option<String>,
    pub counter: Option<String>,
    /// URL of the office's JSON configuration.
    pub config: Option<String>,
    /// The configuration itself, as JSON text, when the page carries it (the collector's own
    /// survey page does, which saves a request).
    pub config_json: Option<String>,
    /// The `kiosk` attribute: this device is a shared tablet.
    pub kiosk: bool,
    /// The `mode` attribute: `steps` asks one question per screen (`form` the one page);
    /// read by the steps build only.
    #[cfg(feature = "steps")]
    pub mode: Option<String>,
}

/// Why the office configuration could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigLoadError {
    /// Network failure or a non-2xx status.
    Unreachable(String),
    /// Fetched, but not a valid configuration.
    Invalid(String),
}

/// What the page around the widget says: its query string's three parameters and the
/// first of the browser's preferred languages that the survey speaks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// `?lang=`: the language a QR link asks for.
    pub lang: Option<String>,
    /// `?layanan=`: the service a QR link fixes.
    pub service: Option<String>,
    /// `?loket=`: the counter a QR link names.
    pub counter: Option<String>,
    /// The browser's first supported language (`navigator.languages`).
    pub browser_lang: Option<Lang>,
    /// `?kiosk=1`: the page was opened on a shared tablet.
    pub kiosk: bool,
    /// `?kode=`: the service code of a queue ticket, checked as a code (canonical form).
    pub code: Option<String>,
    /// `?mode=`: one page (`form`) or one question per screen (`steps`); steps build only.
    #[cfg(feature = "steps")]
    pub mode: Option<String>,
}

/// Whether the survey asks one question per screen: the page's `?mode=`, then the element's
/// `mode` attribute (the collector's page passes its configured mode so); one page otherwise.
#[cfg(feature = "steps")]
pub fn wants_steps(options: &MountOptions, page: &Page) -> bool {
    let mode = |word: &Option<String>| word.as_deref().and_then(SurveyMode::from_code);
    mode(&page.mode).or_else(|| mode(&options.mode)) == Some(SurveyMode::Steps)
}

/// Language: the QR link's `lang`, then the attribute, then the office default, then the
/// browser, then Indonesian.
pub fn resolve_lang(options: &MountOptions, page: &Page, config: Option<&OfficeConfig>) -> Lang {
    page.lang
        .as_deref()
        .and_then(Lang::from_code)
        .or_else(|| options.lang.as_deref().and_then(Lang::from_code))
        .or_else(|| config.and_then(|c| c.default_lang))
        .or(page.browser_lang)
        .unwrap_or_default()
}

/// What the page fixes: the QR link (`layanan`, `loket`) wins over the attributes; a service
/// the office does not offer, or a malformed counter or unit, is ignored (the respondent then
/// chooses, or none is sent).
pub fn resolve_setup(options: &MountOptions, page: &Page, config: OfficeConfig) -> Setup {
    let pick = |link: &Option<String>, attribute: &Option<String>| {
        link.as_ref().or(attribute.as_ref()).cloned()
    };
    let kiosk = (options.kiosk || page.kiosk || config.kiosk.enabled)
        .then(|| KioskSettings::from(&config.kiosk));
    // A ticket's code names its service, which then wins over the link's; a kiosk (one
    // device, many respondents) never carries one.
    let code = page.code.clone().filter(|_| kiosk.is_none());
    let code_service = code
        .as_deref()
        .and_then(|c| ikm_core::codes::Code::parse(c).ok())
        .and_then(|c| config.services.get(c.fields.service))
        .map(|s| s.id.clone());
    let fixed_service = code_service.or_else(|| {
        pick(&page.service, &options.service).filter(|id| config.service(id).is_some())
    });
    let counter = pick(&page.counter, &options.counter).filter(|c| is_slug(c));
    let unit = options.unit.clone().filter(|u| is_slug(u));
    Setup {
        code,
        kiosk,
        lang: resolve_lang(options, page, Some(&config)),
        config: Rc::new(config),
        unit,
        fixed_service,
        counter,
    }
}

/// The query string of the survey page for `setup` in `lang`: what a QR link carries
/// (`?lang=en&layanan=paspor-baru&loket=loket-2`), for links that must keep it.
pub fn page_query(setup: &Setup, lang: Lang) -> String {
    let query = ikm_core::form::survey_query(
        Some(lang),
        setup.fixed_service.as_deref(),
        setup.counter.as_deref(),
    );
    match &setup.code {
        Some(code) => format!("{query}&{}={code}", ikm_core::form::CODE_PARAM),
        None => query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikm_core::form;

    /// A page with these query parameters, whose browser prefers `languages` in order.
    fn page(query: &[(&str, &str)], languages: &[&str]) -> Page {
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Page {
            lang: param(form::LANG_PARAM),
            service: param(form::SERVICE_PARAM),
            counter: param(form::COUNTER_PARAM),
            browser_lang: languages.iter().find_map(|l| Lang::from_code(l)),
            kiosk: param(form::KIOSK_PARAM).is_some(),
            code: form::page_code(param(form::CODE_PARAM).as_deref()),
            #[cfg(feature = "steps")]
            mode: param(form::MODE_PARAM),
        }
    }

    #[cfg(feature = "steps")]
    #[test]
    fn the_address_then_the_attribute_choose_one_question_per_screen() {
        let steps = MountOptions {
            mode: Some("steps".into()),
            ..MountOptions::default()
        };
        let plain = MountOptions::default();
        assert!(!wants_steps(&plain, &page(&[], &[])));
        assert!(wants_steps(&steps, &page(&[], &[])));
        assert!(wants_steps(&plain, &page(&[("mode", "Steps")], &[])));
        assert!(!wants_steps(&steps, &page(&[("mode", "form")], &[])));
        // An unknown word in the address leaves the attribute's choice.
        assert!(wants_steps(&steps, &page(&[("mode", "wizard")], &[])));
    }

    #[test]
    fn language_precedence_is_link_attribute_office_browser_indonesian() {
        let attr = MountOptions {
            lang: Some("en".into()),
            ..MountOptions::default()
        };
        let office_en = OfficeConfig {
            default_lang: Some(Lang::En),
            ..OfficeConfig::default()
        };
        let none = MountOptions::default();
        assert_eq!(
            resolve_lang(&attr, &page(&[("lang", "id")], &[]), None),
            Lang::Id
        );
        assert_eq!(
            resolve_lang(&attr, &page(&[("lang", "fr")], &[]), None),
            Lang::En
        );
        assert_eq!(
            resolve_lang(&none, &page(&[], &["id-ID"]), Some(&office_en)),
            Lang::En
        );
        assert_eq!(
            resolve_lang(&none, &page(&[], &["fr", "en-GB"]), None),
            Lang::En
        );
        assert_eq!(resolve_lang(&none, &page(&[], &["fr"]), None), Lang::Id);
    }

    #[test]
    fn a_qr_link_fixes_service_and_counter_over_the_attributes() {
        let attrs = MountOptions {
            service: Some("izin-tinggal".into()),
            counter: Some("loket-9".into()),
            unit: Some("kanim-bengkulu".into()),
            ..MountOptions::default()
        };
        let qr = page(&[("layanan", "paspor-baru"), ("loket", " loket-2 ")], &[]);
        let s = resolve_setup(&attrs, &qr, OfficeConfig::default());
        assert_eq!(s.fixed_service.as_deref(), Some("paspor-baru"));
        assert_eq!(s.counter.as_deref(), Some("loket-2"));
        assert_eq!(s.unit.as_deref(), Some("kanim-bengkulu"));
        let s = resolve_setup(&attrs, &page(&[], &[]), OfficeConfig::default());
        assert_eq!(s.fixed_service.as_deref(), Some("izin-tinggal"));
        assert_eq!(s.counter.as_deref(), Some("loket-9"));
    }

    #[test]
    fn links_keep_the_qr_setup_in_another_language() {
        let qr = page(&[("layanan", "paspor-baru"), ("loket", "loket-2")], &[]);
        let s = resolve_setup(&MountOptions::default(), &qr, OfficeConfig::default());
        assert_eq!(
            page_query(&s, Lang::En),
            "?lang=en&layanan=paspor-baru&loket=loket-2"
        );
        let plain = resolve_setup(
            &MountOptions::default(),
            &page(&[], &[]),
            OfficeConfig::default(),
        );
        assert_eq!(page_query(&plain, Lang::Id), "?lang=id");
    }

    #[test]
    fn kiosk_mode_is_switched_on_by_the_device_or_the_office() {
        let plain = resolve_setup(
            &MountOptions::default(),
            &page(&[], &[]),
            OfficeConfig::default(),
        );
        assert_eq!(plain.kiosk, None);
        let attribute = MountOptions {
            kiosk: true,
            ..MountOptions::default()
        };
        let s = resolve_setup(&attribute, &page(&[], &[]), OfficeConfig::default());
        assert_eq!(s.kiosk.map(|k| k.reset_after_send_ms), Some(10_000));
        let linked = resolve_setup(
            &MountOptions::default(),
            &page(&[("kiosk", "1")], &[]),
            OfficeConfig::default(),
        );
        assert_eq!(linked.kiosk.map(|k| k.idle_ms), Some(90_000));
        let mut office = OfficeConfig::default();
        office.kiosk.enabled = true;
        office.kiosk.attract = false;
        let s = resolve_setup(&MountOptions::default(), &page(&[], &[]), office);
        assert_eq!(s.kiosk.map(|k| k.attract), Some(false));
    }

    #[test]
    fn values_the_office_does_not_know_are_ignored() {
        let bad = page(&[("layanan", "visa-bohong"), ("loket", "Loket 2")], &[]);
        let attrs = MountOptions {
            unit: Some("Kanim Bengkulu".into()),
            ..MountOptions::default()
        };
        let s = resolve_setup(&attrs, &bad, OfficeConfig::default());
        assert_eq!((s.fixed_service, s.counter, s.unit), (None, None, None));
    }

    #[test]
    fn a_ticket_code_fixes_its_service_and_a_kiosk_never_carries_one() {
        use ikm_core::codes::CodeFields;
        let config = OfficeConfig::default();
        let code = CodeFields {
            day: ikm_core::time::Date::parse("2026-12-05").unwrap(),
            service: 3,
            serial: 7,
        }
        .encode(&[9; 32])
        .unwrap();
        let typed = ikm_core::codes::grouped(&code).to_lowercase();
        let link = page(&[("kode", &typed), ("layanan", "paspor-baru")], &[]);
        assert_eq!(link.code.as_deref(), Some(code.as_str()), "canonical form");
        let s = resolve_setup(&MountOptions::default(), &link, config.clone());
        assert_eq!(
            s.fixed_service.as_deref(),
            Some("izin-tinggal"),
            "the code's service wins"
        );
        assert_eq!(s.code.as_deref(), Some(code.as_str()));
        assert!(
            page_query(&s, Lang::En).ends_with(&format!("&kode={code}")),
            "language links keep it"
        );
        let kiosk = MountOptions {
            kiosk: true,
            ..MountOptions::default()
        };
        let s = resolve_setup(&kiosk, &link, config);
        assert_eq!(
            (s.code, s.fixed_service.as_deref()),
            (None, Some("paspor-baru"))
        );
        let mistyped = page(&[("kode", "ABCD-EFGH")], &[]);
        assert_eq!(
            mistyped.code, None,
            "a mistyped code is dropped, never sent"
        );
    }
}
