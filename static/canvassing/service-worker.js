// Keeps the doorstep pages, the tellers' screen, "my lists" and their static files on the phone, so that a walk list opens with no
// signal, and answers any page the phone cannot reach with the offline page (which lists the walk lists kept
// here) rather than the browser's error page. Served from /canvass/sw.js with scope / (Service-Worker-Allowed).
// Elector data is never cached here: the pages keep lists in IndexedDB, and queued entries are sent by the
// doorstep page when the signal returns. Only the pages named below are ever stored.
const CACHE = "organiser-canvass-v1";
const KEPT = /^\/canvass\/(lists\/\d+\/doorstep\/|my-lists\/|offline\/|\d+\/tellers\/)$/;
const OFFLINE = "/canvass/offline/";

self.addEventListener("install", (event) => {
  self.skipWaiting();
  // The offline page and the files it names (its script lists the kept lists), so it works with no signal.
  event.waitUntil(caches.open(CACHE).then((cache) => keepOfflinePage(cache)).catch(() => {}));
});
async function keepOfflinePage(cache) {
  const response = await fetch(OFFLINE, { credentials: "same-origin" });
  if (!response.ok || response.redirected) return;
  const html = await response.clone().text();
  await cache.put(OFFLINE, response);
  const files = Array.from(html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g), (match) => match[1]);
  await cache.addAll(files);
}

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// On logout (or an ended session) the page asks for every cached canvassing page and file to go.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "wipe") return;
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("organiser-canvass")).map((name) => caches.delete(name))))
      .then(() => event.ports[0] && event.ports[0].postMessage({ wiped: true })),
  );
});

function networkKeeping(request, keep) {
  return fetch(request).then((response) => {
    if (keep && response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const kept = KEPT.test(url.pathname);
  if (request.mode === "navigate") {
    event.respondWith(
      networkKeeping(request, kept).catch(() =>
        caches.match(request, { ignoreSearch: true }).then((cached) => cached || caches.match(OFFLINE)).then((page) => page || Response.error()),
      ),
    );
    return;
  }
  // Static files are kept only for the kept pages (the home page's must not fill the cache after a logout).
  const forKeptPage = request.referrer && KEPT.test(new URL(request.referrer).pathname);
  if (!(kept || (url.pathname.startsWith("/static/") && forKeptPage))) {
    if (url.pathname.startsWith("/static/")) event.respondWith(fetch(request).catch(() => caches.match(request).then((cached) => cached || Response.error())));
    return;
  }
  event.respondWith(networkKeeping(request, true).catch(() => caches.match(request).then((cached) => cached || Response.error())));
});
