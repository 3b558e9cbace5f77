// Outcomes service worker: keeps the app itself (index.html and its hashed assets) so that a
// page reloaded without network still opens; the document comes from IndexedDB and syncs when
// the connection returns. It never caches the API, join links or the realtime socket.
"use strict";

const CACHE = "outcomes-app-v1";
const INDEX = "/index.html";
const PAGE = /^\/(d\/\d+(\/projector|\/board|\/group\/[^/]+)?\/?)?$/;

/** The /assets/… files an index.html refers to. */
function assetsOf(html) {
  return [...new Set(html.match(/\/assets\/[^"'\s>]+/g) || [])];
}

/** Store this index.html and its assets; drop the assets of older builds. */
async function keep(cache, html, response) {
  const assets = assetsOf(html);
  await cache.put(INDEX, response);
  await Promise.all(
    assets.map(async (url) => {
      if (!(await cache.match(url))) {
        const asset = await fetch(url, { credentials: "same-origin" });
        if (asset.ok) await cache.put(url, asset);
      }
    }),
  );
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/assets/") && !assets.includes(path)) await cache.delete(request);
  }
}

async function refreshIndex() {
  const response = await fetch("/", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  const cache = await caches.open(CACHE);
  await keep(cache, await response.clone().text(), response);
}

self.addEventListener("install", (event) => {
  event.waitUntil(refreshIndex().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function page(event) {
  const cache = await caches.open(CACHE);
  try {
    // Network first: a deployed build replaces the kept one at the next load.
    const response = await fetch(event.request);
    if (response.ok && (response.headers.get("content-type") || "").includes("text/html")) {
      const stored = response.clone();
      const read = response.clone();
      event.waitUntil(read.text().then((html) => keep(cache, html, stored)));
    }
    return response;
  } catch (error) {
    const kept = await cache.match(INDEX);
    if (kept) return kept;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGE.test(url.pathname)) {
    event.respondWith(page(event));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(asset(request));
  }
});
