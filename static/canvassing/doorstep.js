// The doorstep page: a walk list door by door on a phone, working with no signal.
//
// The list is fetched once and kept in IndexedDB; every entry gets an id made here (a UUID) and goes into an
// IndexedDB queue first, then is sent to the API in batches whenever the phone is online. The server stores
// each id once, so a batch resent after a lost answer never duplicates; ids it accepted or rejected leave
// the queue. Common outcomes take two taps: "Spoke" then an intention, or "Not home" alone;
// "Nobody home" records the household and moves on. A recorded elector folds to one line in words.
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
  let actionNote = ""; // what the last tap did ("Nobody home at …: recorded."), kept in the status until the next
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
      if (kept) {
        fresh.doorIndex = kept.doorIndex || 0;
        // The phone remembers which entry each elector's survey would complete.
        const last = new Map(kept.doors.flatMap((door) => door.electors.map((e) => [e.id, e.lastEntry])));
        fresh.doors.forEach((door) => door.electors.forEach((e) => { if (last.get(e.id)) e.lastEntry = last.get(e.id); }));
      }
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

  const OUTCOME_WORDS = { spoke: "Spoke", not_home: "Not home", moved: "Moved away", refused: "Refused", do_not_contact: "Do not contact",
    reminded: "Reminded to vote", already_voted: "Already voted", needs_lift: "Needs a lift", wont_vote: "Won't vote" };

  function intentionLabel(code) {
    const found = (list.intentions || []).find((item) => item.code === code);
    if (!found) return code;
    return found.label.charAt(0).toLowerCase() + found.label.slice(1);
  }

  function stateText(elector) {
    // In words, as a canvasser would say it: "Spoke: our candidate (promise)", "Not home".
    if (!elector.outcome) return "";
    const outcome = (list.outcomes && list.outcomes[elector.outcome]) || OUTCOME_WORDS[elector.outcome] || elector.outcome;
    return elector.intention && elector.outcome === "spoke" ? `${outcome}: ${intentionLabel(elector.intention)}` : outcome;
  }

  function render() {
    const door = list.doors[doorIndex];
    doorBox.replaceChildren();
    document.getElementById("door-count").textContent = `Door ${doorIndex + 1} of ${list.doors.length}`;
    document.getElementById("previous-door").disabled = doorIndex === 0;
    document.getElementById("next-door").disabled = doorIndex >= list.doors.length - 1;
    if (!door) return;
    const head = document.createElement("div");
    head.className = "door-head";
    const heading = document.createElement("h2");
    heading.textContent = door.address;
    const nobody = document.createElement("button");
    nobody.type = "button";
    nobody.className = "secondary";
    nobody.dataset.nobodyHome = "";
    nobody.textContent = "Nobody home";
    nobody.addEventListener("click", async () => {
      // The whole household not in: record each, then on to the next door.
      for (const elector of door.electors) await record(elector, "not_home", "");
      if (doorIndex < list.doors.length - 1) {
        doorIndex += 1;
        await saveList();
      }
      render();
      actionNote = `Nobody home at ${door.address}: recorded.`; // stays while the entries are sent
      showStatus();
    });
    head.append(heading, nobody);
    const electors = document.createElement("ul");
    door.electors.forEach((elector) => electors.append(renderElector(elector)));
    doorBox.append(head, electors);
  }

  function renderElector(elector) {
    const item = template.content.firstElementChild.cloneNode(true);
    const step = (name) => item.querySelector(`[data-step=${name}]`);
    const line = item.querySelector("[data-line]");
    const other = item.querySelector("[data-other]");
    item.dataset.elector = elector.id;
    item.querySelector("[data-name]").textContent = elector.name;
    item.querySelector("[data-number]").textContent = elector.number;
    const flags = [elector.postal ? "postal" : "", elector.proxy ? "proxy" : ""].filter(Boolean).join(", ");
    if (flags) {
      const badge = item.querySelector("[data-flags]");
      badge.textContent = flags;
      badge.hidden = false;
    }

    function show(...names) {
      ["outcome", "other", "intention", "more"].forEach((name) => { step(name).hidden = !names.includes(name); });
      other.setAttribute("aria-expanded", String(names.includes("other")));
    }
    function fold() {
      // Recorded: one line in words; the name and the buttons go away until the line is tapped.
      const recorded = Boolean(elector.outcome);
      item.classList.toggle("done", recorded);
      line.hidden = !recorded;
      line.setAttribute("aria-expanded", "false");
      item.querySelector("[data-state]").textContent = recorded ? `${elector.name}: ${stateText(elector)}` : "";
      show(...(recorded ? [] : ["outcome"]));
    }
    line.addEventListener("click", () => {
      if (line.getAttribute("aria-expanded") === "true") return fold();
      show("outcome", ...(elector.outcome === "spoke" ? ["more"] : []));
      line.setAttribute("aria-expanded", "true");
    });
    other.addEventListener("click", () => show("outcome", "other"));

    if (list.knock_up) knockUpButtons(step("outcome"), other);
    const intentions = step("intention");
    intentions.setAttribute("aria-label", `What ${elector.name} will do`);
    list.intentions.forEach((code) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.intention = code.code;
      button.textContent = code.label;
      button.className = code.category === "promise" ? "" : "secondary";
      button.addEventListener("click", async () => {
        await record(elector, "spoke", code.code);
        fold();
      });
      intentions.append(button);
    });
    item.querySelectorAll("[data-outcome]").forEach((button) => {
      button.addEventListener("click", async () => {
        const outcome = button.dataset.outcome;
        if (outcome === "spoke") {
          show("intention");
          return;
        }
        await record(elector, outcome, "");
        fold();
      });
    });
    const questions = item.querySelector("[data-questions]");
    list.questions.forEach((question) => questions.append(renderQuestion(question)));
    item.querySelector("[data-done]").addEventListener("click", fold);
    item.querySelector("[data-save-more]").addEventListener("click", async () => {
      const answers = {};
      questions.querySelectorAll("[data-question]").forEach((field) => {
        if (field.value) answers[field.dataset.question] = field.value;
      });
      const note = item.querySelector("[data-note]").value.trim();
      await complete(elector, answers, note);
      fold();
    });
    wantsToHearControl(item, elector);
    fold();
    return item;
  }

  // A polling day knock-up list (canvassing.pollingday): the door says what it says about voting today, in one
  // tap each ("Spoke" and the intentions are for canvassing, not for the day itself).
  const KNOCK_UP_OUTCOMES = [["reminded", ""], ["already_voted", "secondary"], ["needs_lift", "secondary"], ["wont_vote", "secondary"]];
  function knockUpButtons(outcomeStep, other) {
    const spoke = outcomeStep.querySelector("[data-outcome=spoke]");
    if (spoke) spoke.remove();
    KNOCK_UP_OUTCOMES.forEach(([outcome, style]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.outcome = outcome;
      button.className = style;
      button.textContent = (list.outcomes && list.outcomes[outcome]) || outcome;
      outcomeStep.insertBefore(button, other);
    });
  }

  // "Wants to hear from us" (conversations): only with the elector's explicit agreement; what they agree to and
  // the email or mobile they give go with the entry, and the server records a supporter outside the register.
  function wantsToHearControl(item, elector) {
    const wants = item.querySelector("[data-supporter]");
    if (!wants) return;
    const field = (name) => wants.querySelector(`[data-supporter-${name}]`);
    if (elector.name && !elector.name.startsWith("(")) field("name").value = elector.name;
    wants.querySelector("[data-save-supporter]").addEventListener("click", async () => {
      const agrees = [...wants.querySelectorAll("[data-agree]:checked")].map((box) => box.dataset.agree);
      const supporter = {
        agreed: field("agreed").checked,
        agrees,
        full_name: field("name").value.trim(),
        email: field("email").value.trim(),
        phone: field("phone").value.trim(),
      };
      let reason = "";
      if (!supporter.agreed) reason = "Tick that they agreed, after you read it out.";
      else if (!agrees.length) reason = "Tick what they agree to.";
      else if (!supporter.email && !supporter.phone) reason = "They need to give an email or a mobile number.";
      else if (agrees.includes("email") && !supporter.email) reason = "Emails need their email address.";
      else if ((agrees.includes("sms") || agrees.includes("calls")) && !supporter.phone) reason = "Texts and calls need their mobile number.";
      const problem = field("problem");
      problem.hidden = !reason;
      problem.textContent = reason;
      if (reason) return;
      await wantsToHear(elector, supporter);
      wants.open = false;
      wants.dataset.saved = "true";
      wants.querySelector("summary").textContent = "Wants to hear from us: saved";
    });
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
    actionNote = "";
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
    elector.intention = outcome === "spoke" ? intention : "";
    elector.lastEntry = entry.id;
    await saveList();
    showStatus();
    sync();
    return entry.id;
  }

  async function complete(elector, answers, note) {
    // Survey answers and a note finish the entry they follow: still queued, it is amended in place; already
    // sent (or on its way now), a completing entry names it (``completes``) and the server adds them to the
    // same row.
    const queued = elector.lastEntry && !syncing && (await get("queue", elector.lastEntry));
    if (queued) {
      queued.answers = answers;
      queued.note = note;
      await put("queue", queued);
    } else if (elector.lastEntry) {
      await put("queue", {
        id: uuid(),
        completes: elector.lastEntry,
        elector: elector.id,
        outcome: elector.outcome || "spoke",
        intention: elector.intention || "",
        answers,
        note,
        recorded_at: new Date().toISOString(),
        walk_list: listId,
      });
    } else {
      await record(elector, "spoke", "", answers, note);
      return;
    }
    showStatus();
    sync();
  }

  async function wantsToHear(elector, supporter) {
    // Like survey answers: on the entry while it is still queued, else on an entry that completes it.
    if (!elector.lastEntry) await record(elector, "spoke", "");
    const queued = !syncing && (await get("queue", elector.lastEntry));
    if (queued) {
      queued.supporter = supporter;
      await put("queue", queued);
    } else {
      await put("queue", {
        id: uuid(),
        completes: elector.lastEntry,
        elector: elector.id,
        outcome: elector.outcome || "spoke",
        intention: elector.intention || "",
        answers: {},
        note: "",
        supporter,
        recorded_at: new Date().toISOString(),
        walk_list: listId,
      });
    }
    showStatus();
    sync();
  }

  async function showStatus(message, prefix = "") {
    const waiting = (await all("queue")).length;
    statusLine.classList.toggle("waiting", waiting > 0);
    statusLine.classList.toggle("sent", waiting === 0);
    statusLine.dataset.waiting = String(waiting);
    const state = waiting ? `${waiting} waiting to send${navigator.onLine ? "" : " (offline)"}` : "All sent";
    const lead = prefix || actionNote;
    statusLine.textContent = message || (lead ? `${lead} ` : "") + state + refusedNote;
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
        if (result.supporters_rejected && result.supporters_rejected.length) {
          refusedNote += ` · ${result.supporters_rejected.map((r) => r.reason).join(", ")}`;
          statusLine.dataset.supportersRefused = String(result.supporters_rejected.length);
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
