/* The listing form, progressively enhanced (it works without this file):
   - the HW code field searches the catalogue as you type (Chinese, English or the code) and offers a listbox;
   - the waste stream follows the HW code or the category typed, until the user picks one;
   - each composition row looks its CAS number (or name) up and shows the chemical's name and control flags;
   - rows can be added and removed; offer/need sections follow the chosen kind;
   - the back button brings the posted form's one-time token back, and a double click posts once.
   Plain JS, no libraries; texts come from the form's data-msg-* attributes (translated by the page). */
(function () {
  "use strict";
  var form = document.getElementById("listing-form");
  if (!form) { return; }
  var msg = function (key) { return form.getAttribute("data-msg-" + key) || ""; };
  var zh = form.getAttribute("data-lang") === "zh";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  var getJSON = wastematchChemLookup.getJSON;  // chem-lookup.js

  function text(el, value) { el.textContent = value == null ? "" : String(value); }

  /* --- offer / need sections follow the kind radio ------------------------------------------- */
  var kinds = form.querySelectorAll('input[name="kind"]');
  function showKind() {
    var chosen = null;
    for (var i = 0; i < kinds.length; i++) { if (kinds[i].checked) { chosen = kinds[i].value; } }
    if (!chosen) { return; }
    var sections = form.querySelectorAll(".for-kind");
    for (var j = 0; j < sections.length; j++) {
      sections[j].hidden = sections[j].getAttribute("data-kind") !== chosen;
    }
  }
  for (var k = 0; k < kinds.length; k++) { kinds[k].addEventListener("change", showKind); }
  showKind();

  /* --- one-time token: the back button brings the posted form's token back ------------------- */
  // The server issues a token with each blank form and answers a second post of the same token with the
  // listing the first created. Going back re-fetches the form with a fresh token while the browser restores
  // what was typed: put back the token this tab posted with that form, so that "post" again is recognised.
  var token = form.querySelector('input[name="form_token"]');
  if (token && window.sessionStorage) {
    var key = "wastematch.form_token:" + location.pathname + location.search;
    var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    try {
      var kept = sessionStorage.getItem(key);
      if (nav && nav.type === "back_forward" && kept) { token.value = kept; }
      form.addEventListener("submit", function () { sessionStorage.setItem(key, token.value); });
    } catch (e) { /* storage refused (private mode): the server's duplicate check still asks */ }
  }
  // A double click sends the form once: the second click would race the first's token.
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    sending = true;
  });
  window.addEventListener("pageshow", function () { sending = false; });  // back to a page kept in memory

  /* --- waste stream: follows the HW code or the category until the user picks one -------------- */
  // The same inference as the server's (catalog.waste_streams.infer_stream); blank means "automatic".
  var streamField = form.querySelector('select[name="stream"]');
  var categoryField = form.querySelector('input[name="category"]');
  var streamChosen = !!(streamField && streamField.value);  // an edited listing's stream chosen apart
  var CATEGORY_STREAMS = {SW: "industrial", S: "industrial", CW: "construction", HH: "household", AG: "agricultural"};
  function followStream() {
    if (!streamField || streamChosen) { return; }
    var typedCode = (document.getElementById("waste_code") || {}).value || "";
    var cat = categoryField ? categoryField.value.trim().toUpperCase() : "";
    var m = /^(SW|S|CW|HH|AG)\d{1,2}$/.exec(cat) || /-(S)\d{2}$/.exec(cat);
    streamField.value = /^\d{3}-\d{3}-\d{2}$/.test(typedCode.trim()) ? "hazardous"
                      : (m ? CATEGORY_STREAMS[m[1]] : "");
  }
  if (streamField) {
    streamField.addEventListener("change", function () { streamChosen = !!streamField.value; });
  }
  if (categoryField) { categoryField.addEventListener("input", followStream); }

  /* --- waste-code combobox ------------------------------------------------------------------- */
  var code = document.getElementById("waste_code");
  if (code) {
    var codesUrl = form.getAttribute("data-codes-url");
    var chosenNote = document.getElementById("waste_code-chosen");
    var list = document.createElement("ul");
    list.id = "waste_code-list";
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", code.labels && code.labels[0] ? code.labels[0].textContent : "");
    list.hidden = true;
    code.parentNode.insertBefore(list, code.nextSibling);
    code.setAttribute("role", "combobox");
    code.setAttribute("aria-autocomplete", "list");
    code.setAttribute("aria-controls", list.id);
    code.setAttribute("aria-expanded", "false");
    var items = [], active = -1, lastQuery = "";

    var close = function () {
      list.hidden = true;
      code.setAttribute("aria-expanded", "false");
      code.removeAttribute("aria-activedescendant");
      active = -1;
    };
    var mark = function (index) {
      var options = list.querySelectorAll("li[role=option]");
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        code.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      }
    };
    var fill = function (name, value) {
      var el = form.querySelector('[name="' + name + '"]');
      if (el && !el.value) { el.value = value || ""; }
    };
    var choose = function (item) {
      if (item.kind === "hw") {
        code.value = item.code;
        if (categoryField) { categoryField.value = ""; }
      } else {
        code.value = "";
        if (item.kind === "sw" && categoryField) { categoryField.value = item.code; }
        if (item.kind === "ewc") {
          var ewc = form.querySelector('[name="ewc_code"]');
          if (ewc) { ewc.value = item.code; }
        }
        fill("title_zh", item.name_zh);
        fill("title", item.name_en);
      }
      var name = zh ? (item.name_zh || item.name_en) : (item.name_en || item.name_zh);
      text(chosenNote, item.kind === "sw" ? msg("category") + " · " + item.code + " " + name
                                          : item.code + " · " + (name || ""));
      followStream();
      close();
    };
    var show = function (found) {
      items = found || [];
      list.innerHTML = "";
      if (!items.length) {
        var none = document.createElement("li");
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.id = "waste_code-none";
        text(none, msg("no-match"));
        list.appendChild(none);
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "waste_code-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = zh ? (item.name_zh || item.name_en) : (item.name_en || item.name_zh);
        var strong = document.createElement("strong");
        text(strong, item.code);
        li.appendChild(strong);
        li.appendChild(document.createTextNode(" " + (item.category || "") + (item.hazardous ? " · " + msg("hazardous") : "")));
        var small = document.createElement("small");
        text(small, name && name.length > 140 ? name.slice(0, 140) + "…" : name);
        li.appendChild(small);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      code.setAttribute("aria-expanded", "true");
      active = -1;
    };
    var search = debounce(function () {
      var q = code.value.trim();
      if (!q || /^\d{3}-\d{3}-\d{2}$/.test(q)) { close(); return; }  // a whole code needs no search
      lastQuery = q;
      getJSON(codesUrl + "?q=" + encodeURIComponent(q), function (status, body) {
        if (q !== lastQuery || status !== 200 || !body) { return; }
        show(body.items);
      });
    }, 200);
    code.addEventListener("input", search);
    code.addEventListener("input", followStream);
    code.addEventListener("keydown", function (ev) {
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown") { ev.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(items[active]); }
      else if (ev.key === "Escape") { ev.preventDefault(); close(); }
    });
    code.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  /* --- composition rows: CAS lookup, add, remove --------------------------------------------- */
  function lookupRow(row) { wastematchChemLookup(form, row); }  // chem-lookup.js

  function renumber(tbody, role) {
    var rows = tbody.querySelectorAll("tr.component");
    for (var i = 0; i < rows.length; i++) {
      var inputs = rows[i].querySelectorAll("input[data-key]");
      for (var j = 0; j < inputs.length; j++) {
        var key = inputs[j].getAttribute("data-key");
        var label = rows[i].querySelector('label[for="' + inputs[j].id + '"]');
        inputs[j].name = role + "." + i + "." + key;
        inputs[j].id = role + "-" + i + "-" + key;
        if (label) {
          label.setAttribute("for", inputs[j].id);
          var n = label.querySelector(".n");
          if (n) { text(n, i + 1); }
        }
      }
    }
  }

  /* A stored (or previewed) resolution shown by the page, with its "not this substance" box, describes the name
     as it was: once the name or CAS changes it is gone (and the box unticked), the lookup shows the new answer. */
  function dropResolution(row) {
    var shown = row.querySelectorAll(".resolution, label.reject");
    for (var i = 0; i < shown.length; i++) {
      var box = shown[i].querySelector('input[type="checkbox"]');
      if (box) { box.checked = false; }
      shown[i].hidden = true;
    }
  }

  function wireRow(row, tbody, role) {
    var cas = row.querySelector('input[data-key="cas"]');
    var name = row.querySelector('input[data-key="name"]');
    cas.addEventListener("change", function () { dropResolution(row); lookupRow(row); });
    name.addEventListener("change", function () {
      dropResolution(row);
      if (!cas.value.trim()) { lookupRow(row); }
    });
    var remove = row.querySelector("button.remove-row");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var next = row.nextElementSibling || row.previousElementSibling;
      if (tbody.querySelectorAll("tr.component").length > 1) {
        tbody.removeChild(row);
      } else {  // the last row is emptied rather than removed
        var inputs = row.querySelectorAll("input");
        for (var i = 0; i < inputs.length; i++) { if (inputs[i].type !== "checkbox") { inputs[i].value = ""; } }
        dropResolution(row);
        text(row.querySelector("output.chem"), "");
      }
      renumber(tbody, role);
      var focus = next && next.parentNode ? next.querySelector("input") : tbody.querySelector("input");
      if (focus) { focus.focus(); }
    });
    // A name-only row whose resolution the page shows needs no lookup (it would say the same twice).
    if (cas.value || (name.value && !row.querySelector(".resolution"))) { lookupRow(row); }
  }

  var editors = form.querySelectorAll("fieldset.components");
  Array.prototype.forEach.call(editors, function (fieldset) {
    var role = fieldset.getAttribute("data-role");
    var tbody = fieldset.querySelector("tbody");
    var rows = tbody.querySelectorAll("tr.component");
    for (var i = 0; i < rows.length; i++) { wireRow(rows[i], tbody, role); }
    var add = fieldset.querySelector("button.add-row");
    add.hidden = false;
    add.addEventListener("click", function () {
      var last = tbody.querySelector("tr.component:last-child");
      var row = last.cloneNode(true);
      var shown = row.querySelectorAll(".resolution, label.reject");  // the copied row's, not the new one's
      for (var r = 0; r < shown.length; r++) { shown[r].parentNode.removeChild(shown[r]); }
      var inputs = row.querySelectorAll("input");
      for (var j = 0; j < inputs.length; j++) {
        inputs[j].value = "";
        inputs[j].removeAttribute("aria-invalid");
        inputs[j].removeAttribute("aria-describedby");
      }
      var errs = row.querySelectorAll(".field-error");
      for (var e = 0; e < errs.length; e++) { errs[e].parentNode.removeChild(errs[e]); }
      var cells = row.querySelectorAll("td.invalid");
      for (var c = 0; c < cells.length; c++) { cells[c].classList.remove("invalid"); }
      text(row.querySelector("output.chem"), "");
      tbody.appendChild(row);  // a clone carries no listeners: wired below as a fresh row
      renumber(tbody, role);
      wireRow(row, tbody, role);
      row.querySelector("input").focus();
    });
  });
})();
