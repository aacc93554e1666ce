// Preview only (dxportal serve): the search page shown while the search index is being built.
// Asks for the same address again every data-retry seconds: while the server still answers
// 503 the progress text is updated in place (a polite status region); once it answers with
// results the page is loaded again. Without JavaScript, the page's "Try again" link does it.
(function () {
  "use strict";
  var box = document.getElementById("search-preparing");
  if (!box) {
    return;
  }
  var seconds = parseInt(box.getAttribute("data-retry"), 10) || 5;

  function check() {
    fetch(window.location.href, { cache: "no-store" })
      .then(function (response) {
        if (response.status !== 503) {
          window.location.reload();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("#search-preparing [role=status]");
        var shown = box.querySelector("[role=status]");
        if (fresh && shown && fresh.textContent !== shown.textContent) {
          shown.textContent = fresh.textContent;
        }
        window.setTimeout(check, seconds * 1000);
      })
      .catch(function () {
        window.setTimeout(check, seconds * 1000);
      });
  }

  window.setTimeout(check, seconds * 1000);
})();
