// The wrap-up's timers on the agent console: the time spent in wrap-up (data-wrap-up-timer="up")
// and the after-call time left before the wrap-up closes by itself ("down"). Each counts from the
// server's instant (data-at), corrected by the server's clock (data-now). The elements are
// role="timer" with aria-live="off": a screen reader reads them when asked, never every second.
(function () {
  "use strict";

  function parse(iso) {
    var time = Date.parse(iso || "");
    return isNaN(time) ? null : time;
  }

  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var text = (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") + rest;
    return hours ? hours + ":" + text : text;
  }

  function show(timer) {
    var at = parse(timer.getAttribute("data-at"));
    if (at === null) return;
    // The skew is read once per element: the polled region brings new elements with a new instant.
    if (timer.wrapUpSkew === undefined) {
      var serverNow = parse(timer.getAttribute("data-now"));
      timer.wrapUpSkew = serverNow === null ? 0 : serverNow - Date.now();
    }
    var now = Date.now() + timer.wrapUpSkew;
    var text;
    if (timer.getAttribute("data-wrap-up-timer") === "down") {
      var left = Math.ceil((at - now) / 1000);
      text = left > 0 ? clock(left) : timer.getAttribute("data-msg-over") || clock(0);
    } else {
      text = clock(Math.max(0, Math.floor((now - at) / 1000)));
    }
    if (timer.textContent !== text) timer.textContent = text;
  }

  function tick() {
    var timers = document.querySelectorAll("[data-wrap-up-timer]");
    for (var i = 0; i < timers.length; i++) show(timers[i]);
  }

  function begin() {
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
