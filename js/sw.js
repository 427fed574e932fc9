// The survey page's service worker. Once the page has been visited, it loads again with no
// network: the page itself network first (a fresh copy whenever the network answers, the
// last one otherwise), the content-hashed widget files cache first (they never change), and
// what an office website names by a stable name (the module `ikm-survey.js`, and its old
// name for steps pages `ikm-survey-steps.js`, and the office configuration) network first as the page is. It never
// touches anything else: no POST, no API call, no admin page goes through it. And on
// browsers with Background Sync it delivers responses saved offline when the connection
// returns, even after every tab of the survey was closed.
//
// scripts/bundle.mjs writes this file into dist/ with the release's file names in place of
// IKM_RELEASE; a new release is a new worker with a new cache, which takes over once no page
// of the old release is open (pages of the old release keep their files meanwhile, so no
// page ever mixes two releases), and then deletes the old cache.
//
// Query parameters for an office website that hosts the widget itself (the worker must be
// served from that site, at or above the survey page): `page` (the survey page's path,
// default: the worker's scope) and `files` (where the widget files are, default: beside
// this worker), e.g. /sw.js?page=/survei&files=/ikm/; `mode=steps` where the survey asks
// one question per screen, so that build's files are kept too (others never download them);
// `config` where the survey element's configuration is not `office.json` beside the files.
/* global IKM_RELEASE */
const RELEASE = IKM_RELEASE;
const params = new URLSearchParams(location.search);
const FILES = new URL(params.get('files') ?? './', location.href);
const PAGE = new URL(params.get('page') ?? self.registration.scope, location.href).pathname;
const CACHE = `ikm-${RELEASE.version}`;
const HASHED = /\.[0-9a-f]{10}\.(?:js|wasm|css)$/;
// One question per screen: that build's files, and the page in that mode, are kept too.
const STEPS = params.get('mode') === 'steps';
const STEPS_PAGE = `${PAGE}?mode=steps`;
// The files an office page names by a stable name: kept, network first, so the page works
// offline with them too (the collector's own page names the hashed files instead).
const STABLE = ['ikm-survey.js', ...(STEPS ? ['ikm-survey-steps.js'] : []), params.get('config') ?? 'office.json']
  .map((f) => new URL(f, FILES).pathname);

importScripts(new URL(RELEASE.worker, FILES).href);

self.addEventListener('install', (event) => {
  const steps = STEPS ? [RELEASE.steps_module, RELEASE.steps_wasm, RELEASE.steps_css, STEPS_PAGE] : [];
  const files = [RELEASE.module, RELEASE.form_module, RELEASE.wasm, RELEASE.css, RELEASE.worker, ...steps].filter(Boolean).map((f) => new URL(f, FILES).href);
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all([
    cache.addAll([...files, PAGE]),
    // A site may have no configuration file there (it names another): the rest still installs.
    ...STABLE.map((path) => cache.add(path).catch(() => {})),
  ])));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('ikm-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.mode === 'navigate' && url.pathname === PAGE) event.respondWith(page(request));
  else if (HASHED.test(url.pathname)) event.respondWith(file(request));
  else if (STABLE.includes(url.pathname)) event.respondWith(stable(request));
});

/**
 * From the network when it answers (and kept, so the latest copy is what comes offline), else
 * what `offline(cache)` finds kept.
 */
async function networkFirst(request, offline) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    return offline(cache);
  }
}

/** The survey page: network first, else the last copy kept, with a fresh response id. */
function page(request) {
  return networkFirst(request, async (cache) => {
    // The page as it was asked for, else its kept copy in the same mode (the widget reads the
    // address's own layanan, loket and lang), else any kept copy of it.
    const steps = STEPS && new URL(request.url).searchParams.get('mode') === 'steps';
    const kept = (await cache.match(request)) ?? (await cache.match(steps ? STEPS_PAGE : PAGE))
      ?? (await cache.match(PAGE, { ignoreSearch: true }));
    return kept ? freshResponse(kept) : Response.error();
  });
}

/**
 * A kept page with a new response id: two respondents who each open the page offline must not
 * send their answers under one id (the second would be taken for a replay of the first).
 */
async function freshResponse(kept) {
  const text = await kept.text();
  const fresh = text.replace(/<input[^>]*name="id"[^>]*>/, (tag) =>
    tag.replace(/value="[0-9a-f-]{36}"/, `value="${crypto.randomUUID()}"`));
  return new Response(fresh, { status: kept.status, headers: kept.headers });
}

/** A file under a stable name: network first, else the copy kept. */
function stable(request) {
  return networkFirst(request, async (cache) => (await cache.match(request, { ignoreSearch: true })) ?? Response.error());
}

/** A content-hashed file: never changes, so the cache answers first. */
async function file(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// Background Sync: the browser says the connection is back. Entries still waiting afterwards
// (the endpoint did not answer) make the event fail, so the browser tries again later.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'ikm-outbox') return;
  event.waitUntil(self.ikmDeliverOutbox(FILES.href).then((left) => {
    if (left > 0) throw new Error(`${left} responses still waiting`);
  }));
});
