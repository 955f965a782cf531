// The park-wide run's page: poll the job once a second; when it ends, reload to show what it did.
// Its URL and the "running for … s" text come from the script tag's data attributes (no inline script:
// the Content-Security-Policy allows scripts from our own files only). A run by region also says how many
// regions are done, in which stage.
(function () {
  var me = document.currentScript, url = me.getAttribute("data-url"), running = me.getAttribute("data-running"),
      status = document.getElementById("job-status"), bar = document.getElementById("job-bar"),
      regions = document.getElementById("job-regions");
  function tick() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (job) {
        if (job.finished) { window.location.reload(); return; }
        status.textContent = running.replace("{s}", job.elapsed_s);
        bar.value = job.progress;
        if (regions && job.regions) {
          regions.textContent = regions.getAttribute("data-template").replace("{done}", job.regions.done)
            .replace("{total}", job.regions.total).replace("{stage}", job.regions.label);
          regions.hidden = false;
        }
        job.stages.forEach(function (s) {
          var li = document.getElementById("stage-" + s.key);
          if (!li) { return; }
          li.setAttribute("data-state", s.state);
          li.querySelector(".sec").textContent = s.seconds === null ? "" : s.seconds.toFixed(1) + " s";
        });
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
