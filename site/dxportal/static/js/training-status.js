/* Training calls: the status written at build time is updated from the visitor's clock.
   Each [data-deadline] element carries the deadline (ISO 8601) and its three labels. */
(function () {
  "use strict";
  var CLOSING_SOON_MS = 7 * 24 * 60 * 60 * 1000;
  var now = Date.now();
  var items = document.querySelectorAll("[data-deadline]");
  for (var i = 0; i < items.length; i++) {
    var item = items[i];
    var deadline = Date.parse(item.getAttribute("data-deadline"));
    if (isNaN(deadline)) continue;
    var left = deadline - now;
    var status = left < 0 ? "closed" : left <= CLOSING_SOON_MS ? "closing-soon" : "open";
    var label = item.getAttribute("data-label-" + status);
    if (label) {
      item.textContent = label;
      item.className = "call-status call-status--" + status;
    }
    // Lists of open calls (the home page) drop the calls that have closed since the build.
    var card = item.closest ? item.closest("[data-hide-when-closed]") : null;
    if (card && status === "closed") card.hidden = true;
  }
})();
