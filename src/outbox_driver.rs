//! The outbox driver: persists responses in the outbox before sending, and delivers the
//! outbox whenever there is a chance (mount, `online`, page visible again, a timer).
//!
//! Storage is `localStorage`: synchronous (so "saved before the first attempt" holds without
//! awaiting), shared by every tab of the origin, kept across restarts, and 5 MB is room for
//! about a thousand responses; each entry has its own key (see [`STORAGE_PREFIX`]). One
//! sender at a time per origin holds the Web Lock `ikm-outbox`; browsers without Web Locks
//! fall back to the per-entry leases.

use crate::browser::post_json;
use ikm_core::outbox::{Entry, Outbox};
use ikm_core::Submission;
use js_sys::Function;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::Callback;

/// Where saved responses live in `localStorage`: one key per entry, `ikm-outbox/v1/<id>`.
///
/// One key per entry, not one document: `localStorage` has no atomic read-modify-write across
/// tabs (Chrome even propagates writes between tab processes asynchronously), so a shared
/// document would let one tab's stale copy overwrite an entry another tab just saved.
pub const STORAGE_PREFIX: &str = "ikm-outbox/v1/";
const LOCK_NAME: &str = "ikm-outbox";

/// The page's delivery driver: who listens for outbox changes, and whether a pass is running.
struct Driver {
    listeners: Vec<(u32, Callback<()>)>,
    next_listener: u32,
    triggers_installed: bool,
    pass_running: bool,
}

thread_local! {
    static DRIVER: RefCell<Driver> = const {
        RefCell::new(Driver {
            listeners: Vec::new(),
            next_listener: 1,
            triggers_installed: false,
            pass_running: false,
        })
    };
}

/// Runs `f` on the page's driver (never across an await).
fn driver<T>(f: impl FnOnce(&mut Driver) -> T) -> T {
    DRIVER.with(|d| f(&mut d.borrow_mut()))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn entry_key(id: &str) -> String {
    format!("{STORAGE_PREFIX}{id}")
}

fn read_entry(storage: &web_sys::Storage, id: &str) -> Option<Entry> {
    let text = storage.get_item(&entry_key(id)).ok().flatten()?;
    Entry::from_json(&text).ok()
}

/// Every entry on the device, oldest first; a damaged entry is set aside under another key.
pub fn load() -> Outbox {
    let Some(storage) = storage() else {
        return Outbox::default();
    };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(STORAGE_PREFIX))
        .collect();
    let mut entries = Vec::with_capacity(keys.len());
    for key in keys {
        let Some(text) = storage.get_item(&key).ok().flatten() else {
            continue;
        };
        match Entry::from_json(&text) {
            Ok(entry) => entries.push(entry),
            Err(_) => {
                let _ = storage.set_item(
                    &format!("ikm-outbox/damaged/{}", &key[STORAGE_PREFIX.len()..]),
                    &text,
                );
                let _ = storage.remove_item(&key);
            }
        }
    }
    entries.sort_by(|a, b| a.saved_at.cmp(&b.saved_at).then_with(|| a.id.cmp(&b.id)));
    Outbox { entries }
}

/// Applies an outbox transition to one entry as stored right now, and writes back only that
/// entry (or removes it); other entries, perhaps just saved by another tab, are never touched.
fn update(id: &str, change: &mut dyn FnMut(&mut Outbox)) -> Result<Option<Entry>, String> {
    let storage = storage().ok_or("this browser keeps no local storage")?;
    let mut one = Outbox {
        entries: read_entry(&storage, id).into_iter().collect(),
    };
    change(&mut one);
    let entry = one.entries.into_iter().find(|e| e.id == id);
    match &entry {
        Some(e) => {
            let text = ikm_core::json::to_string(e).map_err(|e| e.to_string())?;
            storage
                .set_item(&entry_key(id), &text)
                .map_err(|_| "the device storage is full or blocked".to_string())?;
        }
        None => {
            let _ = storage.remove_item(&entry_key(id));
        }
    }
    Ok(entry)
}

/// Takes the lease of `id` and counts an attempt, if the entry as stored now is pending, not
/// in flight and due.
fn start_attempt(id: &str) -> Option<Entry> {
    let now = now_ms();
    let mut started = None;
    update(id, &mut |one| {
        if !one.due(now, true).is_empty() {
            started = one.start_attempt(id, now);
        }
    })
    .ok()?;
    started
}

