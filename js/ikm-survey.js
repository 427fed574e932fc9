// <ikm-survey>: the IKM survey as a custom element. Importing this module registers the
// element; it also exports mount(element, config) -> { destroy() }. On the collector's own
// survey page it takes over the form the server rendered ([data-ikm-takeover]) without
// losing what the respondent did meanwhile. scripts/bundle.mjs
// bundles it with the wasm-bindgen glue and js/platform.js into one content-hashed module
// and puts the hashed names of the wasm and the stylesheet in place of IKM_WASM / IKM_CSS.
// Needs no inline script or style.
import init, { mount as mountWasm, takeOver as takeOverWasm } from './ikm-survey-wasm.js';

/* global IKM_WASM, IKM_CSS */
const STYLESHEET = new URL(IKM_CSS, import.meta.url).href;
const ATTRIBUTES = ['endpoint', 'unit', 'lang', 'service', 'counter', 'config'];

// Streaming compilation starts as soon as this module runs.
await init({ module_or_path: new URL(IKM_WASM, import.meta.url) });

/** Renders the survey into element's open shadow root; config holds the attribute values. */
export function mount(element, config = {}) {
  const options = {};
  for (const name of ATTRIBUTES) {
    if (config[name] != null && config[name] !== '') options[name] = String(config[name]);
  }
  return mountWasm(element, options, STYLESHEET);
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
 * Replaces the server-rendered survey in `host` with the live widget, losing nothing: the
 * widget renders off-page for the same response, what the respondent did meanwhile is
 * replayed into it (choices first, then the text that some choices reveal), and it takes the
 * form's place in one step, with focus, caret and scroll where the respondent left them.
 */
export function takeOver(host) {
  const form = host.querySelector('form');
  const config = document.getElementById(host.dataset.configId ?? '')?.textContent;
  const options = { endpoint: host.dataset.endpoint, unit: host.dataset.unit, configJson: config };
  const container = host.cloneNode(false);
  delete container.dataset.ikmTakeover;
  const id = form?.elements.namedItem('id')?.value ?? '';
  return takeOverWasm(container, options, id, async () => {
    const controls = form ? [...form.elements].filter((c) => c.name) : [];
    for (const c of controls) if (c.type === 'radio' || c.tagName === 'SELECT') replay(container, c);
    await settle();
    for (const c of controls) if (c.type !== 'radio' && c.tagName !== 'SELECT') replay(container, c);
    await settle();
    const active = document.activeElement;
    const selector = host.contains(active) ? focusSelector(active) : null;
    const caret = active?.selectionStart != null ? [active.selectionStart, active.selectionEnd] : null;
    host.replaceWith(container);
    const again = selector && container.querySelector(selector);
    if (again) {
      again.focus({ preventScroll: true });
      if (caret) again.setSelectionRange?.(caret[0], caret[1]);
    }
  });
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
    const config = {};
    for (const name of ATTRIBUTES) config[name] = this.getAttribute(name);
    this.#handle = mount(this, config);
  }
}

if (!customElements.get('ikm-survey')) customElements.define('ikm-survey', IkmSurvey);
for (const host of document.querySelectorAll('[data-ikm-takeover]')) takeOver(host);
