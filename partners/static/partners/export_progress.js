// Progressive enhancement: poll the progress every second and update the bar in place.
(function () {
  var box = document.getElementById("export-progress");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("export-bar").value = d.percent;
      document.getElementById("export-count").textContent = d.processed + " / " + (d.total === null ? "?" : d.total);
      document.getElementById("export-status").textContent = d.status_display;
      if (d.finished) {
        if (d.download_url) { document.getElementById("export-download").hidden = false; }
        if (d.status === "failed") { window.location.reload(); }
      } else { window.setTimeout(poll, 1000); }
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
