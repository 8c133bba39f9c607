// Progress of a PDF export job: polls the job's JSON status URL and updates the bar.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var root = document.getElementById("export-job");
  if (!root) {
    return;
  }
  var bar = document.getElementById("export-progress");
  var statusText = document.getElementById("export-status");
  var link = document.getElementById("export-download");
  var url = root.getAttribute("data-status-url");
  var delay = 1500;

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + " %";
    if (data.status === "done") {
      statusText.textContent = root.getAttribute("data-text-done");
      link.href = data.download_url;
      link.classList.remove("d-none");
    } else if (data.status === "failed") {
      statusText.textContent = root.getAttribute("data-text-failed");
    } else if (data.status === "pending") {
      statusText.textContent = root.getAttribute("data-text-pending");
    } else {
      statusText.textContent = root.getAttribute("data-text-running") + " " + data.progress + " %";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (!data.finished) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  if (bar && statusText && link && url) {
    poll();
  }
})();
