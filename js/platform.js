// The browser calls the widget makes, as plain functions the wasm imports (see src/browser.rs).
// The outbox functions also run in the service worker (no `window` or `document` there).
// What to send and when is decided in Rust (ikm_core::outbox); this file only performs it.
// Written in JS because each of these costs more wasm through web-sys bindings than it costs
// here, and web-sys has no stable binding for `keepalive` or the Web Locks API.

/**
 * POSTs a saved JSON body with `Idempotency-Key: id`. `keepalive` lets the request outlive the
 * page; it is aborted after `timeoutMs`. Resolves to [status, Retry-After, body]: status 0 when
 * no answer came (offline, DNS, CORS, timeout), the body only for a 422 or 409 (field errors).
 * A 428 carries a proof-of-work challenge (docs/review.md): solved here, then sent once more.
 */
export async function post(url, id, body, keepalive, timeoutMs, proof) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let challenge = null;
  try {
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': id };
    if (proof) headers['Ikm-Proof'] = proof;
    const response = await fetch(url, { method: 'POST', mode: 'cors', keepalive, signal: abort.signal, headers, body });
    const status = response.status;
    if (status === 428 && !proof) challenge = (await response.json().catch(() => ({}))).challenge;
    const text = status === 422 || status === 409 ? await response.text().catch(() => null) : null;
    if (!challenge) return [status, response.headers.get('Retry-After'), text];
  } catch {
    return [0, null, null];
  } finally {
    clearTimeout(timer);
  }
  const solved = await solve(challenge).catch(() => null);
  return solved ? post(url, id, body, keepalive, timeoutMs, solved) : [428, null, null];
}

/**
 * ALTCHA's proof of work: the number n up to `maxnumber` with SHA-256(salt + n) = challenge,
 * hashed in batches (crypto.subtle runs them off the main thread); the answer as base64 JSON.
 */
export async function solve(c) {
  const want = Uint8Array.from(c.challenge.match(/../g) ?? [], (h) => parseInt(h, 16));
  const text = new TextEncoder();
  const same = (buffer) => new Uint8Array(buffer).every((b, i) => b === want[i]);
  for (let start = 0; start <= c.maxnumber; start += 1000) {
    const batch = [];
    for (let n = start; n < start + 1000 && n <= c.maxnumber; n++) batch.push(crypto.subtle.digest('SHA-256', text.encode(c.salt + n)));
    const found = (await Promise.all(batch)).findIndex(same);
    if (found >= 0) {
      const { algorithm, salt, signature } = c;
      return btoa(JSON.stringify({ algorithm, challenge: c.challenge, number: start + found, salt, signature }));
    }
  }
  return null;
}

/** GETs `url` as text; rejects with a message that names the HTTP status or network error. */
export async function getText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  return response.text();
}

/**
 * Takes the Web Lock `name` if no other tab holds it: resolves to the function that releases
 * it, or null when another tab holds it (that tab is sending). Where Web Locks are missing or
 * refused, resolves to a no-op: the outbox's per-entry leases still keep senders apart.
 */
export function lock(name) {
  const none = () => {};
  if (typeof navigator.locks?.request !== 'function') return Promise.resolve(none);
  return new Promise((resolve) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (held) =>
        held ? new Promise((release) => resolve(release)) : resolve(null))
      .catch(() => resolve(none));
  });
}

/** Dispatches a bubbling, composed CustomEvent from `host`, detail `{id?, code?}`. */
export function emit(host, name, id, code) {
  const detail = {};
  if (id != null) detail.id = id;
  if (code != null) detail.code = code;
  host.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));
}

let wakeUp = null;
let timer = 0;
/** News of outbox changes between pages and the service worker of this origin. */
const CHANNEL = typeof BroadcastChannel === 'function' ? new BroadcastChannel('ikm-outbox') : null;

/**
 * Calls `wake(reason)` whenever delivery may succeed or the outbox changed elsewhere:
 * 'online' (the network is back), 'visible' (the page is shown again), 'storage' (another tab
 * or the service worker changed the outbox), 'timer' (see wakeAfter).
 */
export function onWake(wake) {
  wakeUp = wake;
  addEventListener('online', () => wake('online'));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake('visible');
  });
  // The channel the page also sends on: its own messages never come back to it.
  if (CHANNEL) CHANNEL.onmessage = () => wake('storage');
}

/** Calls wake('timer') once after `ms` (replacing an earlier timer); a negative `ms` only cancels. */
export function wakeAfter(ms) {
  clearTimeout(timer);
  if (ms >= 0) timer = setTimeout(() => wakeUp?.('timer'), ms);
}

