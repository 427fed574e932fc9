//! Effects at the edge: network, clock, randomness, the page's URL and DOM events.

use ikm_core::delivery::{ErrorReply, Outcome};
use ikm_core::validate::{ErrorCode, FieldError};
use ikm_core::{ConfigError, Lang, OfficeConfig, Submission};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement, Request, RequestInit, Response};

/// Longest wait for an endpoint's answer; shorter than the outbox lease.
const REQUEST_TIMEOUT_MS: i32 = 25_000;

/// Why the office configuration could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigLoadError {
    /// Network failure or a non-2xx status.
    Unreachable(String),
    /// Fetched, but not a valid configuration.
    Invalid(String),
}

/// A fresh UUID v4 from the browser's cryptographic generator (works on plain http too).
pub fn new_id() -> String {
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

/// The current time, RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// A parameter of the page's query string (QR links: `layanan`, `loket`, `lang`).
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params
        .get(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The first of the browser's preferred languages that the survey speaks.
pub fn browser_lang() -> Option<Lang> {
    let navigator = web_sys::window()?.navigator();
    navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .find_map(|code| Lang::from_code(&code))
}

/// Dispatches a bubbling, composed `CustomEvent` from the host element.
pub fn dispatch_event(host: &HtmlElement, name: &str, detail: &[(&str, &str)]) {
    let object = Object::new();
    for (key, value) in detail {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&object);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}

async fn fetch(request: &Request) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    JsFuture::from(window.fetch_with_request(request))
        .await?
        .dyn_into()
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".into())
}

/// Fetches and checks the office configuration at `url`.
pub async fn load_config(url: &str) -> Result<OfficeConfig, ConfigLoadError> {
    let init = RequestInit::new();
    init.set_method("GET");
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|e| ConfigLoadError::Unreachable(describe(&e)))?;
    let response = fetch(&request)
        .await
        .map_err(|e| ConfigLoadError::Unreachable(describe(&e)))?;
    if !response.ok() {
        return Err(ConfigLoadError::Unreachable(format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        )));
    }
    let text = response
        .text()
        .map_err(|e| ConfigLoadError::Unreachable(describe(&e)))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|e| ConfigLoadError::Unreachable(describe(&e)))?;
    let text = text.as_string().unwrap_or_default();
    OfficeConfig::from_json(&text).map_err(|e: ConfigError| ConfigLoadError::Invalid(e.to_string()))
}

/// POSTs one submission with its `Idempotency-Key`; `keepalive` lets it outlive the page.
pub async fn post_submission(endpoint: &str, submission: &Submission, keepalive: bool) -> Outcome {
    let Ok(body) = ikm_core::json::to_string(submission) else {
        return Outcome::Refused { status: 400 };
    };
    post_json(endpoint, &submission.id, &body, keepalive).await
}

/// POSTs a saved JSON body with `Idempotency-Key: id` and classifies the reply.
pub async fn post_json(endpoint: &str, id: &str, body: &str, keepalive: bool) -> Outcome {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    init.set_mode(web_sys::RequestMode::Cors);
    // Give up before the outbox lease (30 s) ends, so no entry is ever in flight twice.
    let abort = web_sys::AbortController::new().ok();
    if let Some(abort) = &abort {
        init.set_signal(Some(&abort.signal()));
    }
    let timer = abort.as_ref().and_then(|abort| {
        let abort = abort.clone();
        let fire = wasm_bindgen::closure::Closure::once_into_js(move || abort.abort());
        web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                fire.unchecked_ref(),
                REQUEST_TIMEOUT_MS,
            )
            .ok()
    });
    // web-sys has no stable setter for `keepalive`; it is a plain RequestInit field.
    let _ = Reflect::set(
        &init,
        &JsValue::from_str("keepalive"),
        &JsValue::from_bool(keepalive),
    );
    let request = match Request::new_with_str_and_init(endpoint, &init) {
        Ok(r) => r,
        Err(_) => return Outcome::classify(None, None, None),
    };
    let headers = request.headers();
    let _ = headers.set("Content-Type", "application/json");
    let _ = headers.set("Idempotency-Key", id);
    let response = fetch(&request).await;
    if let (Some(handle), Some(window)) = (timer, web_sys::window()) {
        window.clear_timeout_with_handle(handle);
    }
    let response = match response {
        Ok(r) => r,
        Err(_) => return Outcome::classify(None, None, None),
    };
    let status = response.status();
    let retry_after = response.headers().get("Retry-After").ok().flatten();
    let errors = if status == 422 {
        read_error_reply(&response).await
    } else {
        None
    };
    Outcome::classify(Some(status), retry_after.as_deref(), errors)
}

/// Reads `{"errors":[{"field","code","limit"?}]}` with the browser's JSON, without serde.
async fn read_error_reply(response: &Response) -> Option<ErrorReply> {
    let json = JsFuture::from(response.json().ok()?).await.ok()?;
    let list: js_sys::Array = Reflect::get(&json, &JsValue::from_str("errors"))
        .ok()?
        .dyn_into()
        .ok()?;
    let errors = list
        .iter()
        .filter_map(|item| {
            let text = |key: &str| {
                Reflect::get(&item, &JsValue::from_str(key))
                    .ok()?
                    .as_string()
            };
            let limit = Reflect::get(&item, &JsValue::from_str("limit"))
                .ok()?
                .as_f64();
            Some(FieldError {
                field: text("field")?,
                code: ErrorCode::from_code(&text("code").unwrap_or_default()),
                limit: limit
                    .filter(|l| l.is_finite() && *l >= 0.0)
                    .map(|l| l as u32),
            })
        })
        .collect();
    Some(ErrorReply { errors })
}

/// A string property of a plain JS object, if present and non-empty.
pub fn string_property(object: &JsValue, key: &str) -> Option<String> {
    let value = Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()?;
    (!value.trim().is_empty()).then_some(value)
}
