// The editor's page script (no inline code, so it runs under the site's strict CSP).
// - Live preview: the form is posted to the preview address as you type; the answer (the page
//   rendered by the site's own templates) is shown in the preview frame.
// - Unsaved changes: the browser asks before leaving a form that was changed and not saved.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form) {
    return;
  }
  var frame = document.getElementById("preview-frame");
  var previewUrl = form.getAttribute("data-preview-url");
  var changed = false;
  var timer = null;
  var running = null;

  function preview() {
    var data = new FormData(form);
    data.delete("upload");
    if (running) {
      running.abort();
    }
    running = new AbortController();
    fetch(previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: running.signal,
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        frame.srcdoc = html;
      })
      .catch(function () {
        // A newer preview replaced this one, or the server is restarting: the next change retries.
      });
  }

  function schedule() {
    changed = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 600);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) {
    var target = event.submitter && event.submitter.getAttribute("formtarget");
    if (!target) {
      changed = false; // saving or uploading: leaving the page is expected
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = form.getAttribute("data-unsaved");
    }
  });
  preview();
})();
