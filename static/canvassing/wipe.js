// Clears what a phone keeps of the register when its user logs out or their session ends: the walk lists and
// queued entries in IndexedDB ("organiser-canvass") and the cached doorstep pages (Cache Storage, also asked
// of the service worker). Loaded on every canvassing page; the doorstep page calls OrganiserCanvass.wipe()
// when the server says the session is gone.
(function () {
  "use strict";

  // The doorstep's lists and queue, and the tellers' screen's queue (canvassing/tellers.js).
  const DATABASES = ["organiser-canvass", "organiser-canvass-tellers"];
  const CACHE_PREFIX = "organiser-canvass";

  function deleteDatabase(name) {
    return new Promise((resolve) => {
      if (!("indexedDB" in window)) return resolve();
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }

  async function deleteCaches() {
    if (!("caches" in window)) return;
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX)).map((name) => caches.delete(name)));
  }

  function tellServiceWorker() {
    const worker = "serviceWorker" in navigator && navigator.serviceWorker.controller;
    if (!worker) return Promise.resolve();
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      worker.postMessage({ type: "wipe" }, [channel.port2]);
      setTimeout(resolve, 1500); // an old worker that does not answer must not hold up the logout
    });
  }

  async function wipe() {
    window.dispatchEvent(new Event("organiser-canvass-wipe")); // the doorstep and tellers' pages close theirs
    await Promise.all([tellServiceWorker(), deleteCaches(), ...DATABASES.map(deleteDatabase)]);
  }

  window.OrganiserCanvass = { wipe };

  // allauth's logout form posts to /accounts/logout/: clear the phone first, then let the form go.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.wiped) return;
    if (!new URL(form.action, location.href).pathname.startsWith("/accounts/logout/")) return;
    event.preventDefault();
    form.dataset.wiped = "true";
    wipe().finally(() => form.submit());
  });
})();
