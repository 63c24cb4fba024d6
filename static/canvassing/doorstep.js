// The doorstep page: a walk list door by door on a phone, working with no signal.
//
// The list is fetched once and kept in IndexedDB; every entry gets an id made here (a UUID) and goes into an
// IndexedDB queue first, then is sent to the API in batches whenever the phone is online. The server stores
// each id once, so a batch resent after a lost answer never duplicates; ids it accepted or rejected leave
// the queue. Common outcomes take two taps: "Spoke" then an intention, or "Not home" alone.
(function () {
  "use strict";

  const root = document.getElementById("doorstep");
  if (!root) return;
  const listId = Number(root.dataset.list);
  const statusLine = document.getElementById("sync-status");
  const doorBox = document.getElementById("door");
  const template = document.getElementById("elector-template");
  const BATCH = 100;
  let list = null;
  let doorIndex = 0;
  let syncing = false;

  // --- IndexedDB ---------------------------------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("organiser-canvass", 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("lists")) db.createObjectStore("lists", { keyPath: "id" });
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close(); // a logout deletes the database: let it go
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  }
  const dbReady = openDb();
  let wiped = false;
  let refusedNote = ""; // entries the server refused (e.g. an answer to a question changed since): said once
  window.addEventListener("organiser-canvass-wipe", () => {
    wiped = true;
    dbReady.then((db) => db.close());
  });

  function sessionGone(response) {
    return response.status === 401 || response.status === 403 || (response.redirected && new URL(response.url).pathname.startsWith("/accounts/login/"));
  }

  async function endSession() {
    // Logged out (here or elsewhere) or the session expired: nothing of the register stays on this phone.
    await window.OrganiserCanvass.wipe();
    root.dataset.wiped = "true";
    doorBox.replaceChildren();
    statusLine.textContent = "You are logged out: this phone no longer holds the list. Log in again to canvass.";
  }

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
  const get = (name, key) => store(name, "readonly", (s) => s.get(key));
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

  // --- the list ------------------------------------------------------------------------------------------
  async function loadList() {
    try {
      const response = await fetch(root.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (sessionGone(response)) {
        await endSession();
        throw new Error("logged out");
      }
      if (response.status === 404) {
        // The list is gone (destroyed on the retention date, re-cut) or no longer ours: wipe the phone's copy.
        await remove("lists", [listId]);
        throw new Error("gone");
      }
      if (!response.ok) throw new Error(`list answered ${response.status}`);
      const fresh = await response.json();
      const kept = await get("lists", listId);
      if (kept) fresh.doorIndex = kept.doorIndex || 0;
      await put("lists", fresh);
      return fresh;
    } catch (error) {
      if (error.message === "logged out") throw error;
      const kept = error.message === "gone" ? null : await get("lists", listId);
      if (kept) return kept;
      throw error;
    }
  }

  function saveList() {
    list.doorIndex = doorIndex;
    return put("lists", list);
  }

  function stateText(elector) {
    const parts = [];
    if (elector.outcome) parts.push(elector.outcome.replace(/_/g, " "));
    if (elector.intention) parts.push(elector.intention);
    return parts.length ? `Recorded: ${parts.join(", ")}` : "";
  }

  function render() {
    const door = list.doors[doorIndex];
    doorBox.replaceChildren();
    document.getElementById("door-count").textContent = `Door ${doorIndex + 1} of ${list.doors.length}`;
    document.getElementById("previous-door").disabled = doorIndex === 0;
    document.getElementById("next-door").disabled = doorIndex >= list.doors.length - 1;
    if (!door) return;
    const heading = document.createElement("h2");
    heading.textContent = door.address;
    const nobody = document.createElement("button");
    nobody.type = "button";
    nobody.className = "secondary";
    nobody.dataset.nobodyHome = "";
    nobody.textContent = "Nobody home";
    nobody.addEventListener("click", async () => {
      for (const elector of door.electors) await record(elector, "not_home", "");
      render();
    });
    const electors = document.createElement("ul");
    door.electors.forEach((elector) => electors.append(renderElector(elector)));
    doorBox.append(heading, nobody, electors);
  }

  function renderElector(elector) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.elector = elector.id;
    item.querySelector("[data-name]").textContent = elector.name;
    item.querySelector("[data-number]").textContent = elector.number;
    const flags = [elector.postal ? "postal" : "", elector.proxy ? "proxy" : ""].filter(Boolean).join(", ");
    if (flags) {
      const badge = item.querySelector("[data-flags]");
      badge.textContent = flags;
      badge.hidden = false;
    }
    item.querySelector("[data-state]").textContent = stateText(elector);
    if (elector.outcome) item.classList.add("done");
    const intentions = item.querySelector("[data-step=intention]");
    list.intentions.forEach((code) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.intention = code.code;
      button.textContent = code.label;
      button.className = code.category === "promise" ? "" : "secondary";
      button.addEventListener("click", async () => {
        elector.lastEntry = await record(elector, "spoke", code.code);
        intentions.hidden = true;
        item.querySelector("[data-step=more]").hidden = false;
        item.querySelector("[data-state]").textContent = stateText(elector);
        item.classList.add("done");
      });
      intentions.append(button);
    });
    item.querySelectorAll("[data-outcome]").forEach((button) => {
      button.addEventListener("click", async () => {
        const outcome = button.dataset.outcome;
        if (outcome === "spoke") {
          intentions.hidden = false;
          return;
        }
        elector.lastEntry = await record(elector, outcome, "");
        item.querySelector("[data-state]").textContent = stateText(elector);
        item.classList.add("done");
      });
    });
    const questions = item.querySelector("[data-questions]");
    list.questions.forEach((question) => questions.append(renderQuestion(question)));
    item.querySelector("[data-save-more]").addEventListener("click", async () => {
      const answers = {};
      questions.querySelectorAll("[data-question]").forEach((field) => {
        if (field.value) answers[field.dataset.question] = field.value;
      });
      const note = item.querySelector("[data-note]").value.trim();
      const entry = elector.lastEntry && (await get("queue", elector.lastEntry));
      if (entry) {
        entry.answers = answers;
        entry.note = note;
        await put("queue", entry);
        sync();
      } else {
        elector.lastEntry = await record(elector, elector.outcome || "spoke", elector.intention || "", answers, note);
      }
      item.querySelector("[data-step=more]").open = false;
    });
    return item;
  }

  function renderQuestion(question) {
    const label = document.createElement("label");
    label.textContent = question.text;
    let field;
    if (question.kind === "text") {
      field = document.createElement("input");
      field.type = "text";
    } else {
      field = document.createElement("select");
      const options = question.kind === "yes_no" ? ["Yes", "No"] : question.choices;
      ["", ...options].forEach((value) => field.append(new Option(value || "—", value)));
    }
    field.dataset.question = question.key;
    label.append(field);
    return label;
  }

  // --- recording and sending ---------------------------------------------------------------------------------
  async function record(elector, outcome, intention, answers = {}, note = "") {
    const entry = {
      id: uuid(),
      elector: elector.id,
      outcome,
      intention,
      answers,
      note,
      recorded_at: new Date().toISOString(),
      walk_list: listId,
    };
    await put("queue", entry);
    elector.outcome = outcome;
    if (intention) elector.intention = intention;
    await saveList();
    showStatus();
    sync();
    return entry.id;
  }

  async function showStatus(message) {
    const waiting = (await all("queue")).length;
    statusLine.classList.toggle("waiting", waiting > 0);
    statusLine.classList.toggle("sent", waiting === 0);
    statusLine.dataset.waiting = String(waiting);
    statusLine.textContent = message || (waiting ? `${waiting} waiting to send${navigator.onLine ? "" : " (offline)"}` : "All sent") + refusedNote;
  }

  async function sync() {
    if (wiped) return;
    if (syncing || !navigator.onLine) {
      showStatus();
      return;
    }
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
        if (sessionGone(response)) return endSession();
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const result = await response.json();
        if (result.rejected.length) {
          const reasons = result.rejected.map((r) => (r.answers ? `${r.reason} (${Object.entries(r.answers).map(([k, v]) => `${k}: ${v}`).join("; ")})` : r.reason));
          refusedNote = ` · ${result.rejected.length} not recorded: ${[...new Set(reasons)].join(", ")}`;
          statusLine.dataset.refused = String(result.rejected.length);
        }
        const done = [...result.accepted, ...result.rejected.map((r) => r.id).filter(Boolean)];
        await remove("queue", done);
        if (!done.length) break;
        queued = await all("queue");
      }
      await showStatus();
    } catch (error) {
      await showStatus();
      if (navigator.onLine) setTimeout(sync, 3000); // an answer lost on the way: try again soon
    } finally {
      syncing = false;
    }
  }

  // --- start -----------------------------------------------------------------------------------------------
  document.getElementById("previous-door").addEventListener("click", () => {
    doorIndex = Math.max(0, doorIndex - 1);
    saveList();
    render();
  });
  document.getElementById("next-door").addEventListener("click", () => {
    doorIndex = Math.min(list.doors.length - 1, doorIndex + 1);
    saveList();
    render();
  });
  window.addEventListener("online", sync);
  window.addEventListener("offline", () => showStatus());
  setInterval(sync, 15000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).catch(() => {});
  }
  if ("caches" in window) {
    // Keep this page and its files for a reload with no signal (the service worker answers from here).
    const files = [location.pathname];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach((node) => files.push(node.getAttribute("href") || node.getAttribute("src")));
    caches.open("organiser-canvass-v1").then((cache) => cache.addAll(files)).catch(() => {});
  }
  loadList()
    .then((loaded) => {
      list = loaded;
      doorIndex = Math.min(list.doorIndex || 0, Math.max(0, list.doors.length - 1));
      root.dataset.ready = "true";
      render();
      sync();
    })
    .catch((error) => {
      if (error.message === "logged out") return;
      statusLine.textContent = "This list is not on this phone yet: open it once with signal.";
    });
})();
