/* Election night's boards. htmx asks for each board's live part every few seconds; the browser revalidates
   it with its ETag, so an unchanged board costs a 304 and comes back from the browser's cache. Here: a
   part whose ETag is the one on the page is not swapped again, and each part says when it was last
   checked, or that the connection dropped (the figures shown are then those of the time it says). */
(function () {
  "use strict";
  var shown = {};
  function clock() {
    return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  function say(id, text) {
    var part = document.getElementById(id);
    var slot = part && part.querySelector("[data-checked]");
    if (slot) slot.textContent = text;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute("data-live")) return;
    var etag = event.detail.xhr.getResponseHeader("ETag");
    if (etag && shown[target.id] === etag) event.detail.shouldSwap = false;
    if (etag) shown[target.id] = etag;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) return;
    var ok = event.detail.successful;
    setTimeout(function () {
      say(target.id, ok ? " · checked " + clock() : " · no connection at " + clock() + ": figures as updated");
    }, 0);
  });
  document.addEventListener("htmx:sendError", function (event) {
    var target = event.detail.target;
    if (target && target.id) say(target.id, " · no connection at " + clock() + ": figures as updated");
  });
})();
