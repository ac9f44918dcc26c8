// The agent's softphone on the CSR/ISO console: a Twilio.Device (the vendored Voice SDK, the local
// device, or the tests' double) registered while the agent can be offered a call. The agent's state
// is read from the polled console region ([data-agent-state]); the words shown come from the
// panel's data attributes, translated by the template. Without JavaScript the console works as
// before: the Accept form still posts.
(function () {
  "use strict";

  var REGISTERED_STATES = ["available", "offered", "on_call"];
  var UNREGISTERED_STATES = ["offline", "break"];
  var PROBLEM_STATES = ["available", "offered"];
  var MIC_ERROR_CODES = [31208, 31401, 31402];

  var panel, device, token, pendingCall, activeCall;
  var unregistering = false;
  var reportedProblem = false;

  function text(name) {
    return panel.getAttribute("data-msg-" + name) || "";
  }
  function byId(id) {
    return document.getElementById(id);
  }

  function agentState() {
    var tag = document.querySelector("[data-agent-state]");
    return tag ? tag.getAttribute("data-agent-state") : "offline";
  }

  function setStatus(name) {
    var status = panel.querySelector("[data-softphone-status]");
    if (status.getAttribute("data-softphone-status") === name) return; // not announced again
    status.textContent = text(name);
    status.setAttribute("data-softphone-status", name);
  }

  function showAlert(name) {
    var alert = byId("softphone-alert");
    alert.querySelector("[data-softphone-alert-text]").textContent = text(name);
    alert.setAttribute("data-softphone-alert", name);
    alert.hidden = false;
  }
  function clearAlert() {
    var alert = byId("softphone-alert");
    alert.hidden = true;
    alert.removeAttribute("data-softphone-alert");
  }

  function fetchToken() {
    // X-Poll: renewing the phone's token is not the agent doing something, so it never keeps an idle
    // session from ending (contactcenter/session_idle.py).
    return fetch(panel.getAttribute("data-token-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Poll": "1" },
    }).then(function (response) {
      if (!response.ok) throw new Error("voice token: HTTP " + response.status);
      return response.json();
    });
  }

  function refreshWork() {
    if (window.htmx && byId("console-work")) {
      window.htmx.ajax("GET", panel.getAttribute("data-work-url"), {
        target: "#console-work",
        swap: "outerHTML",
        headers: { "X-Poll": "1" },
      });
    }
  }

  // The device failed while the agent could be offered a call: the server makes them not ready
  // (reason "device problem") so no caller is offered to a phone that cannot ring.
  function reportProblem(detail) {
    if (reportedProblem || PROBLEM_STATES.indexOf(agentState()) === -1) return;
    reportedProblem = true;
    showAlert("device-problem");
    setStatus("idle");
    var form = byId("softphone-problem");
    var body = new FormData(form);
    body.append("detail", String(detail || "").slice(0, 120));
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .catch(function () {})
      .then(refreshWork);
  }

  function isMicError(error) {
    if (!error) return false;
    if (MIC_ERROR_CODES.indexOf(error.code) !== -1) return true;
    var name = (error.originalError && error.originalError.name) || error.name || "";
    return name === "NotAllowedError" || name === "PermissionDeniedError";
  }

  function createDevice(accessToken) {
    device = new window.Twilio.Device(accessToken, {
      codecPreferences: ["opus", "pcmu"],
      closeProtection: true,
    });
    device.on("registered", function () {
      if (byId("softphone-alert").getAttribute("data-softphone-alert") !== "mic-denied") clearAlert();
      setStatus(pendingCall ? "ringing" : activeCall ? "on-call" : "ready");
      fillDevices();
    });
    device.on("unregistered", function () {
      if (unregistering) {
        unregistering = false;
        return;
      }
      reportProblem("lost registration");
    });
    device.on("error", function (error) {
      if (isMicError(error)) {
        showAlert("mic-denied");
        return;
      }
      reportProblem("device error " + (error && error.code ? error.code : ""));
    });
    device.on("tokenWillExpire", function () {
      fetchToken()
        .then(function (fresh) {
          token = fresh;
          device.updateToken(fresh.token);
        })
        .catch(function () {
          showAlert("token-failed");
        });
    });
    device.on("incoming", onIncoming);
    if (device.audio && device.audio.on) device.audio.on("deviceChange", fillDevices);
    // The console rings for the offer itself (static/js/console-call.js): the SDK's own ringtone would
    // ring a second time over it.
    if (device.audio && typeof device.audio.incoming === "function") device.audio.incoming(false);
  }

  // Register while the agent can be offered a call; unregister on break or offline.
  function syncRegistration() {
    var state = agentState();
    if (!device) return;
    if (REGISTERED_STATES.indexOf(state) !== -1) {
      if (state === "available") reportedProblem = false;
      if (device.state === "unregistered") {
        setStatus("connecting");
        device.register().catch(function (error) {
          reportProblem("register failed " + (error && error.code ? error.code : ""));
        });
      }
    } else if (UNREGISTERED_STATES.indexOf(state) !== -1) {
      if (device.state === "registered" || device.state === "registering") {
        unregistering = true;
        device.unregister();
      }
      if (byId("softphone-alert").getAttribute("data-softphone-alert") === "device-problem") return;
      setStatus("idle");
    }
  }

  // The console no longer shows the call on the line (ended, escalated, wrap-up): the agent's leg of
  // it is hung up too, so the headset never stays open on a finished call.
  function onWorkChanged() {
    if (activeCall && !document.querySelector("#console-work #caller-heading")) activeCall.disconnect();
    syncKeypad();
    syncRegistration();
  }

  // The call bar's keypad sends tones through this phone's call: shown only while there is one.
  function syncKeypad() {
    var keypad = document.querySelector("#console-work [data-call-keypad]");
    if (keypad) keypad.hidden = !activeCall;
  }

  function onIncoming(call) {
    // Already accepted in the console (the network puts the call through after the accept): the
    // agent's Accept answers this leg too.
    var onLine = document.querySelector("#console-work section[data-contact]");
    if (!activeCall && onLine && document.querySelector("#console-work #caller-heading")) {
      var params = call.customParameters || call.parameters || {};
      var given = params.get ? params.get("contact_id") : params.contact_id;
      if (!given || String(given) === onLine.getAttribute("data-contact")) {
        call.accept();
        startCall(call);
        return;
      }
    }
    pendingCall = call;
    setStatus("ringing");
    refreshWork(); // the offer card (and the state "Offered") at once, not at the next poll
    var forget = function () {
      if (pendingCall === call) {
        pendingCall = null;
        setStatus(device && device.state === "registered" ? "ready" : "idle");
      }
    };
    call.on("cancel", forget);
    call.on("reject", forget);
    call.on("disconnect", forget);
  }

  function offeredContactMatches(call, form) {
    var wanted = form.getAttribute("data-softphone-accept");
    var params = (call && (call.customParameters || call.parameters)) || {};
    var given = params.get ? params.get("contact_id") : params.contact_id;
    return !given || String(given) === String(wanted);
  }

  function startCall(call) {
    activeCall = call;
    pendingCall = null;
    setStatus("on-call");
    byId("softphone-feedback").textContent = "";
    // The call bar's one Mute: a line the server already mutes stays silent on this phone too.
    var barMute = document.querySelector("#console-work [data-call-mute] [aria-pressed]");
    if (barMute && barMute.getAttribute("aria-pressed") === "true") call.mute(true);
    syncKeypad();
    var end = function () {
      if (activeCall !== call) return;
      activeCall = null;
      syncKeypad();
      setStatus("ended");
    };
    call.on("disconnect", end);
    call.on("cancel", end);
    call.on("error", function (error) {
      if (isMicError(error)) showAlert("mic-denied");
    });
  }

  // While a call rings or is on, the console's forms are sent in place: leaving the page would hang
  // up. The answer (the console again, or the form with its errors) replaces the polled region.
  function submitInPlace(form, submitter) {
    var body = submitter ? new FormData(form, submitter) : new FormData(form);
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) {
          return { url: response.url, html: html };
        });
      })
      .then(function (answer) {
        var fresh = new DOMParser().parseFromString(answer.html, "text/html");
        var region = fresh.getElementById("console-work");
        var current = byId("console-work");
        if (!region || !current) {
          window.location.assign(answer.url);
          return;
        }
        var container = current.closest(".grid-container") || document.body;
        container.querySelectorAll(":scope > .usa-alert").forEach(function (old) {
          old.remove();
        });
        var freshContainer = region.closest(".grid-container");
        if (freshContainer) {
          Array.prototype.slice
            .call(freshContainer.querySelectorAll(":scope > .usa-alert"))
            .reverse()
            .forEach(function (message) {
              container.insertBefore(document.importNode(message, true), container.firstChild);
            });
        }
        var adopted = document.importNode(region, true);
        current.replaceWith(adopted);
        if (window.htmx) window.htmx.process(adopted);
        var heading = adopted.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
        document.dispatchEvent(new CustomEvent("softphone:work-replaced"));
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // The console region, and the side panel's forms (static/js/side-panel.js) that answer into it.
    if (!panel || !form.closest || !form.closest("#console-work, #side-panel")) return;
    var accepting = form.hasAttribute("data-softphone-accept");
    if (accepting && pendingCall && offeredContactMatches(pendingCall, form)) {
      event.preventDefault();
      var call = pendingCall;
      call.accept();
      startCall(call);
      submitInPlace(form, event.submitter);
      return;
    }
    if (activeCall && form.hasAttribute("data-call-mute")) {
      // One Mute, in the call bar: this phone's microphone at once, and the line on the server (a
      // desk phone's too) by the form, whose answer redraws the button.
      var muted = form.querySelector("[name=mute]").value === "on";
      activeCall.mute(muted);
      byId("softphone-feedback").textContent = text(muted ? "muted" : "unmuted");
    }
    if (activeCall || pendingCall) {
      event.preventDefault();
      submitInPlace(form, event.submitter);
    }
  });

  function onDigit(event) {
    var key = event.target.closest("[data-dtmf]");
    if (!key || !activeCall) return;
    var digit = key.getAttribute("data-dtmf");
    activeCall.sendDigits(digit);
    byId("softphone-feedback").textContent = text("digit") + " " + digit;
  }

  function fillSelect(select, devices, current) {
    var chosen = select.value || current || "";
    select.textContent = "";
    var seen = false;
    devices.forEach(function (info, id) {
      var option = document.createElement("option");
      option.value = id;
      option.textContent = id === "default" ? text("default-device") : info.label || id;
      if (id === chosen) seen = true;
      select.appendChild(option);
    });
    if (!select.options.length) {
      var none = document.createElement("option");
      none.value = "";
      none.textContent = text("default-device");
      select.appendChild(none);
    }
    if (seen) select.value = chosen;
  }

  function fillDevices() {
    var audio = device && device.audio;
    if (!audio) return;
    if (audio.availableInputDevices) {
      fillSelect(byId("softphone-input"), audio.availableInputDevices, audio.inputDevice && audio.inputDevice.deviceId);
    }
    var supported = audio.isOutputSelectionSupported && audio.availableOutputDevices;
    byId("softphone-output-group").hidden = !supported;
    byId("softphone-output-unsupported").hidden = !!supported;
    if (supported) fillSelect(byId("softphone-output"), audio.availableOutputDevices, "");
  }

  function onInputChosen(event) {
    if (!device || !device.audio || !event.target.value) return;
    device.audio.setInputDevice(event.target.value).catch(function (error) {
      if (isMicError(error)) showAlert("mic-denied");
    });
  }

  function onOutputChosen(event) {
    var audio = device && device.audio;
    if (!audio || !event.target.value) return;
    Promise.all([audio.speakerDevices.set(event.target.value), audio.ringtoneDevices.set(event.target.value)]).catch(
      function () {}
    );
  }

  // Asking for the microphone before the first call: a refusal is explained now, not mid-call.
  function checkMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showAlert("mic-denied");
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ audio: true })
      .then(function (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
        if (byId("softphone-alert").getAttribute("data-softphone-alert") === "mic-denied") clearAlert();
        byId("softphone-feedback").textContent = text("mic-allowed");
        fillDevices();
      })
      .catch(function () {
        showAlert("mic-denied");
      });
  }

  function watchMicrophonePermission() {
    if (!navigator.permissions || !navigator.permissions.query) return;
    navigator.permissions
      .query({ name: "microphone" })
      .then(function (permission) {
        var show = function () {
          if (permission.state === "denied") showAlert("mic-denied");
        };
        show();
        permission.onchange = show;
      })
      .catch(function () {});
  }

  function start() {
    panel = byId("softphone");
    if (!panel || !window.Twilio || !window.Twilio.Device) return;
    panel.hidden = false;
    setStatus("idle");
    document.addEventListener("click", onDigit); // the keypad is in the call bar
    byId("softphone-input").addEventListener("change", onInputChosen);
    byId("softphone-output").addEventListener("change", onOutputChosen);
    byId("softphone-mic-check").addEventListener("click", checkMicrophone);
    watchMicrophonePermission();
    document.body.addEventListener("htmx:afterSettle", onWorkChanged);
    document.addEventListener("softphone:work-replaced", onWorkChanged);
    fetchToken()
      .then(function (fresh) {
        token = fresh;
        createDevice(fresh.token);
        fillDevices();
        syncRegistration();
      })
      .catch(function (error) {
        showAlert("token-failed");
        reportProblem("token: " + (error && error.message));
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
