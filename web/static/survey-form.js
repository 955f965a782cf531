/* The survey form, progressively enhanced (it works without this file): each row looks its CAS number (or
   name) up in the chemicals catalogue (chem-lookup.js, shared with the listing form) and shows the chemical's
   name and control flags; rows can be added and removed. Plain JS; texts come from the form's data-msg-*. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var tbody = form.querySelector("table.survey-rows tbody");

  function text(el, value) { el.textContent = value == null ? "" : String(value); }
  function lookupRow(row) { wastematchChemLookup(form, row); }  // chem-lookup.js

  function renumber() {
    var rows = tbody.querySelectorAll("tr.substance");
    for (var i = 0; i < rows.length; i++) {
      rows[i].id = "row-" + i;
      var fields = rows[i].querySelectorAll("[data-key]");
      for (var j = 0; j < fields.length; j++) {
        var key = fields[j].getAttribute("data-key");
        var label = rows[i].querySelector('label[for="' + fields[j].id + '"]');
        fields[j].name = "substances." + i + "." + key;
        fields[j].id = "substances-" + i + "-" + key;
        if (label) {
          label.setAttribute("for", fields[j].id);
          var n = label.querySelector(".n");
          if (n) { text(n, i + 1); }
        }
      }
    }
  }

  function clear(row) {
    var fields = row.querySelectorAll("input, select");
    for (var i = 0; i < fields.length; i++) {
      fields[i].value = "";
      fields[i].removeAttribute("aria-invalid");
      fields[i].removeAttribute("aria-describedby");
    }
    var notes = row.querySelectorAll(".field-error, .reason, ul.survey-checks");
    for (var k = 0; k < notes.length; k++) { notes[k].parentNode.removeChild(notes[k]); }
    var cells = row.querySelectorAll("td.invalid, td.flagged");
    for (var c = 0; c < cells.length; c++) { cells[c].classList.remove("invalid", "flagged"); }
    text(row.querySelector("output.chem"), "");
  }

  function wireRow(row) {
    var cas = row.querySelector('[data-key="cas"]');
    var name = row.querySelector('[data-key="name"]');
    cas.addEventListener("change", function () { lookupRow(row); });
    name.addEventListener("change", function () { if (!cas.value.trim()) { lookupRow(row); } });
    var remove = row.querySelector("button.remove-row");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var next = row.nextElementSibling || row.previousElementSibling;
      if (tbody.querySelectorAll("tr.substance").length > 1) {
        tbody.removeChild(row);
      } else {  // the last row is emptied rather than removed
        clear(row);
      }
      renumber();
      var focus = next && next.parentNode ? next.querySelector("input") : tbody.querySelector("input");
      if (focus) { focus.focus(); }
    });
    if (cas.value || name.value) { lookupRow(row); }
  }

  var rows = tbody.querySelectorAll("tr.substance");
  for (var i = 0; i < rows.length; i++) { wireRow(rows[i]); }
  var add = form.querySelector("button.add-row");
  add.hidden = false;
  add.addEventListener("click", function () {
    var last = tbody.querySelector("tr.substance:last-child");
    var row = last.cloneNode(true);
    clear(row);
    tbody.appendChild(row);  // a clone carries no listeners: wired as a fresh row
    renumber();
    wireRow(row);
    row.querySelector("input").focus();
  });
})();
