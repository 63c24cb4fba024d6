// The committee-room board updates itself: htmx asks for its live part every few seconds (hx-trigger), sending
// the ETag of what it shows as If-None-Match; the server answers 304 when nothing changed (one small query),
// and nothing is swapped. The line above the board says when it last changed and when it was last checked, and
// says so when the signal drops (the board then stays as it was, with its time).
(function () {
  "use strict";

  const live = document.getElementById("board-live");
  const freshness = document.getElementById("board-freshness");
  if (!live || !freshness) return;
  const every = Number(live.dataset.every || 10);
  let changedAt = freshness.dataset.updated ? new Date(freshness.dataset.updated) : new Date();
  const time = (date) => date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function say(text, state) {
    freshness.textContent = text;
    freshness.dataset.state = state;
  }

  live.addEventListener("htmx:configRequest", (event) => {
    if (live.dataset.etag) event.detail.headers["If-None-Match"] = live.dataset.etag;
  });
  live.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 304) {
      event.detail.shouldSwap = false;
      live.dataset.checks = String(Number(live.dataset.checks || 0) + 1);
      say(`Updated ${time(changedAt)}; unchanged at ${time(new Date())}. It updates itself every ${every} seconds.`, "unchanged");
      return;
    }
    if (xhr.status === 200) {
      live.dataset.etag = xhr.getResponseHeader("ETag") || "";
      changedAt = new Date();
      live.dataset.swaps = String(Number(live.dataset.swaps || 0) + 1);
      say(`Updated ${time(changedAt)}; it updates itself every ${every} seconds.`, "fresh");
      return;
    }
    event.detail.shouldSwap = false;
    say(`No answer at ${time(new Date())} (the server said ${xhr.status}): this is the board as of ${time(changedAt)}.`, "stale");
  });
  live.addEventListener("htmx:sendError", () => {
    say(`No signal since ${time(changedAt)}: this is the board as of then. It tries again every ${every} seconds.`, "stale");
  });
})();
