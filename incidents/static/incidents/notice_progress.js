// Progressive enhancement: while the notices are being sent, poll the job's progress every
// second and update "sending — N of M" in place (no inline script: the CSP forbids it).
(function () {
  var box = document.getElementById("notice-progress");
  if (!box || box.dataset.finished === "true") { return; }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (d) {
        var bar = document.getElementById("notice-bar");
        bar.max = Math.max(d.total, 1);
        bar.value = d.done;
        document.getElementById("notice-progress-text").textContent = d.text;
        box.dataset.status = d.status;
        if (d.finished) { box.dataset.finished = "true"; } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
