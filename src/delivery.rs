//! The delivery driver: persists responses in the outbox before sending, and delivers the
//! outbox whenever there is a chance (mount, `online`, page visible again, a timer, `pagehide`).
//!
//! Storage is `localStorage`: synchronous (so "saved before the first attempt" holds without
//! awaiting), shared by every tab of the origin, kept across restarts, and 5 MB is room for
//! about a thousand responses. One sender at a time per origin holds the Web Lock
//! `ikm-outbox`; browsers without Web Locks fall back to per-entry leases in the outbox.

use crate::browser::post_json;
use ikm_core::outbox::Outbox;
use ikm_core::Submission;
use js_sys::{Function, Promise, Reflect};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::Callback;

/// Where the outbox lives in `localStorage`.
pub const STORAGE_KEY: &str = "ikm-outbox/v1";
const LOCK_NAME: &str = "ikm-outbox";

thread_local! {
    static LISTENERS: RefCell<Vec<(u32, Callback<()>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: Cell<u32> = const { Cell::new(1) };
    static TRIGGERS_INSTALLED: Cell<bool> = const { Cell::new(false) };
    static TIMER: Cell<Option<i32>> = const { Cell::new(None) };
    static PASS_RUNNING: Cell<bool> = const { Cell::new(false) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The outbox as stored; a damaged copy is set aside under another key rather than lost.
pub fn load() -> Outbox {
    let Some(storage) = storage() else {
        return Outbox::default();
    };
    let Some(text) = storage.get_item(STORAGE_KEY).ok().flatten() else {
        return Outbox::default();
    };
    serde_json::from_str(&text).unwrap_or_else(|_| {
        let _ = storage.set_item(&format!("{STORAGE_KEY}/damaged-{}", now_ms()), &text);
        Outbox::default()
    })
}

fn store(outbox: &Outbox) -> Result<(), String> {
    let storage = storage().ok_or("this browser keeps no local storage")?;
    let text = serde_json::to_string(outbox).map_err(|e| e.to_string())?;
    storage
        .set_item(STORAGE_KEY, &text)
        .map_err(|_| "the device storage is full or blocked".to_string())
}

/// Saves a response for `endpoint` before any attempt; Err when the device cannot keep it.
pub fn save(endpoint: &str, submission: &Submission) -> Result<(), String> {
    let body = serde_json::to_string(submission).map_err(|e| e.to_string())?;
    let mut outbox = load();
    outbox.save(submission.id.clone(), endpoint.to_string(), body, now_ms());
    store(&outbox)?;
    // Read back: a browser that silently drops writes (some private modes) must not be trusted.
    if !load().contains(&submission.id) {
        return Err("the device did not keep the answers".into());
    }
    notify();
    Ok(())
}

/// Registers a callback run whenever the outbox may have changed (here or in another tab).
pub fn subscribe(callback: Callback<()>) -> u32 {
    let id = NEXT_LISTENER.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, callback)));
    install_triggers();
    id
}

/// Removes a callback registered with [`subscribe`].
pub fn unsubscribe(id: u32) {
    LISTENERS.with(|l| l.borrow_mut().retain(|(k, _)| *k != id));
}

fn notify() {
    let listeners: Vec<Callback<()>> =
        LISTENERS.with(|l| l.borrow().iter().map(|(_, c)| c.clone()).collect());
    for callback in listeners {
        callback.emit(());
    }
}

/// Starts a delivery pass now (unless one is running in this page).
pub fn kick() {
    if PASS_RUNNING.with(Cell::get) {
        return;
    }
    spawn_local(async {
        PASS_RUNNING.with(|r| r.set(true));
        with_lock(deliver_due).await;
        PASS_RUNNING.with(|r| r.set(false));
        schedule_timer();
    });
}

