// <ikm-survey>: the IKM survey as a custom element. Importing this module registers the
// element; it also exports mount(element, config) -> { destroy() } and takeOver(host).
//
// A form rendered on the server can be on screen before the wasm arrives: the collector's
// own survey page has one ([data-ikm-takeover]), and <ikm-survey prerender="…/api/v1/form">
// fetches one into its shadow root (or a static copy that `ikm form` wrote, for an office
// whose endpoint is not `ikm serve`). Either is taken over by the widget without losing what
// the respondent did meanwhile. scripts/bundle.mjs bundles this module with the
// wasm-bindgen glue and js/platform.js into one content-hashed module and puts the hashed
// names of the wasm and the stylesheet in place of IKM_WASM / IKM_CSS. No inline script or
// style is needed.
//
// One question per screen (`<ikm-survey mode="steps">` or `?mode=steps`) is a second build
// of the same module and wasm that carries no one-page form, so neither build carries what the
// other does. Either module, as the page's entry, routes each survey to the build for its
// mode and loads only the builds the page's surveys use (IKM_OTHER names the other one: the
// steps build's hashed module in the default build, the stable ikm-survey.js in the steps
// build): a page that asks only for steps never downloads the default wasm, and an office page
// whose surveys ask for steps can name ikm-survey-steps.js and skip the default module too.
import init, { mount as mountWasm, takeOver as takeOverWasm } from './ikm-survey-wasm.js';

/* global IKM_WASM, IKM_CSS, IKM_CSS_TEXT, IKM_OTHER, IKM_IS_STEPS, IKM_STABLE_WASM */
const STYLESHEET = new URL(IKM_CSS, import.meta.url).href;

// The stylesheet travels inside this module, so a shadow root is styled the moment it exists,
// without a request. Browsers without constructable stylesheets (Safari before 16.4) link it.
const SHEET = (() => {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(IKM_CSS_TEXT);
    return 'adoptedStyleSheets' in ShadowRoot.prototype ? sheet : null;
  } catch {
    return null;
  }
})();

/** `element`'s open shadow root, styled: created here if it does not exist yet. */
async function styledRoot(element) {
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  if (SHEET) {
    if (!root.adoptedStyleSheets.includes(SHEET)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, SHEET];
    return root;
  }
  if (!root.querySelector('link[rel=stylesheet]')) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = STYLESHEET;
    const loaded = new Promise((resolve) => { link.onload = link.onerror = resolve; });
    root.append(link);
    await loaded; // never show it unstyled
  }
  return root;
}
const ATTRIBUTES = ['endpoint', 'unit', 'lang', 'service', 'counter', 'config', 'mode'];

/** `form` or `steps`, as the widget reads a mode (`SurveyMode::from_code`); undefined for any other word. */
const modeWord = (word) => ['form', 'steps'].find((mode) => mode === word?.trim().toLowerCase());
const PAGE_MODE = modeWord(new URLSearchParams(location.search).get('mode'));

/** Whether a survey of mode `mode` asks one question per screen: the page's `?mode=` first (`options::wants_steps`). */
const asksSteps = (mode) => (PAGE_MODE ?? modeWord(mode)) === 'steps';

/** Whether this build runs a survey of mode `mode` (the other build runs the rest). */
const owns = (mode) => !IKM_OTHER || asksSteps(mode) === IKM_IS_STEPS;

// This module imported by the other build's, the page's entry: it loads the wasm for the
// surveys routed to it and leaves the element, the takeovers and the worker to the entry.
const ROUTES = Symbol.for('ikm-survey.routes');
const ROUTED = globalThis[ROUTES] === import.meta.url;

