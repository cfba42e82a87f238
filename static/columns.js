// Column chooser for wide tables (the dashboard): hide columns on this device.
// A static file, no inline script, so a strict Content-Security-Policy can forbid inline code.
(function () {
  "use strict";
  function storageKey(table) {
    return "wikiseminar.hiddenColumns." + table.getAttribute("data-columns-key");
  }
  function readHidden(table) {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey(table)) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (e) {
      return [];
    }
  }
  function apply(table, hidden) {
    var cells = table.querySelectorAll("[data-column]");
    for (var i = 0; i < cells.length; i++) {
      cells[i].hidden = hidden.indexOf(cells[i].getAttribute("data-column")) >= 0;
    }
  }
  function setUp(chooser) {
    var wrap = chooser.nextElementSibling;
    var table = wrap && wrap.querySelector("table[data-columns-key]");
    if (!table) {
      return;
    }
    var boxes = chooser.querySelectorAll("input[type=checkbox][data-column]");
    var hidden = readHidden(table);
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = hidden.indexOf(boxes[i].getAttribute("data-column")) < 0;
      boxes[i].addEventListener("change", function () {
        var now = [];
        for (var k = 0; k < boxes.length; k++) {
          if (!boxes[k].checked) {
            now.push(boxes[k].getAttribute("data-column"));
          }
        }
        try {
          window.localStorage.setItem(storageKey(table), JSON.stringify(now));
        } catch (e) { /* private mode: the choice lasts for this page only */ }
        apply(table, now);
      });
    }
    apply(table, hidden);
    chooser.hidden = false;
  }
  function init() {
    var choosers = document.querySelectorAll(".column-chooser");
    for (var i = 0; i < choosers.length; i++) {
      setUp(choosers[i]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
