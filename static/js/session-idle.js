/* Warns before the idle sign-out (contactcenter/session_idle.py) and offers to stay signed in.
   The seconds left come with the page (data-remaining) and with every response the page receives
   afterwards (X-Session-Idle-Remaining, on the console's and the wallboard's polls too). Polls do
   not count as activity; "Stay signed in" asks the server without X-Poll, which does. */
(function () {
  "use strict";

  var box = document.getElementById("session-idle");
  if (!box) {
    return;
  }
  var warningMs = Number(box.dataset.warning) * 1000;
  var deadline = Date.now() + Number(box.dataset.remaining) * 1000;
  var countdown = box.querySelector("[data-session-idle-countdown]");
  var stay = box.querySelector("[data-session-idle-stay]");
  var asking = false;
  var checkedAt = 0;
  var before = null;

  function setRemaining(seconds) {
    deadline = Date.now() + Number(seconds) * 1000;
    if (deadline - Date.now() > warningMs) {
      hide();
    }
  }

  function show() {
    if (!box.hidden) {
      return;
    }
    before = document.activeElement;
    box.hidden = false;
    stay.focus();
  }

  function hide() {
    if (box.hidden) {
      return;
    }
    box.hidden = true;
    if (before && typeof before.focus === "function" && document.contains(before)) {
      before.focus();
    }
    before = null;
  }

  function signedOut() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(box.dataset.loginUrl + "?next=" + encodeURIComponent(next));
  }

  // poll: only ask how long is left (another tab may have been used); otherwise this is activity.
  function ask(poll) {
    if (asking) {
      return;
    }
    asking = true;
    checkedAt = Date.now();
    window
      .fetch(box.dataset.statusUrl, {
        headers: poll ? { "X-Poll": "1", Accept: "application/json" } : { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      })
      .then(function (response) {
        if (response.status === 401) {
          signedOut();
          return null;
        }
        return response.json().then(function (data) {
          setRemaining(data.remaining);
        });
      })
      .catch(function () {
        /* the network is down: keep counting down on what we know */
      })
      .then(function () {
        asking = false;
      });
  }

  function format(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var left = deadline - Date.now();
    if (left > warningMs) {
      return;
    }
    if (left <= 0) {
      if (Date.now() - checkedAt > 5000) {
        ask(true);
      }
      countdown.textContent = format(0);
      return;
    }
    if (box.hidden && Date.now() - checkedAt > 5000) {
      // Before warning, make sure the count is not stale (another tab may have been used): ask,
      // and warn on the next tick if the answer did not move the deadline.
      ask(true);
      return;
    }
    countdown.textContent = format(left);
    show();
  }

  stay.addEventListener("click", function () {
    ask(false);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr) {
      return;
    }
    var remaining = xhr.getResponseHeader("X-Session-Idle-Remaining");
    if (remaining !== null) {
      setRemaining(remaining);
    }
  });

  window.setInterval(tick, 1000);
})();
