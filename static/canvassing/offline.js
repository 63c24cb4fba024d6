// The offline page: the walk lists this phone keeps (IndexedDB), each a link to its doorstep page.
(function () {
  "use strict";
  const box = document.getElementById("kept-lists");
  if (!box || !("indexedDB" in window)) return;
  const request = indexedDB.open("organiser-canvass", 1);
  request.onupgradeneeded = () => {
    request.transaction.abort(); // nothing kept: do not create the database here
  };
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("lists")) return db.close();
    const all = db.transaction("lists", "readonly").objectStore("lists").getAll();
    all.onsuccess = () => {
      const lists = all.result || [];
      box.replaceChildren(
        ...lists.map((list) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.className = "button";
          link.href = box.dataset.doorstep.replace("0", String(list.id));
          link.textContent = `${list.name} (${list.doors.length} doors)`;
          item.append(link);
          return item;
        }),
      );
      if (!lists.length) box.innerHTML = "<li>No walk list is kept on this phone.</li>";
      db.close();
    };
  };
})();
