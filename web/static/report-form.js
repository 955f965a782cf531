// Generating the report takes a moment on a large park: say so instead of leaving a silent page.
(function () {
  var form = document.getElementById("report-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var note = document.getElementById("report-progress");
    note.hidden = false;
    note.classList.add("on");
  });
})();