/// Saves a response for `endpoint` before any attempt; Err when the device cannot keep it.
pub fn save(endpoint: &str, submission: &Submission) -> Result<(), String> {
    let body = ikm_core::json::to_string(submission).map_err(|e| e.to_string())?;
    let id = submission.id.clone();
    update(&id, &mut |one| {
        one.save(id.clone(), endpoint.to_string(), body.clone(), now_ms());
    })?;
    // Read back: a browser that silently drops writes (some private modes) must not be trusted.
    let kept = storage().and_then(|s| read_entry(&s, &id)).is_some();
    if !kept {
        return Err("the device did not keep the answers".into());
    }
    notify();
    Ok(())
}

/// Registers a callback run whenever the outbox may have changed (here or in another tab).
pub fn subscribe(callback: Callback<()>) -> u32 {
    install_triggers();
    driver(|d| {
        let id = d.next_listener;
        d.next_listener += 1;
        d.listeners.push((id, callback));
        id
    })
}

/// Removes a callback registered with [`subscribe`].
pub fn unsubscribe(id: u32) {
    driver(|d| d.listeners.retain(|(k, _)| *k != id));
}

fn notify() {
    // A copy, so a listener may subscribe or unsubscribe while being told.
    let listeners: Vec<Callback<()>> =
        driver(|d| d.listeners.iter().map(|(_, c)| c.clone()).collect());
    for callback in listeners {
        callback.emit(());
    }
}

/// Starts a delivery pass now (unless one is running in this page).
pub fn kick() {
    install_triggers();
    if driver(|d| std::mem::replace(&mut d.pass_running, true)) {
        return;
    }
    spawn_local(async {
        with_lock(deliver_due).await;
        driver(|d| d.pass_running = false);
        schedule_timer();
    });
}

/// Runs `pass` holding the cross-tab Web Lock (leases alone where the API is missing);
/// a tab that finds the lock taken does nothing, since the holder is sending.
async fn with_lock<F, Fut>(pass: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let held = JsFuture::from(crate::browser::lock(LOCK_NAME)).await;
    let Some(release) = held.ok().and_then(|r| r.dyn_into::<Function>().ok()) else {
        return;
    };
    pass().await;
    let _ = release.call0(&JsValue::NULL);
}

/// Sends every due entry, one at a time, recording each outcome in storage as it arrives.
///
/// Leases are always respected: an entry whose attempt may still be in flight (from a page
/// that was closed or reloaded, whose keepalive request goes on) waits until its lease ends. The
/// lock only makes the check-and-take of a lease atomic across tabs.
async fn deliver_due() {
    let mut tried: Vec<String> = Vec::new();
    loop {
        let next = load()
            .due(now_ms(), true)
            .into_iter()
            .find(|id| !tried.contains(id));
        let Some(id) = next else { break };
        tried.push(id.clone());
        let Some(entry) = start_attempt(&id) else {
            continue;
        };
        notify();
        // keepalive: closing or reloading the tab does not cancel an attempt already sent.
        let outcome = post_json(&entry.endpoint, &entry.id, &entry.body, true).await;
        let _ = update(&id, &mut |one| {
            one.record(&id, &outcome, now_ms(), js_sys::Math::random())
        });
        notify();
    }
}

/// Wakes the sender when the earliest waiting entry becomes due (or stops the timer).
fn schedule_timer() {
    let delay = load().next_due().map_or(-1, |due| {
        (due - now_ms()).clamp(250, ikm_core::outbox::MAX_BACKOFF_MS) as i32
    });
    crate::browser::wake_after(delay);
}

/// Listens, once per page, for the moments delivery can succeed and for other tabs' changes.
fn install_triggers() {
    if driver(|d| std::mem::replace(&mut d.triggers_installed, true)) {
        return;
    }
    let wake = Closure::<dyn FnMut(String)>::new(|reason: String| match reason.as_str() {
        // The network is back: everything waiting is due now.
        "online" => {
            let now = now_ms();
            for entry in load().entries {
                let _ = update(&entry.id, &mut |one| one.retry_now(now));
            }
            kick();
        }
        // Another tab saved, sent or refused something.
        "storage" => {
            notify();
            schedule_timer();
        }
        // The page is shown again, or an entry's time has come.
        _ => kick(),
    });
    crate::browser::on_wake(STORAGE_PREFIX, &wake);
    // A page-lifetime listener: the closure must outlive this call.
    wake.forget();
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
    let exported_at = crate::browser::now_rfc3339();
    let export = Export {
        pending: outbox.pending(),
        rejected: outbox.rejected(),
        entries: &outbox.entries,
        exported_at,
    };
    let text = ikm_core::json::to_string(&export).map_err(|e| e.to_string())?;
    let day = export.exported_at.get(..10).unwrap_or("export");
    crate::browser::download(&format!("ikm-outbox-{day}.json"), "application/json", &text);
    Ok(())
}
