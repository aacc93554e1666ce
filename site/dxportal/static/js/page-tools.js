/* Print and copy-link buttons for article pages: shown only when this script runs. */
(function () {
  "use strict";
  var status = document.querySelector(".page-tools__status");
  function say(text) { if (status) { status.textContent = text; } }
  document.querySelectorAll("[data-page-tool]").forEach(function (button) {
    var tool = button.getAttribute("data-page-tool");
    if (tool === "copy" && !(navigator.clipboard && window.isSecureContext)) { return; }
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      if (tool === "print") { window.print(); return; }
      navigator.clipboard.writeText(button.getAttribute("data-url")).then(function () {
        say(button.getAttribute("data-done"));
      });
    });
  });
}());