/// Runs `pass` holding the cross-tab Web Lock, or with leases where the API is missing.
/// `pass(true)` means the lock is held; a tab that finds it taken does nothing (the holder sends).
async fn with_lock<F, Fut>(pass: F)
where
    F: FnOnce(bool) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let locks = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &JsValue::from_str("locks")).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let Some(locks) = locks else {
        pass(false).await;
        return;
    };
    let request: Option<Function> = Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|f| f.dyn_into().ok());
    let Some(request) = request else {
        pass(false).await;
        return;
    };
    let pass = RefCell::new(Some(pass));
    let callback = Closure::once_into_js(move |lock: JsValue| -> Promise {
        let pass = pass.borrow_mut().take();
        wasm_bindgen_futures::future_to_promise(async move {
            if let (false, Some(pass)) = (lock.is_null(), pass) {
                pass(true).await;
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    if let Ok(promise) = request.call3(&locks, &JsValue::from_str(LOCK_NAME), &options, &callback) {
        if let Ok(promise) = promise.dyn_into::<Promise>() {
            let _ = JsFuture::from(promise).await;
        }
    }
}

/// Sends every due entry, one at a time, recording each outcome in storage as it arrives.
///
/// Leases are always respected: an entry whose attempt may still be in flight (from a page
/// that was closed or reloaded, or a `pagehide` keepalive) waits until its lease ends. The
/// lock only makes the check-and-take of a lease atomic across tabs.
async fn deliver_due(_locked: bool) {
    let mut tried = std::collections::HashSet::new();
    loop {
        let mut outbox = load();
        let next = outbox
            .due(now_ms(), true)
            .into_iter()
            .find(|id| !tried.contains(id));
        let Some(id) = next else { break };
        tried.insert(id.clone());
        let Some(entry) = outbox.start_attempt(&id, now_ms()) else {
            continue;
        };
        if store(&outbox).is_err() {
            break;
        }
        notify();
        let outcome = post_json(&entry.endpoint, &entry.id, &entry.body, false).await;
        let mut outbox = load();
        outbox.record(&id, &outcome, now_ms(), js_sys::Math::random());
        let _ = store(&outbox);
        notify();
    }
}

/// Wakes the sender when the earliest waiting entry becomes due.
fn schedule_timer() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(handle) = TIMER.with(Cell::take) {
        window.clear_timeout_with_handle(handle);
    }
    let Some(due) = load().next_due() else { return };
    let delay = (due - now_ms()).clamp(250, ikm_core::outbox::MAX_BACKOFF_MS) as i32;
    let wake = Closure::once_into_js(kick);
    if let Ok(handle) =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(wake.unchecked_ref(), delay)
    {
        TIMER.with(|t| t.set(Some(handle)));
    }
}

/// Listens, once per page, for the moments delivery can succeed and for other tabs' changes.
fn install_triggers() {
    if TRIGGERS_INSTALLED.with(|t| t.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_online = Closure::<dyn FnMut()>::new(|| {
        let mut outbox = load();
        outbox.retry_now(now_ms());
        let _ = store(&outbox);
        kick();
    });
    let on_visible = Closure::<dyn FnMut()>::new(|| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            kick();
        }
    });
    let on_storage =
        Closure::<dyn FnMut(web_sys::StorageEvent)>::new(|e: web_sys::StorageEvent| {
            if e.key().as_deref() == Some(STORAGE_KEY) {
                notify();
                schedule_timer();
            }
        });
    let on_pagehide = Closure::<dyn FnMut()>::new(last_attempt);
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
    }
    let _ = window.add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
    let _ =
        window.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
    // Page-lifetime listeners: the closures must outlive this call.
    on_online.forget();
    on_visible.forget();
    on_storage.forget();
    on_pagehide.forget();
}

/// On `pagehide`: one keepalive POST per pending entry not already in flight, so a closing
/// tab still delivers. Each takes the entry's lease first; the answers are never read, so the
/// entries stay until a later pass sees 200 for them.
fn last_attempt() {
    let mut outbox = load();
    let now = now_ms();
    let ids: Vec<String> = outbox
        .entries
        .iter()
        .filter(|e| e.rejected.is_none() && e.sending_until.is_none_or(|until| until <= now))
        .map(|e| e.id.clone())
        .collect();
    let entries: Vec<_> = ids
        .iter()
        .filter_map(|id| outbox.start_attempt(id, now))
        .collect();
    if store(&outbox).is_err() {
        return;
    }
    for entry in entries {
        spawn_local(async move {
            let _ = post_json(&entry.endpoint, &entry.id, &entry.body, true).await;
        });
    }
}

/// The staff export file: when, how many, and every entry with its exact body.
#[derive(serde::Serialize)]
struct Export<'a> {
    exported_at: String,
    pending: usize,
    rejected: usize,
    entries: &'a [ikm_core::outbox::Entry],
}

/// Starts a download of every pending and rejected entry as a JSON file (the staff export).
pub fn export() -> Result<(), String> {
    let outbox = load();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let export = Export {
        exported_at: crate::browser::now_rfc3339(),
        pending: outbox.pending(),
        rejected: outbox.rejected(),
        entries: &outbox.entries,
    };
    let text = serde_json::to_string(&export).map_err(|e| e.to_string())?;
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot build the file")?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot build the file")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link")?
        .dyn_into()
        .map_err(|_| "no link")?;
    link.set_href(&url);
    link.set_download(&format!(
        "ikm-outbox-{}.json",
        &crate::browser::now_rfc3339()[..10]
    ));
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
