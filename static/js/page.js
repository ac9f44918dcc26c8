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
  // Alerts inside a polled region ([data-alert] with a stable key) are announced once each, through the
  // page's one [data-alert-announcer] live region: the region itself is redrawn every few seconds, and
  // an alert role inside it would be read out again at every refresh.
  var announced = {};
  function announceNewAlerts() {
    var announcer = document.querySelector("[data-alert-announcer]");
    if (!announcer) return;
    var fresh = [];
    var shown = {};
    document.querySelectorAll("[data-alert]").forEach(function (alert) {
      var key = alert.getAttribute("data-alert");
      shown[key] = true;
      if (!announced[key]) {
        announced[key] = true;
        fresh.push(alert.textContent.trim());
      }
    });
    // An alert that cleared is announced again if it comes back (a queue crossing its threshold anew).
    Object.keys(announced).forEach(function (key) {
      if (!shown[key]) delete announced[key];
    });
    if (fresh.length) announcer.textContent = fresh.join(" ");
  }
  document.addEventListener("DOMContentLoaded", announceNewAlerts);
  document.addEventListener("htmx:afterSettle", announceNewAlerts);
  // <button data-print>: prints the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
