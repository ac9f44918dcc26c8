// The supervisor's phone on the wallboard: a Twilio.Device (the vendored Voice SDK, the local device,
// or the tests' double) registered while the page is open. Listen, whisper or barge make the network
// dial this browser into the call's conference (a REST participant create with coaching); the call
// is answered here by itself while the wallboard shows the supervisor in a call ([data-monitor-ring]),
// refused otherwise, and hung up when the supervisor leaves it. The buttons themselves are forms
// sent in place by htmx, so the page (and this phone) stays up.
(function () {
  "use strict";
  var panel, device, activeCall;

  function text(name) {
    return panel.getAttribute("data-msg-" + name) || "";
  }
  function setStatus(name) {
    var status = panel.querySelector("[data-monitor-phone-status]");
    if (status.getAttribute("data-monitor-phone-status") === name) return; // not announced again
    status.textContent = text(name);
    status.setAttribute("data-monitor-phone-status", name);
  }
  function joined() {
    return document.querySelector("[data-monitor-ring]");
  }

  function fetchToken() {
    return fetch(panel.getAttribute("data-token-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Poll": "1" },
    }).then(function (response) {
      if (!response.ok) throw new Error("voice token: HTTP " + response.status);
      return response.json();
    });
  }

  function onIncoming(call) {
    if (!joined()) {
      call.reject();
      return;
    }
    if (activeCall && activeCall !== call) activeCall.disconnect();
    activeCall = call;
    call.accept();
    setStatus("on-call");
    var end = function () {
      if (activeCall !== call) return;
      activeCall = null;
      setStatus("ended");
    };
    call.on("disconnect", end);
    call.on("cancel", end);
  }

  function onWallboardChanged() {
    if (activeCall && !joined()) activeCall.disconnect();
  }

  function start() {
    panel = document.getElementById("monitor-phone");
    if (!panel || !window.Twilio || !window.Twilio.Device) return;
    panel.hidden = false;
    setStatus("connecting");
    document.body.addEventListener("htmx:afterSettle", onWallboardChanged);
    fetchToken()
      .then(function (fresh) {
        device = new window.Twilio.Device(fresh.token, { codecPreferences: ["opus", "pcmu"], closeProtection: true });
        device.on("registered", function () {
          setStatus(activeCall ? "on-call" : "ready");
        });
        device.on("error", function () {
          setStatus("problem");
        });
        device.on("tokenWillExpire", function () {
          fetchToken()
            .then(function (next) {
              device.updateToken(next.token);
            })
            .catch(function () {
              setStatus("token-failed");
            });
        });
        device.on("incoming", onIncoming);
        return device.register();
      })
      .catch(function () {
        setStatus("token-failed");
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
