// The main navigation folds into "Menu" on a phone; on a wider screen it is always open (the toggle is hidden).
(function () {
  "use strict";
  const menu = document.getElementById("site-menu");
  if (!menu || !window.matchMedia) return;
  const wide = window.matchMedia("(min-width: 48rem)");
  const apply = () => { if (wide.matches) menu.open = true; };
  apply();
  wide.addEventListener("change", apply);
})();
