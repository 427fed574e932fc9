// The outbox delivery for the service worker: the same wasm and the same rules as the
// widget (ikm_core::outbox: leases, attempts, what a reply means), nothing written twice.
// scripts/bundle.mjs bundles this with the wasm-bindgen glue and js/platform.js into a
// classic script (for importScripts) and puts the hashed wasm name in place of IKM_WASM.
import init, { deliverOutbox } from './ikm-survey-wasm.js';

/* global IKM_WASM */
let ready = null;

/** Delivers every due entry; resolves to the number still waiting. `base`: where the files are. */
self.ikmDeliverOutbox = async (base) => {
  ready ??= init({ module_or_path: new URL(IKM_WASM, base) });
  await ready;
  return deliverOutbox();
};
