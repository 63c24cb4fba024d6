// The profile on a phone: show "how far" and the seat picker only for the way of travelling chosen, and add a
// seat picked from the list as a ticked box at once (without this script both show, and a typed seat is added
// on Save).
(function () {
  "use strict";
  const form = document.querySelector("form.profile");
  if (!form) return;
  const parts = form.querySelectorAll("[data-travel-when]");
  const showTravel = () => {
    const chosen = form.querySelector("input[name=travel]:checked");
    parts.forEach((part) => { part.hidden = !chosen || part.dataset.travelWhen !== chosen.value; });
  };
  form.querySelectorAll("input[name=travel]").forEach((radio) => radio.addEventListener("change", showTravel));
  showTravel();

  const input = form.querySelector("[data-seat-picker]");
  const list = document.getElementById("seat-names");
  const boxes = document.getElementById("id_seats");
  if (!input || !list || !boxes) return;
  const add = () => {
    const wanted = input.value.trim().toLowerCase();
    const option = Array.from(list.options).find((o) => o.value.toLowerCase() === wanted);
    if (!option) return false;
    const existing = boxes.querySelector(`input[value="${option.dataset.pk}"]`);
    if (existing) {
      existing.checked = true;
    } else {
      const row = document.createElement("div");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.name = "seats"; box.value = option.dataset.pk; box.checked = true;
      box.id = `id_seats_added_${option.dataset.pk}`;
      label.htmlFor = box.id;
      label.append(box, " ", option.value);
      row.append(label);
      boxes.append(row);
    }
    input.value = "";
    return true;
  };
  input.addEventListener("change", add);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && add()) event.preventDefault();
  });
})();
