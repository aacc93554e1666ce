// Preview only (dxportal serve): reload the page when content, templates or translations change.
// The server answers /_preview/changes?since=N when its version differs from N (long polling).
(function () {
  "use strict";
  var script = document.currentScript;
  var changesUrl = script.getAttribute("data-changes");
  var version = parseInt(script.getAttribute("data-version"), 10);

  function poll() {
    fetch(changesUrl + "?since=" + version, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data.version !== version) {
          window.location.reload();
          return;
        }
        poll();
      })
      .catch(function () {
        // The server is restarting or stopped: try again a little later.
        window.setTimeout(poll, 2000);
      });
  }

  poll();
})();
