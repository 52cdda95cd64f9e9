// Copy buttons (views/partials/copy-field.tsx): a click copies the text box the button names
// (data-copy-from) to the clipboard and says so in the button's title and the page's live
// region. One listener on the document, so rows htmx swaps in later work too.
(function () {
  "use strict";

  function announce(button, text) {
    button.setAttribute("title", text);
    button.setAttribute("data-copied", text === "Copied" ? "true" : "false");
    var live = document.getElementById("copy-status");
    if (live) live.textContent = text;
  }

  function fallbackCopy(input) {
    input.focus();
    input.select();
    return document.execCommand("copy");
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy-from]") : null;
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy-from"));
    if (!input) return;
    var text = input.value;
    var done = function () { announce(button, "Copied"); };
    var failed = function () { announce(button, fallbackCopy(input) ? "Copied" : "Press Ctrl+C to copy"); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, failed);
    else failed();
  });
})();
