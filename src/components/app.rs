//! The root: resolves language, QR-link pre-fill and the office configuration, then shows the survey.

use crate::browser::{browser_lang, load_config, query_param, ConfigLoadError};
use crate::components::notices::notice;
use crate::components::survey::Survey;
use crate::mount::MountOptions;
use crate::state::Setup;
use ikm_core::config::is_slug;
use ikm_core::i18n::ui;
use ikm_core::{Lang, OfficeConfig};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub options: MountOptions,
    pub host: HtmlElement,
}

#[derive(Clone, PartialEq)]
enum ConfigState {
    Loading,
    Ready(Rc<OfficeConfig>),
    Failed(ConfigLoadError),
}

/// Language: the QR link's `lang`, then the attribute, then the office default, then the browser, then Indonesian.
fn resolve_lang(options: &MountOptions, config: Option<&OfficeConfig>) -> Lang {
    query_param("lang")
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| options.lang.as_deref().and_then(Lang::from_code))
        .or_else(|| config.and_then(|c| c.default_lang))
        .or_else(browser_lang)
        .unwrap_or_default()
}

/// What the page fixes: the QR link (`layanan`, `loket`) wins over the attributes; unknown values are ignored.
fn resolve_setup(options: &MountOptions, config: Rc<OfficeConfig>) -> Setup {
    let fixed_service = query_param("layanan")
        .or_else(|| options.service.clone())
        .filter(|id| config.service(id).is_some());
    let counter = query_param("loket")
        .or_else(|| options.counter.clone())
        .filter(|c| is_slug(c));
    let unit = options.unit.clone().filter(|u| is_slug(u));
    Setup {
        lang: resolve_lang(options, Some(&config)),
        config,
        unit,
        fixed_service,
        counter,
    }
}

/// Loads the configuration (if any) and renders the survey or a clear problem notice.
#[function_component]
pub fn App(props: &AppProps) -> Html {
    let config = {
        let url = props.options.config.clone();
        use_state(move || match url {
            Some(_) => ConfigState::Loading,
            None => ConfigState::Ready(Rc::new(OfficeConfig::default())),
        })
    };
    {
        let config = config.clone();
        use_effect_with(props.options.config.clone(), move |url| {
            if let Some(url) = url.clone() {
                spawn_local(async move {
                    config.set(match load_config(&url).await {
                        Ok(c) => ConfigState::Ready(Rc::new(c)),
                        Err(e) => ConfigState::Failed(e),
                    });
                });
            }
        });
    }

    let endpoint = props
        .options
        .endpoint
        .clone()
        .filter(|e| !e.trim().is_empty());
    let lang = resolve_lang(&props.options, None);
    let hint = ui::CONTACT_STAFF.get(lang);
    let Some(endpoint) = endpoint else {
        crate::browser::dispatch_event(&props.host, "ikm-error", &[("code", "config")]);
        return notice(
            ui::LOAD_FAILED.get(lang),
            ui::MISSING_ENDPOINT.get(lang),
            hint,
        );
    };
    match &*config {
        ConfigState::Loading => {
            html! { <p class="ikm-loading" role="status">{ ui::LOADING.get(lang) }</p> }
        }
        ConfigState::Failed(error) => {
            crate::browser::dispatch_event(&props.host, "ikm-error", &[("code", "config")]);
            let (title, detail) = match error {
                ConfigLoadError::Unreachable(why) => (ui::CONFIG_UNREACHABLE, why),
                ConfigLoadError::Invalid(why) => (ui::CONFIG_INVALID, why),
            };
            let detail = format!(
                "{}: {detail}",
                props.options.config.clone().unwrap_or_default()
            );
            notice(title.get(lang), &detail, hint)
        }
        ConfigState::Ready(config) => {
            let setup = resolve_setup(&props.options, config.clone());
            html! { <Survey {setup} endpoint={endpoint} host={props.host.clone()} /> }
        }
    }
}
