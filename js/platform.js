// The browser calls the widget makes, as plain functions the wasm imports (see src/browser.rs).
// What to send and when is decided in Rust (ikm_core::outbox); this file only performs it.
// Written in JS because each of these costs more wasm through web-sys bindings than it costs
// here, and web-sys has no stable binding for `keepalive` or the Web Locks API.

/**
 * POSTs a saved JSON body with `Idempotency-Key: id`. `keepalive` lets the request outlive the
 * page; it is aborted after `timeoutMs`. Resolves to [status, Retry-After, body]: status 0 when
 * no answer came (offline, DNS, CORS, timeout), the body only for a 422.
 */
export async function post(url, id, body, keepalive, timeoutMs) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      mode: 'cors',
      keepalive,
      signal: abort.signal,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': id },
      body,
    });
    const text = response.status === 422 ? await response.text().catch(() => null) : null;
    return [response.status, response.headers.get('Retry-After'), text];
  } catch {
    return [0, null, null];
  } finally {
    clearTimeout(timer);
  }
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

/**
 * Calls `wake(reason)` whenever delivery may succeed or the outbox changed elsewhere:
 * 'online' (the network is back), 'visible' (the page is shown again), 'storage' (another tab
 * changed a localStorage key that starts with `prefix`), 'timer' (see wakeAfter).
 */
export function onWake(prefix, wake) {
  wakeUp = wake;
  addEventListener('online', () => wake('online'));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake('visible');
  });
  addEventListener('storage', (event) => {
    if (event.key?.startsWith(prefix)) wake('storage');
  });
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
