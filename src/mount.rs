//! The JS-facing API: `mount(host, options, stylesheet)` renders the survey into the host's open shadow root.

use crate::components::app::{App, AppProps, TakeOver};
use crate::options::MountOptions;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

/// Reads the options from a plain JS object; missing, empty or non-string values are absent.
fn options_from_js(object: &JsValue) -> MountOptions {
    let get = |key: &str| crate::browser::string_property(object, key);
    MountOptions {
        endpoint: get("endpoint"),
        unit: get("unit"),
        lang: get("lang"),
        service: get("service"),
        counter: get("counter"),
        config: get("config"),
        config_json: get("configJson"),
        kiosk: js_sys::Reflect::get(object, &JsValue::from_str("kiosk"))
            .is_ok_and(|v| v.is_truthy()),
        #[cfg(feature = "steps")]
        mode: get("mode"),
    }
}

/// A mounted widget; `destroy()` unmounts it and removes what it added.
#[wasm_bindgen]
pub struct MountHandle {
    app: Option<AppHandle<App>>,
    added: Vec<web_sys::Element>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Unmounts the widget; calling it twice is harmless.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        for node in self.added.drain(..) {
            node.remove();
        }
    }
}

/// Takes over a survey form the server rendered (the collector's own page): renders a blank
/// survey for the same response `id` into `container` (a copy of the server's element, not
/// yet in the page) and calls `ready` once it is rendered. The page then replays what the
/// respondent did in the server's form into it and swaps it in (see `js/ikm-survey.js`).
#[wasm_bindgen(js_name = takeOver)]
pub fn take_over(
    container: HtmlElement,
    options: JsValue,
    id: String,
    ready: js_sys::Function,
) -> MountHandle {
    let props = AppProps {
        options: options_from_js(&options),
        host: container.clone(),
        takeover: Some(TakeOver { id, ready }),
    };
    let app = yew::Renderer::<App>::with_root_and_props(container.into(), props).render();
    MountHandle {
        app: Some(app),
        added: Vec::new(),
    }
}

/// Renders the survey into `host`'s open shadow root (created if needed; the page styles it).
///
/// `options` is a plain object with `endpoint`, `unit`, `lang`, `service`, `counter`,
/// `config`, and `kiosk: true` for a shared tablet.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, options: JsValue) -> Result<MountHandle, JsValue> {
    let options = options_from_js(&options);
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let document = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("ikm-survey: host has no document"))?;
    let container = document.create_element("div")?;
    container.set_class_name("ikm-host");
    root.append_child(&container)?;
    let props = AppProps {
        options,
        host,
        takeover: None,
    };
    let app = yew::Renderer::<App>::with_root_and_props(container.clone(), props).render();
    Ok(MountHandle {
        app: Some(app),
        added: vec![container],
    })
}
