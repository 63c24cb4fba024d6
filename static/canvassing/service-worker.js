// Keeps the doorstep page and its static files on the phone, so a walk list opens with no signal.
// Served from /canvass/sw.js (scope /canvass/). Elector data is not cached here: the page keeps the list in
// IndexedDB, and queued entries are sent by the page when the signal returns.
const CACHE = "organiser-canvass-v1";
const DOORSTEP = /^\/canvass\/lists\/\d+\/doorstep\/$/;

self.addEventListener("install", () => self.skipWaiting());
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
