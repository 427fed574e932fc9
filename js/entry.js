// The stable entry `ikm-survey.js`, the one name an office website writes in its page. It
// is small on purpose: it picks the build the page needs (one question per screen or not),
// starts that build's wasm and each widget's configuration or server-rendered form at once,
// and imports that build's content-hashed module alongside them, which registers
// <ikm-survey> and does the rest (js/ikm-survey.js). Without it the wasm download waited for
// the whole module to arrive and run, and a page asking for one question per screen loaded
// the default module first only to import the other one.
//
// scripts/bundle.mjs puts this release's hashed names in place of the IKM_* names. Served
// without long caching (everything it names is immutable). Its exports are the module's.
import { preload, prerenderRequest, wantsSteps } from './early.js';

/* global IKM_MODULE, IKM_WASM, IKM_STEPS_MODULE, IKM_STEPS_WASM */
const steps = IKM_STEPS_MODULE && wantsSteps();
const here = (name) => new URL(name, import.meta.url).href;

preload(here(steps ? IKM_STEPS_WASM : IKM_WASM), 'fetch');
for (const element of document.querySelectorAll('ikm-survey')) {
  if (element.hasAttribute('prerender')) preload(prerenderRequest(element).url.href, 'fetch');
  else if (element.hasAttribute('config')) preload(new URL(element.getAttribute('config'), document.baseURI).href, 'fetch');
}

/** mount(element, config) and takeOver(host), as the module exports them. */
export const { mount, takeOver } = await import(here(steps ? IKM_STEPS_MODULE : IKM_MODULE));
