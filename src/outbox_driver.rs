//! The outbox driver: persists responses in the outbox before sending, and delivers the
//! outbox whenever there is a chance (mount, `online`, page visible again, a timer, and in
//! the service worker a Background Sync event after every tab was closed).
//!
//! Storage is IndexedDB (see `js/platform.js`): shared by every tab of the origin and by the
//! service worker, kept across restarts, written with strict durability, each entry under its
//! own key. One sender at a time per origin holds the Web Lock `ikm-outbox` (pages and the
//! service worker alike); where Web Locks are missing, the per-entry leases keep senders
//! apart. Every change of an entry other than saving a new one happens under that lock.

use crate::browser::post_json;
use ikm_core::outbox::{Entry, Outbox};
use ikm_core::Submission;
use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::Callback;

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = outboxAll)]
    fn outbox_all() -> Promise;
    #[wasm_bindgen(js_name = outboxGet)]
    fn outbox_get(id: &str) -> Promise;
    #[wasm_bindgen(js_name = outboxPut)]
    fn outbox_put(id: &str, text: &str, strict: bool) -> Promise;
    #[wasm_bindgen(js_name = outboxDelete)]
    fn outbox_delete(id: &str) -> Promise;
    #[wasm_bindgen(js_name = outboxSetAside)]
    fn outbox_set_aside(id: &str, text: &str) -> Promise;
    #[wasm_bindgen(js_name = outboxChanged)]
    fn outbox_changed();
    #[wasm_bindgen(js_name = afterSave)]
    fn after_save();
}

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

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

async fn read_entry(id: &str) -> Option<Entry> {
    let text = JsFuture::from(outbox_get(id)).await.ok()?.as_string()?;
    Entry::from_json(&text).ok()
}