/** Starts a download now, so that it runs alongside the wasm's instead of after it. */
function preload(href, as) {
  if (document.querySelector(`link[rel=preload][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = as;
  link.href = href;
  if (as === 'fetch') link.crossOrigin = 'anonymous';
  document.head.append(link);
}

/** The element's attributes as mount options. */
function optionsOf(element) {
  const options = {};
  for (const name of ATTRIBUTES) {
    const value = element.getAttribute?.(name) ?? element[name];
    if (value != null && value !== '') options[name] = String(value);
  }
  // A boolean attribute: `<ikm-survey kiosk>` makes this device a shared kiosk tablet.
  if (element.hasAttribute?.('kiosk')) options.kiosk = true;
  return options;
}

/**
 * Shows the server's copy of the form in `element`'s shadow root, styled, as soon as it
 * arrives. The request carries the page's QR-link parameters and the element's attributes;
 * the collector applies the widget's own precedence rules to them.
 */
async function prerender(element) {
  const url = new URL(element.getAttribute('prerender'), document.baseURI);
  const page = new URLSearchParams(location.search);
  // Whether the link or the element changes the form: a static copy (`ikm form`, the plain
  // form in the office's own language) is then not what the widget will show.
  let changed = page.get('kode') || page.get('kiosk') || element.hasAttribute('kiosk');
  for (const name of ['layanan', 'loket', 'lang', 'mode']) {
    if (page.get(name)) {
      url.searchParams.set(name, page.get(name));
      changed = true;
    }
  }
  // Only what changes the form, so the URL stays the one a page may preload.
  for (const [attribute, name] of [['service', 'service'], ['counter', 'counter'], ['lang', 'attr-lang'], ['mode', 'attr-mode']]) {
    const value = element.getAttribute(attribute);
    if (value) {
      url.searchParams.set(name, value);
      changed = true;
    }
  }
  // The default credentials mode, so that a <link rel="preload" as="fetch" crossorigin> of
  // the same URL in the page is reused rather than fetched again.
  const response = await fetch(url);
  if (!response.ok) return;
  const template = document.createElement('template');
  template.innerHTML = await response.text();
  if (changed && template.content.querySelector('[data-ikm-static]')) return;
  if (element.shadowRoot) return; // the widget got there first
  const root = await styledRoot(element);
  if (root.querySelector('.ikm-host')) return; // the widget mounted meanwhile
  // A send before the widget is in is held, not posted to the office's page, and made by
  // the widget once it has taken over.
  template.content.querySelector('form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    event.currentTarget.closest('[data-ikm-takeover]').dataset.ikmSubmit = '';
  });
  root.append(template.content);
}

/**
 * This release's wasm: the bytes of the page's own early download of the stable copy
 * (`<link rel="preload" href="…/ikm-survey.wasm" as="fetch" crossorigin>`, or
 * `ikm-survey-steps.wasm` for one question per screen, which a page without a
 * server-rendered form may add so the wasm does not wait for this module) when
 * they are this release's (their SHA-256 matches the hashed name: a deploy may be half done),
 * otherwise the content-hashed file (streaming compilation).
 */
async function wasmSource() {
  const hashed = new URL(IKM_WASM, import.meta.url);
  const stable = IKM_STABLE_WASM && new URL(IKM_STABLE_WASM, import.meta.url).href;
  const preloaded = stable && [...document.querySelectorAll('link[rel=preload]')].some((link) => link.href === stable);
  if (!preloaded || !globalThis.crypto?.subtle) return hashed;
  try {
    const response = await fetch(stable);
    const bytes = response.ok ? await response.arrayBuffer() : null;
    const digest = bytes && new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const hex = digest && [...digest.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (hex && IKM_WASM.endsWith(`.${hex}.wasm`)) return bytes;
  } catch { /* unreachable or not this release's: the hashed file below */ }
  return hashed;
}

// Each widget's configuration as text, fetched alongside the wasm (reusing the page's
// preload of it) and handed to the widget, whose first render is then the form itself. One
// that has not arrived by the time the wasm has (or failed) the widget fetches and reports
// itself, showing that it is loading meanwhile.
const CONFIGS = new Map();

/** Fetches `href` now; its text lands in CONFIGS if the server answers with success. */
function prefetchConfig(href) {
  fetch(href)
    .then((response) => (response.ok ? response.text() : null))
    .then((text) => { if (text != null) CONFIGS.set(href, text); })
    .catch(() => {});
}

/**
 * This module's wasm, once: everything the first screen of its surveys needs starts at
 * once (each one's office configuration or server-rendered form, and the wasm; the
 * stylesheet where it must be fetched). Each build prepares only the surveys it runs.
 */
let ownBuild;
let ownReady;
const loadOwn = () => (ownBuild ??= (async () => {
  if (!SHEET) preload(STYLESHEET, 'style');
  for (const element of document.querySelectorAll('ikm-survey')) {
    if (!owns(element.getAttribute('mode'))) continue;
    if (element.hasAttribute('prerender')) prerender(element).catch(() => {});
    else if (element.hasAttribute('config')) prefetchConfig(new URL(element.getAttribute('config'), document.baseURI).href);
  }
  await init({ module_or_path: await wasmSource() });
  ownReady = 1;
})());

/** The other build's module, once. */
let otherBuild;
let other;
const loadOther = () => (otherBuild ??= import(globalThis[ROUTES] = new URL(IKM_OTHER, import.meta.url).href).then((module) => (other = module)));

/**
 * Runs a survey of mode `mode` in the build for it: `here` in this module's, `there` in the
 * other. At once if that build is loaded, otherwise as soon as it is (a survey added or
 * changed after the page loaded may need the other one); a handle either way.
 */
function routed(mode, here, there) {
  const away = !owns(mode);
  const start = () => (away ? there() : here());
  if (away ? other : ownReady) return start();
  let handle;
  let gone;
  (away ? loadOther() : loadOwn()).then(() => { if (!gone) handle = start(); });
  return { destroy() { gone = 1; handle?.destroy(); } };
}

// The builds the page's surveys use, loaded side by side; a page without a survey yet (one
// that calls mount() itself) gets this module's own.
const surveys = ROUTED ? [] : [...document.querySelectorAll('ikm-survey')].map((element) => element.getAttribute('mode'))
  .concat([...document.querySelectorAll('[data-ikm-takeover]')].map((host) => host.dataset.mode)).map(owns);
await Promise.all([surveys.some((s) => !s) && loadOther(), (!surveys.length || surveys.some((s) => s)) && loadOwn()]);

/** Renders the survey into element's open shadow root; config holds the attribute values. */
export function mount(element, config = {}) {
  return routed(optionsOf(config).mode, () => mountHere(element, config), () => other.mount(element, config));
}

/** Mounts with this module's own wasm, which has loaded. */
function mountHere(element, config) {
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  styledRoot(element);
  const options = optionsOf(config);
  const configJson = options.config && CONFIGS.get(new URL(options.config, document.baseURI).href);
  const handle = mountWasm(element, configJson ? { ...options, configJson } : options);
  return { destroy() { handle.destroy(); root.querySelector('link[rel=stylesheet]')?.remove(); } };
}

/** Lets the widget's scheduled renders run (they follow in microtasks and a frame). */
const settle = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

/** Puts `control`'s value into the widget's control of the same name, as a user would. */
function replay(into, control) {
  const named = `[name="${CSS.escape(control.name)}"]`;
  // Events by hand: a click on a control that is not in the page yet does nothing.
  if (control.type === 'radio') {
    const target = control.checked && into.querySelector(`${named}[value="${CSS.escape(control.value)}"]`);
    if (!target) return;
    target.checked = true;
    target.dispatchEvent(new Event('change', { bubbles: true }));
    return;
  }
  const target = into.querySelector(named);
  if (!target || target.type === 'hidden' || target.value === control.value) return;
  target.value = control.value;
  target.dispatchEvent(new Event(target.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
}

/** A selector that finds the focused control again in the widget's own copy of the form. */
function focusSelector(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  if (element.name) return `[name="${CSS.escape(element.name)}"][value="${CSS.escape(element.value)}"]`;
  return null;
}

/**
 * Replaces a server-rendered survey (`host`, in the page or in a shadow root) with the live
 * widget, losing nothing: the widget renders off-page for the same response, what the
 * respondent did meanwhile is replayed into it (choices first, then the text that some
 * choices reveal), and it takes the form's place in one step, with focus, caret and scroll
 * where the respondent left them. `config` holds the element's attributes, if any.
 */
export function takeOver(host, config = {}) {
  return routed(optionsOf(config).mode ?? host.dataset.mode, () => takeOverHere(host, config), () => other.takeOver(host, config));
}

/** Takes over with this module's own wasm, once it has loaded. */
function takeOverHere(host, config) {
  const form = host.querySelector('form');
  const configJson = host.dataset.config ?? document.getElementById(host.dataset.configId ?? '')?.textContent;
  const options = { endpoint: host.dataset.endpoint, unit: host.dataset.unit, mode: host.dataset.mode, ...optionsOf(config), configJson };
  const container = host.cloneNode(false);
  delete container.dataset.ikmTakeover;
  delete container.dataset.config;
  const id = form?.elements.namedItem('id')?.value ?? '';
  const root = host.getRootNode();
  const handle = takeOverWasm(container, options, id, async () => {
    const controls = form ? [...form.elements].filter((c) => c.name) : [];
    for (const c of controls) if (c.type === 'radio' || c.tagName === 'SELECT') replay(container, c);
    await settle();
    for (const c of controls) if (c.type !== 'radio' && c.tagName !== 'SELECT') replay(container, c);
    await settle();
    const active = root.activeElement;
    const selector = active && host.contains(active) ? focusSelector(active) : null;
    const caret = active?.selectionStart != null ? [active.selectionStart, active.selectionEnd] : null;
    host.replaceWith(container);
    const again = selector && container.querySelector(selector);
    if (again) {
      again.focus({ preventScroll: true });
      if (caret) again.setSelectionRange?.(caret[0], caret[1]);
    }
    if ('ikmSubmit' in host.dataset) container.querySelector('button[type=submit]')?.click();
  });
  return { destroy() { handle.destroy(); container.remove(); } };
}

class IkmSurvey extends HTMLElement {
  static get observedAttributes() { return ATTRIBUTES; }

  #handle = null;

  connectedCallback() { this.#render(); }

  disconnectedCallback() {
    this.#handle?.destroy();
    this.#handle = null;
  }

  attributeChangedCallback(_name, before, after) {
    if (this.#handle && before !== after) this.#render();
  }

  #render() {
    this.#handle?.destroy();
    const prerendered = this.shadowRoot?.querySelector('[data-ikm-takeover]');
    this.#handle = prerendered ? takeOver(prerendered, this) : mount(this, this);
  }
}

if (!ROUTED) {
  if (!customElements.get('ikm-survey')) customElements.define('ikm-survey', IkmSurvey);
  for (const host of document.querySelectorAll('[data-ikm-takeover]')) takeOver(host);

  // The offline service worker: the collector's own page names it (data-sw), an office
  // website with its own copy can too (<ikm-survey sw="/sw.js?page=/survei&files=/ikm/">).
  const worker = document.querySelector('[data-sw]')?.dataset.sw ?? document.querySelector('ikm-survey[sw]')?.getAttribute('sw');
  if (worker && 'serviceWorker' in navigator) navigator.serviceWorker.register(worker).catch(() => {});
}
