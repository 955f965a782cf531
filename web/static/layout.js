/* The layout on a phone or a tablet: the menu behind a button (app.css shows it up to 1100 px), and tables too wide
   for the screen shown as cards.
   Loaded in <head> (not deferred) so that the class "js" is set before the header is drawn: no open menu flashes.
   Without this script the menu stays open and wide tables scroll inside their own box (app.css). */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var phone = window.matchMedia("(max-width: 700px)");

  // The menu button: shows and hides the navigation and the account form on narrow screens.
  function menu() {
    var header = document.querySelector("header.top");
    var toggle = header && header.querySelector(".menu-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = !header.classList.contains("open");
      header.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && header.classList.contains("open")) { toggle.click(); toggle.focus(); }
    });
  }

  // Each body cell's column label (data-label, from the <th> texts), shown beside the value in a card.
  function label(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      // A header that is only a screen-reader text (e.g. the "remove" column) labels nothing visible.
      var shown = th.querySelector(".vh") && th.textContent.trim() === th.querySelector(".vh").textContent.trim();
      var text = shown ? "" : th.textContent.replace(/\s+/g, " ").trim();
      for (var k = 0; k < (th.colSpan || 1); k++) names.push(k === 0 ? text : "");
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          if (names[col] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[col]);
          col += cell.colSpan || 1;
        });
      });
    });
  }

  // A column squeezed so narrow that its heading breaks into three lines or more ("接/收/单/位").
  function squeezed(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return false;
    return Array.prototype.some.call(head.cells, function (th) {
      var s = getComputedStyle(th);
      var line = parseFloat(s.lineHeight) || 1.5 * parseFloat(s.fontSize);
      var text = th.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
      return text > 2.5 * line;
    });
  }

  // Cards only where the table would not fit (at any width; on a desk none is wider than the page) or, on a phone,
  // would be squeezed: narrow tables stay tables.
  function fit() {
    // (the composition editor's rows are always cards on a phone; the survey's .stack tables are too, by their own
    // styles, and become cards here only when too wide for a tablet)
    var tables = document.querySelectorAll("main table:not(.rows)");
    Array.prototype.forEach.call(tables, function (t) { t.classList.remove("cards"); });
    var main = document.querySelector("main");
    if (!main) return;
    var style = getComputedStyle(main);
    var right = main.getBoundingClientRect().right - parseFloat(style.paddingRight);
    var wide = Array.prototype.filter.call(tables, function (t) {
      return t.offsetParent !== null && (t.getBoundingClientRect().right > right + 1 || (phone.matches && squeezed(t)));
    });
    // Measured first, changed after: each change would otherwise lay the page out again.
    wide.forEach(function (t) { t.classList.add("cards"); });
  }

  function relabel() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), label);
    fit();
  }

  var pending = null;
  function later(what) { clearTimeout(pending); pending = setTimeout(what, 100); }

  function init() {
    menu();
    relabel();
    // Tables a page's own script draws later (e.g. a map's data table) are labelled and fitted too.
    var main = document.querySelector("main");
    if (main && window.MutationObserver) {
      new MutationObserver(function (changes) {
        var tables = changes.some(function (c) {
          return Array.prototype.some.call(c.addedNodes, function (n) {
            return n.nodeType === 1 && (n.tagName === "TABLE" || n.querySelector("table"));
          });
        });
        if (tables) later(relabel);
      }).observe(main, {childList: true, subtree: true});
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  // Only a change of width matters (a phone's keyboard changes the height).
  var lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth !== lastWidth) { lastWidth = window.innerWidth; later(fit); }
  });
  // A table inside a closed <details> has no size until it is opened.
  document.addEventListener("toggle", function () { fit(); }, true);
})();
