//! Effects at the edge: network, clock, randomness, the page's URL and DOM events.

use crate::options::{ConfigLoadError, Page};
use ikm_core::delivery::{ErrorReply, Outcome};
use ikm_core::{Lang, OfficeConfig, Submission};
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

/// The browser calls of `js/platform.js` (fetch, Web Locks, events, downloads): cheaper there
/// than through web-sys, which also lacks `keepalive` and Web Locks. Each is documented there.
#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    /// Resolves to `[status (0: no answer), Retry-After or null, 422 body or null]`.
    fn post(url: &str, id: &str, body: &str, keepalive: bool, timeout_ms: i32) -> Promise;
    /// Resolves to the text at `url`; rejects with an `Error` naming the status or failure.
    #[wasm_bindgen(js_name = getText)]
    fn get_text(url: &str) -> Promise;
    /// Resolves to the release function of the Web Lock `name`, or null if another tab holds it.
    pub fn lock(name: &str) -> Promise;
    /// Dispatches a bubbling, composed `CustomEvent` from the host element, detail `{id?, code?}`.
    #[wasm_bindgen(js_name = emit)]
    pub fn dispatch_event(host: &HtmlElement, name: &str, id: Option<&str>, code: Option<&str>);
    /// Registers `wake(reason)` for `online`, `visible`, outbox changes (`storage`) and `timer`.
    #[wasm_bindgen(js_name = onWake)]
    pub fn on_wake(wake: &Closure<dyn FnMut(String)>);
    /// Calls the registered wake with `timer` after `ms`, replacing an earlier timer; negative cancels.
    #[wasm_bindgen(js_name = wakeAfter)]
    pub fn wake_after(ms: i32);
    pub fn download(filename: &str, mime: &str, text: &str);
    /// Resolves after `ms` milliseconds (the kiosk's clock).
    pub fn sleep(ms: i32) -> Promise;
}

/// Longest wait for an endpoint's answer; shorter than the outbox lease.
const REQUEST_TIMEOUT_MS: i32 = 25_000;

/// A fresh UUID v4 from the browser's cryptographic generator (works on plain http too).
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    if bytes == [0; 16] {
        // No crypto (very old browser): Math.random is still unique enough for deduplication.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    Submission::id_from_random_bytes(bytes)
}

/// The current time in Unix milliseconds (the kiosk's clock; tests can control it).
pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// The current time, RFC 3339 UTC with milliseconds.
pub(crate) fn now_rfc3339() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// What the page says now: its query string (QR links: `layanan`, `loket`, `lang`) and the
/// browser's preferred languages. The precedence rules are in [`crate::options`].
pub(crate) fn current_page() -> Page {
    let Some(window) = web_sys::window() else {
        return Page::default();
    };
    let search = window.location().search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let param = |name: &str| {
        params
            .as_ref()?
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let browser_lang = window
        .navigator()
        .languages()
        .iter()
        .find_map(|v| Lang::from_code(&v.as_string()?));
    Page {
        lang: param(ikm_core::form::LANG_PARAM),
        service: param(ikm_core::form::SERVICE_PARAM),
        counter: param(ikm_core::form::COUNTER_PARAM),
        browser_lang,
        kiosk: param(ikm_core::form::KIOSK_PARAM).is_some(),
        code: ikm_core::form::page_code(param(ikm_core::form::CODE_PARAM).as_deref()),
        #[cfg(feature = "steps")]
        mode: param(ikm_core::form::MODE_PARAM),
    }
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".into())
}

/// Fetches and checks the office configuration at `url`.
pub(crate) async fn load_config(url: &str) -> Result<OfficeConfig, ConfigLoadError> {
    let text = JsFuture::from(get_text(url))
        .await
        .map_err(|e| ConfigLoadError::Unreachable(describe(&e)))?;
    let text = text.as_string().unwrap_or_default();
    OfficeConfig::from_json(&text).map_err(|e| ConfigLoadError::Invalid(e.to_string()))
}

/// POSTs one submission with its `Idempotency-Key`; `keepalive` lets it outlive the page.
pub(crate) async fn post_submission(
    endpoint: &str,
    submission: &Submission,
    keepalive: bool,
) -> Outcome {
    let Ok(body) = ikm_core::json::to_string(submission) else {
        return Outcome::Refused { status: 400 };
    };
    post_json(endpoint, &submission.id, &body, keepalive).await
}

/// POSTs a saved JSON body with `Idempotency-Key: id` and classifies the reply. Gives up
/// before the outbox lease (30 s) ends, so no entry is ever in flight twice.
pub(crate) async fn post_json(endpoint: &str, id: &str, body: &str, keepalive: bool) -> Outcome {
    let reply = JsFuture::from(post(endpoint, id, body, keepalive, REQUEST_TIMEOUT_MS))
        .await
        .ok()
        .and_then(|r| r.dyn_into::<Array>().ok());
    let Some(reply) = reply else {
        return Outcome::classify(None, None, None);
    };
    let status = reply.get(0).as_f64().map_or(0, |s| s as u16);
    let retry_after = reply.get(1).as_string();
    let errors = reply
        .get(2)
        .as_string()
        .and_then(|t| ErrorReply::from_json(&t));
    Outcome::classify(
        (status != 0).then_some(status),
        retry_after.as_deref(),
        errors,
    )
}

/// A string property of a plain JS object, if present and non-empty.
pub(crate) fn string_property(object: &JsValue, key: &str) -> Option<String> {
    let value = Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()?;
    (!value.trim().is_empty()).then_some(value)
}
