/* The chemicals lookup shared by the listing form and the survey form: a row's CAS number (or, without one, its
   name) is looked up in the chemicals catalogue (the form's data-chemicals-url), the chemical's name, formula
   and control flags are shown in the row's output.chem, and an empty CAS or name field is filled from the
   answer (not the CAS field of a form with data-fill-cas="no": there a name is resolved on saving, and the
   answer only shows what it resolves to). Texts come from the form's data-msg-* attributes and data-lang.
   Plain JS, loaded before the form's. */
var wastematchChemLookup = (function () {
  "use strict";

  function text(el, value) { el.textContent = value == null ? "" : String(value); }

  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      done(xhr.status, body);
    };
    xhr.onerror = function () { done(0, null); };
    xhr.send();
  }

  function addFlag(out, label) {
    var span = document.createElement("span");
    span.className = "flag";
    text(span, label);
    out.appendChild(document.createTextNode(" "));
    out.appendChild(span);
  }

  /* Look ``row`` of ``form`` up; an answer that comes after a newer question is dropped. */
  function lookupRow(form, row) {
    var msg = function (key) { return form.getAttribute("data-msg-" + key) || ""; };
    var zh = form.getAttribute("data-lang") === "zh";
    var cas = row.querySelector('[data-key="cas"]');
    var name = row.querySelector('[data-key="name"]');
    var out = row.querySelector("output.chem");
    var q = (cas.value || "").trim() || (name.value || "").trim();
    if (!q) { text(out, ""); return; }
    out.setAttribute("data-q", q);
    getJSON(form.getAttribute("data-chemicals-url") + "?q=" + encodeURIComponent(q), function (status, body) {
      if (out.getAttribute("data-q") !== q) { return; }
      out.innerHTML = "";
      if (status === 200 && body && body.error) { text(out, msg("bad-cas")); return; }
      if (status !== 200 || !body || !body.found) { text(out, msg("unknown")); return; }
      var label = zh ? (body.name_zh || body.name_en) : (body.name_en || body.name_zh);
      // data-fill-cas="no" (the listing form): a name stays a name, resolved when saved; show what it resolves to.
      var keepName = form.getAttribute("data-fill-cas") === "no";
      var resolved = keepName && !(cas.value || "").trim() && body.cas;
      out.appendChild(document.createTextNode((resolved ? "→ " + body.cas + " " : "") + label
        + (body.formula ? " (" + body.formula + ")" : "") + (resolved && body.how ? " · " + body.how : "")));
      if (resolved && body.ambiguous) { addFlag(out, msg("check")); }
      if (body.pop) { addFlag(out, msg("pop")); }
      if (body.new_pollutant) { addFlag(out, msg("new-pollutant")); }
      // Never write into the field the user is typing in: the answer would land inside their text.
      if (!keepName && !cas.value && body.cas && document.activeElement !== cas) { cas.value = body.cas; }
      if (!name.value && document.activeElement !== name) { name.value = label || ""; }
    });
  }
  lookupRow.getJSON = getJSON;  // the listing form's code search asks the same way
  return lookupRow;
})();
