// The tellers' screen: poll numbers typed outside a polling station, working with no signal.
//
// As on the doorstep (doorstep.js): every line typed gets an id made here (a UUID) and goes into an IndexedDB
// queue first ("organiser-canvass-tellers", wiped at logout by wipe.js), then is sent to the API in batches
// whenever the phone is online. The server stores each id once and each number once, so a batch resent after
// a lost answer never counts twice; ids it accepted or rejected leave the queue. The last lines typed stay
// listed with what became of them, and the count of this hour's numbers typed on this phone is shown.
(function () {
  "use strict";

  const root = document.getElementById("tellers");
  const form = document.getElementById("numbers-form");
  if (!root || !form) return;
  const stations = JSON.parse(document.getElementById("station-data").textContent);
  const input = document.getElementById("numbers");
  const statusLine = document.getElementById("teller-status");
  const hourLine = document.getElementById("teller-hour");
  const typedList = document.getElementById("typed");
  const BATCH = 100;
  const KEEP_TYPED = 60;
  let syncing = false;
  let wiped = false;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("organiser-canvass-tellers", 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
        if (!db.objectStoreNames.contains("typed")) db.createObjectStore("typed", { keyPath: "id" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close();
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  }
  const dbReady = openDb();
  window.addEventListener("organiser-canvass-wipe", () => {
    wiped = true;
    dbReady.then((db) => db.close());
  });

  async function store(name, mode, action) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const request = action(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    });
  }
  const put = (name, value) => store(name, "readwrite", (s) => s.put(value));
  const all = (name) => store(name, "readonly", (s) => s.getAll());
  const remove = (name, keys) => store(name, "readwrite", (s) => { keys.forEach((key) => s.delete(key)); return null; });

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function sessionGone(response) {
    return response.status === 401 || response.status === 403 || (response.redirected && new URL(response.url).pathname.startsWith("/accounts/login/"));
  }

  function chosenStation() {
    const checked = document.querySelector("input[name=station]:checked");
    return checked ? stations.find((s) => String(s.id) === checked.value) : null;
  }

  function fitKeyboard() {
    // One district: digits are enough (the numeric keypad); several: the letters are needed too.
    const station = chosenStation();
    input.inputMode = station && station.districts.length > 1 ? "text" : "numeric";
    const link = document.getElementById("station-hours");
    if (link && station) link.href = `?station=${station.id}`;
  }

  async function renderTyped() {
    const typed = (await all("typed")).sort((a, b) => (a.taken_at < b.taken_at ? 1 : -1));
    typedList.replaceChildren();
    typed.slice(0, KEEP_TYPED).forEach((line) => {
      const item = document.createElement("li");
      item.dataset.state = line.state;
      item.dataset.entry = line.id;
      const what = document.createElement("span");
      what.textContent = `${line.numbers} · ${line.station_name}`;
      const state = document.createElement("span");
      state.className = "muted";
      state.textContent = line.state === "queued" ? "waiting to send" : line.note || "sent";
      item.append(what, state);
      typedList.append(item);
    });
    const hour = new Date().getHours();
    const thisHour = typed.filter((line) => new Date(line.taken_at).getHours() === hour && line.state !== "refused").length;
    hourLine.textContent = `${thisHour} line${thisHour === 1 ? "" : "s"} typed on this phone since ${String(hour).padStart(2, "0")}:00.`;
    if (typed.length > KEEP_TYPED) await remove("typed", typed.slice(KEEP_TYPED).map((line) => line.id));
  }

  async function showStatus(prefix = "") {
    const waiting = (await all("queue")).length;
    statusLine.classList.toggle("waiting", waiting > 0);
    statusLine.classList.toggle("sent", waiting === 0);
    statusLine.dataset.waiting = String(waiting);
    const state = waiting ? `${waiting} waiting to send${navigator.onLine ? "" : " (offline)"}` : "All sent";
    statusLine.textContent = (prefix ? `${prefix} ` : "") + state;
  }

  async function sync() {
    if (wiped) return;
    if (syncing || !navigator.onLine) return showStatus();
    syncing = true;
    try {
      let queued = await all("queue");
      while (queued.length) {
        const batch = queued.slice(0, BATCH);
        const response = await fetch(root.dataset.postUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
          body: JSON.stringify({ entries: batch }),
        });
        if (sessionGone(response)) {
          await window.OrganiserCanvass.wipe();
          statusLine.textContent = "You are logged out: log in again to send the numbers.";
          return;
        }
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const result = await response.json();
        const refusedBy = new Map();
        result.refused.forEach((r) => refusedBy.set(r.id, [...(refusedBy.get(r.id) || []), `${r.number}: ${r.reason}`]));
        const typed = new Map((await all("typed")).map((line) => [line.id, line]));
        for (const id of result.accepted) {
          const line = typed.get(id);
          if (!line) continue;
          line.state = refusedBy.has(id) ? "refused" : "sent";
          line.note = refusedBy.has(id) ? refusedBy.get(id).join("; ") : "sent";
          await put("typed", line);
        }
        for (const r of result.rejected) {
          const line = r.id && typed.get(r.id);
          if (!line) continue;
          line.state = "refused";
          line.note = r.reason;
          await put("typed", line);
        }
        const done = [...result.accepted, ...result.rejected.map((r) => r.id).filter(Boolean)];
        await remove("queue", done);
        if (!done.length) break;
        queued = await all("queue");
      }
      await renderTyped();
      await showStatus();
    } catch (error) {
      await showStatus();
      if (navigator.onLine) setTimeout(sync, 3000);
    } finally {
      syncing = false;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const station = chosenStation();
    const numbers = input.value.trim();
    if (!station) {
      statusLine.textContent = "Choose your polling station first.";
      return;
    }
    if (!numbers) return;
    const entry = { id: uuid(), station: station.id, numbers, taken_at: new Date().toISOString() };
    await put("queue", entry);
    await put("typed", { ...entry, station_name: station.name, state: "queued" });
    input.value = "";
    input.focus();
    await renderTyped();
    await showStatus();
    sync();
  });
  document.querySelectorAll("input[name=station]").forEach((radio) => radio.addEventListener("change", fitKeyboard));
  window.addEventListener("online", sync);
  window.addEventListener("offline", () => showStatus());
  setInterval(sync, 15000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).catch(() => {});
  }
  if ("caches" in window) {
    const files = [location.pathname];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach((node) => files.push(node.getAttribute("href") || node.getAttribute("src")));
    caches.open("organiser-canvass-v1").then((cache) => cache.addAll(files)).catch(() => {});
  }
  fitKeyboard();
  renderTyped().then(() => {
    root.dataset.ready = "true";
    showStatus();
    sync();
  });
})();
