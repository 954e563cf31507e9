// The service worker: after the first visit the page works offline. It caches
// the page, its modules, the vendored libraries, the wasm and the example data
// sets (the list and the build hash come from www/pkg/manifest.js, written by
// scripts/build-web.sh), answers from that cache when the network fails, and
// when a new build is deployed its install replaces the previous build's cache.
//
// It lives next to index.html so its scope is the page's directory, wherever the
// page is hosted (every URL here is relative to this file).
/* global self, importScripts, caches, Request, URL, fetch */
importScripts('www/pkg/manifest.js');

const BUILD = self.PIPELAB_BUILD;
const FILES = self.PIPELAB_FILES;
const CACHE = `pipelab-${BUILD}`;
const INDEX = new URL('./', self.location).href;

self.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: from the network, not an older copy in the HTTP cache.
      await cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('pipelab-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

// Network first, the cache when the network fails (offline): online, the page is always the
// deployed one (and a developer's edits show on reload); offline, it is the last build cached.
self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  // Only the page's own files: an MLflow server (another origin) is never cached.
  if (url.origin !== self.location.origin) return;
  e.respondWith(
    (async () => {
      try {
        return await fetch(req);
      } catch (err) {
        const cache = await caches.open(CACHE);
        const hit = (await cache.match(req, { ignoreSearch: true })) ?? (req.mode === 'navigate' ? await cache.match(INDEX) : undefined);
        if (hit) return hit;
        throw err;
      }
    })(),
  );
});

self.addEventListener('message', (e) => {
  if (e.data === 'build') e.source?.postMessage({ build: BUILD, cache: CACHE });
});