/** Offers `text` as a file download named `filename` (the staff export). */
export function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Resolves after `ms` milliseconds (the kiosk's clock). */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The outbox on the device: IndexedDB (database `ikm-outbox`, store `entries`, the entry's
// JSON under its id), which pages and the service worker share, with transactions. Writes
// use strict durability: "saved" means on disk. Entries left in `localStorage` by earlier
// versions (`ikm-outbox/v1/<id>`) move here the first time the outbox is opened.
const DB_NAME = 'ikm-outbox';
const ENTRIES = 'entries';
const DAMAGED = 'damaged';
const LEGACY_PREFIX = 'ikm-outbox/v1/';
let database = null;

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/**
 * Runs `act(stores)` in one transaction over `names`; resolves with its result once
 * committed. `durability`: 'strict' waits until the write is on disk (a new response),
 * 'relaxed' until the browser has it (bookkeeping that a later attempt can redo).
 */
async function transact(names, mode, act, durability = 'relaxed') {
  const db = await openOutbox();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode, { durability });
    const stores = names.map((n) => tx.objectStore(n));
    let result;
    Promise.resolve(act(...stores)).then((r) => { result = r; }, reject);
    tx.oncomplete = () => resolve(result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('the device storage refused the write'));
  });
}

/** Opens the database at `version`, creating the stores that are missing. */
function openAt(version) {
  const open = version ? indexedDB.open(DB_NAME, version) : indexedDB.open(DB_NAME);
  open.onupgradeneeded = () => {
    for (const name of [ENTRIES, DAMAGED]) {
      if (!open.result.objectStoreNames.contains(name)) open.result.createObjectStore(name);
    }
  };
  return request(open);
}

function openOutbox() {
  database ??= (async () => {
    let db = await openAt(1).catch(() => openAt());
    // Someone opened the name without our stores (a newer version's, or a tool's): add them.
    if (!db.objectStoreNames.contains(ENTRIES) || !db.objectStoreNames.contains(DAMAGED)) {
      const version = db.version + 1;
      db.close();
      db = await openAt(version);
    }
    // Another version of the page upgrading the database closes this connection first.
    db.onversionchange = () => { db.close(); database = null; };
    return db;
  })().catch((error) => { database = null; throw error; });
  return database;
}

/**
 * Moves entries an earlier version kept in localStorage into IndexedDB (pages only; checked
 * at every read, since a tab of the earlier version may still be open and saving).
 */
async function migrateLegacy(db) {
  if (typeof localStorage === 'undefined') return;
  const keys = Object.keys(localStorage).filter((k) => k.startsWith(LEGACY_PREFIX));
  if (!keys.length) return;
  await new Promise((resolve, reject) => {
    const tx = db.transaction(ENTRIES, 'readwrite', { durability: 'strict' });
    for (const key of keys) {
      const text = localStorage.getItem(key);
      if (text != null) tx.objectStore(ENTRIES).put(text, key.slice(LEGACY_PREFIX.length));
    }
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
  // Only once IndexedDB holds them.
  for (const key of keys) localStorage.removeItem(key);
}

/** Every entry's JSON text (after moving in any an earlier version left in localStorage). */
export async function outboxAll() {
  await migrateLegacy(await openOutbox());
  return transact([ENTRIES], 'readonly', (store) => request(store.getAll()));
}

/** One entry's JSON text, or undefined. */
export function outboxGet(id) {
  return transact([ENTRIES], 'readonly', (store) => request(store.get(id)));
}

/**
 * Stores an entry's JSON text; rejects if the device refuses. `strict`: resolves only once it
 * is on disk (saving a new response: "Tersimpan" must hold through a power cut); otherwise once
 * the browser has it (leases and attempt counts, which a lost write only makes redo).
 */
export function outboxPut(id, text, strict) {
  return transact([ENTRIES], 'readwrite', (store) => request(store.put(text, id)), strict ? 'strict' : 'relaxed');
}

/** Removes an entry. */
export function outboxDelete(id) {
  return transact([ENTRIES], 'readwrite', (store) => request(store.delete(id)));
}

/** Sets an unreadable entry aside (kept for staff, never sent). */
export function outboxSetAside(id, text) {
  return transact([ENTRIES, DAMAGED], 'readwrite', (entries, damaged) => {
    damaged.put(text, id);
    return request(entries.delete(id));
  });
}

/** Tells the other pages (and the service worker's) that the outbox changed. */
export function outboxChanged() {
  CHANNEL?.postMessage('changed');
}

let persisted = false;

/**
 * After a save: asks the browser to keep the outbox when storage runs low (best effort), and
 * asks the service worker, where there is one and the browser has Background Sync, to deliver
 * when the connection returns, even if every tab of the survey is closed by then.
 */
export function afterSave() {
  if (!persisted) {
    persisted = true;
    navigator.storage?.persist?.().catch(() => {});
  }
  navigator.serviceWorker?.getRegistration?.()
    .then((registration) => registration?.sync?.register('ikm-outbox'))
    .catch(() => {});
}
