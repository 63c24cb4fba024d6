// "Keep all my lists on this phone": with signal, fetch every list on the page into IndexedDB (as the doorstep
// page keeps the one it opens) and put each doorstep page in the cache, so that every list opens later with no
// signal. The same database and cache as doorstep.js; logging out clears them (wipe.js).
(function () {
  "use strict";
  const button = document.getElementById("keep-lists");
  const status = document.getElementById("keep-status");
  if (!button) return;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("organiser-canvass", 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("lists")) db.createObjectStore("lists", { keyPath: "id" });
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function keepList(db, list) {
    return new Promise((resolve, reject) => {
      const transaction = db.transaction("lists", "readwrite");
      const store = transaction.objectStore("lists");
      const existing = store.get(list.id);
      existing.onsuccess = () => {
        const kept = existing.result;
        if (kept) list.doorIndex = kept.doorIndex || 0; // where the canvasser had got to stays
        store.put(kept ? { ...kept, ...list, doorIndex: list.doorIndex } : list);
      };
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(button.dataset.swUrl, { scope: "/" }).catch(() => {});
  }

  button.addEventListener("click", async () => {
    const items = Array.from(document.querySelectorAll("[data-keep-list]"));
    button.disabled = true;
    status.textContent = `Keeping ${items.length} list${items.length === 1 ? "" : "s"}…`;
    try {
      const db = await openDb();
      const cache = await caches.open("organiser-canvass-v1");
      const files = new Set([location.pathname, button.dataset.offlineUrl, ...button.dataset.files.split(" ")]);
      let kept = 0;
      for (const item of items) {
        const response = await fetch(item.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) continue;
        await keepList(db, await response.json());
        files.add(item.dataset.pageUrl);
        kept += 1;
      }
      await cache.addAll(Array.from(files));
      db.close();
      status.textContent = `${kept} list${kept === 1 ? " is" : "s are"} on this phone: ${kept === 1 ? "it opens" : "they open"} with no signal.`;
      button.dataset.kept = String(kept);
    } catch (error) {
      status.textContent = "Could not keep the lists: try again where there is signal.";
    } finally {
      button.disabled = false;
    }
  });
})();
