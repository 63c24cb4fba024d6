// Keeps the doorstep page and its static files on the phone, so a walk list opens with no signal.
// Served from /canvass/sw.js (scope /canvass/). Elector data is not cached here: the page keeps the list in
// IndexedDB, and queued entries are sent by the page when the signal returns.
const CACHE = "organiser-canvass-v1";
const DOORSTEP = /^\/canvass\/lists\/\d+\/doorstep\/$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!(DOORSTEP.test(url.pathname) || url.pathname.startsWith("/static/"))) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((cached) => cached || Response.error())),
  );
});
