// What the first moment of a page with <ikm-survey> needs, shared by the stable entry
// (js/entry.js, a few hundred bytes that start every download at once) and the module
// (js/ikm-survey.js), so both compute the same URLs and a preload is always reused.

/** Whether the page asks for one question per screen (`?mode=steps` or `mode="steps"`). */
export const wantsSteps = () =>
  new URLSearchParams(location.search).get('mode') === 'steps' || !!document.querySelector('ikm-survey[mode=steps]');

/** Starts a download now, so that it runs alongside the others instead of after them. */
export function preload(href, as) {
  if (document.querySelector(`link[rel=preload][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = as;
  link.href = href;
  // The credentials mode of a plain fetch(), so that the later fetch reuses this download.
  if (as === 'fetch') link.crossOrigin = 'anonymous';
  document.head.append(link);
}

/**
 * The URL of `element`'s server-rendered form (its `prerender` attribute) with the page's
 * QR-link parameters and the element's attributes, which the collector applies with the
 * widget's own precedence rules; and whether any of them changes the form (a static copy
 * that `ikm form` wrote, the plain form in the office's own language, is then not what the
 * widget will show).
 */
export function prerenderRequest(element) {
  const url = new URL(element.getAttribute('prerender'), document.baseURI);
  const page = new URLSearchParams(location.search);
  let changed = !!(page.get('kode') || page.get('kiosk') || element.hasAttribute('kiosk'));
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
  return { url, changed };
}