/// Every entry on the device, oldest first; a damaged entry is set aside in its own store.
pub async fn load() -> Outbox {
    let texts = match JsFuture::from(outbox_all()).await {
        Ok(all) => all
            .dyn_into::<Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let mut entries = Vec::with_capacity(texts.len());
    for text in texts.iter().filter_map(JsValue::as_string) {
        match Entry::from_json(&text) {
            Ok(entry) => entries.push(entry),
            Err(_) => {
                // Its id is unreadable too if the JSON is: set aside under a marker of the text.
                let key = format!("damaged-{}", now_ms());
                let _ = JsFuture::from(outbox_set_aside(&key, &text)).await;
            }
        }
    }
    // Ids are unique, so the order is total: the unstable sort gives the same, with less code.
    entries.sort_unstable_by(|a, b| a.saved_at.cmp(&b.saved_at).then_with(|| a.id.cmp(&b.id)));
    Outbox { entries }
}

/// Applies an outbox transition to one entry as stored right now, and writes back only that
/// entry (or removes it); other entries are never touched. `strict`: wait until the write is
/// on disk (a newly saved response), not only in the browser's hands.
async fn update(
    id: &str,
    strict: bool,
    change: &mut dyn FnMut(&mut Outbox),
) -> Result<Option<Entry>, String> {
    let mut one = Outbox {
        entries: read_entry(id).await.into_iter().collect(),
    };
    change(&mut one);
    let entry = one.entries.into_iter().find(|e| e.id == id);
    let written = match &entry {
        Some(e) => {
            let text = ikm_core::json::to_string(e).map_err(|e| e.to_string())?;
            JsFuture::from(outbox_put(id, &text, strict)).await
        }
        None => JsFuture::from(outbox_delete(id)).await,
    };
    written.map_err(|_| "the device storage is full or blocked".to_string())?;
    outbox_changed();
    Ok(entry)
}

/// Takes the lease of `id` and counts an attempt, if the entry as stored now is pending, not
/// in flight and due.
async fn start_attempt(id: &str) -> Option<Entry> {
    let now = now_ms();
    let mut started = None;
    update(id, false, &mut |one| {
        if !one.due(now, true).is_empty() {
            started = one.start_attempt(id, now);
        }
    })
    .await
    .ok()?;
    started
}

/// Saves a response for `endpoint` before any attempt; Err when the device cannot keep it.
pub async fn save(endpoint: &str, submission: &Submission) -> Result<(), String> {
    let body = ikm_core::json::to_string(submission).map_err(|e| e.to_string())?;
    let id = submission.id.clone();
    update(&id, true, &mut |one| {
        one.save(id.clone(), endpoint.to_string(), body.clone(), now_ms());
    })
    .await?;
    // Read back: a browser that silently drops writes (some private modes) must not be trusted.
    if read_entry(&id).await.is_none() {
        return Err("the device did not keep the answers".into());
    }
    after_save();
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

/// Starts a delivery pass now (unless one is running in this page); `retry_now`: the
/// network just came back, so every waiting entry is due at once.
pub fn kick(retry_now: bool) {
    install_triggers();
    if driver(|d| std::mem::replace(&mut d.pass_running, true)) {
        return;
    }
    spawn_local(async move {
        with_lock(|| deliver_due(retry_now)).await;
        driver(|d| d.pass_running = false);
        schedule_timer().await;
    });
}

/// Delivers the outbox from the service worker (a Background Sync event: the connection is
/// back, perhaps with no page open). Resolves to the number of entries still waiting, so the
/// worker can ask the browser to try again later when some are.
#[wasm_bindgen(js_name = deliverOutbox)]
pub async fn deliver_outbox() -> u32 {
    with_lock(|| deliver_due(true)).await;
    u32::try_from(load().await.pending()).unwrap_or(u32::MAX)
}

/// Runs `pass` holding the cross-tab Web Lock (leases alone where the API is missing);
/// a sender that finds the lock taken does nothing, since the holder is sending.
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

/// Sends every due entry, one at a time, recording each outcome as it arrives.
///
/// Leases are always respected: an entry whose attempt may still be in flight (from a page
/// that was closed or reloaded, whose keepalive request goes on) waits until its lease ends.
/// The lock only makes the check-and-take of a lease atomic across tabs and the worker.
async fn deliver_due(retry_now: bool) {
    if retry_now {
        let now = now_ms();
        for entry in load().await.entries {
            let _ = update(&entry.id, false, &mut |one| one.retry_now(now)).await;
        }
    }
    let mut tried: Vec<String> = Vec::new();
    loop {
        let next = load()
            .await
            .due(now_ms(), true)
            .into_iter()
            .find(|id| !tried.contains(id));
        let Some(id) = next else { break };
        tried.push(id.clone());
        let Some(entry) = start_attempt(&id).await else {
            continue;
        };
        notify();
        // keepalive: closing or reloading the tab does not cancel an attempt already sent.
        let outcome = post_json(&entry.endpoint, &entry.id, &entry.body, true).await;
        let _ = update(&id, false, &mut |one| {
            one.record(&id, &outcome, now_ms(), js_sys::Math::random())
        })
        .await;
        notify();
    }
}

/// Wakes the sender when the earliest waiting entry becomes due (or stops the timer).
async fn schedule_timer() {
    let delay = load().await.next_due().map_or(-1, |due| {
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
        "online" => kick(true),
        // Another tab (or the service worker) saved, sent or refused something.
        "storage" => {
            notify();
            spawn_local(schedule_timer());
        }
        // The page is shown again, or an entry's time has come.
        _ => kick(false),
    });
    crate::browser::on_wake(&wake);
    // A page-lifetime listener: the closure must outlive this call.
    wake.forget();
}

/// Removes every entry from this device's outbox (a fresh start, as the browser tests need).
pub async fn discard_all() {
    for entry in load().await.entries {
        let _ = JsFuture::from(outbox_delete(&entry.id)).await;
    }
    outbox_changed();
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
pub async fn export() -> Result<(), String> {
    let outbox = load().await;
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
