// Behaviour the templates ask for through data attributes, so that no page needs an inline script
// (the Content-Security-Policy allows scripts from this site only).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A form in error: its USWDS error summary takes focus (which also scrolls it into view). Only
    // the first summary on the page does.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });
  // <button data-print>: prints the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
