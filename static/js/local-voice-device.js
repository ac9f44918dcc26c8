// The local device: what `Twilio.Device` is on the console when TELEPHONY_BACKEND=local, so the
// softphone code runs without a Twilio account. It takes only the server's local-device token, and
// it rings when the console shows a call offered to the agent (the call simulator's caller, routed
// by the server): accepting answers it, and it hangs up when the console no longer shows the call.
// On the wallboard it rings when the supervisor has joined a call ([data-monitor-ring]), as the
// network dials a supervisor's browser into the conference, and hangs up when they leave it.
// No audio flows; mute and the keypad act on the local call only.
(function () {
  "use strict";
  if (window.Twilio && window.Twilio.Device) return;

  function Emitter() {
    this._handlers = {};
  }
  Emitter.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push(handler);
    return this;
  };
  Emitter.prototype.emit = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    (this._handlers[name] || []).slice().forEach(function (handler) {
      handler.apply(null, args);
    });
  };

  function LocalCall(contactId) {
    Emitter.call(this);
    this.customParameters = new Map([["contact_id", String(contactId)]]);
    this.parameters = { From: "local-simulator", CallSid: "CAlocal" + contactId };
    this._muted = false;
    this.status = function () {
      return this._status;
    };
    this._status = "pending";
  }
  LocalCall.prototype = Object.create(Emitter.prototype);
  LocalCall.prototype.accept = function () {
    this._status = "open";
    this.emit("accept", this);
  };
  LocalCall.prototype.reject = function () {
    this._status = "closed";
    this.emit("reject");
  };
  LocalCall.prototype.disconnect = function () {
    if (this._status === "closed") return;
    this._status = "closed";
    this.emit("disconnect", this);
  };
  LocalCall.prototype.mute = function (muted) {
    this._muted = muted !== false;
    this.emit("mute", this._muted, this);
  };
  LocalCall.prototype.isMuted = function () {
    return this._muted;
  };
  LocalCall.prototype.sendDigits = function () {};

  function Device(token, options) {
    Emitter.call(this);
    this.token = token;
    this.options = options || {};
    this.state = "unregistered";
    this.audio = {
      availableInputDevices: new Map(),
      availableOutputDevices: new Map(),
      isOutputSelectionSupported: false,
      inputDevice: null,
      on: function () {},
      setInputDevice: function () {
        return Promise.resolve();
      },
    };
    this._call = null;
    var device = this;
    var watch = function () {
      device._watch();
    };
    document.addEventListener("htmx:afterSettle", watch);
    document.addEventListener("softphone:work-replaced", watch);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  }
  Device.prototype = Object.create(Emitter.prototype);
  Device.prototype.register = function () {
    var device = this;
    if (String(this.token).indexOf("local-device.") !== 0) {
      var error = new Error("The local device takes only a local-device token.");
      error.code = 20101;
      window.setTimeout(function () {
        device.emit("error", error);
      }, 0);
      return Promise.reject(error);
    }
    this.state = "registered";
    window.setTimeout(function () {
      device.emit("registered");
      device._watch();
    }, 0);
    return Promise.resolve();
  };
  Device.prototype.unregister = function () {
    this.state = "unregistered";
    this.emit("unregistered");
    return Promise.resolve();
  };
  Device.prototype.updateToken = function (token) {
    this.token = token;
  };
  Device.prototype.destroy = function () {
    this.state = "destroyed";
  };
  // What the console shows decides the local call's life: an offer rings it, a lapsed or taken-away
  // offer cancels it, and the end of the call (no contact on the line any more) hangs it up.
  Device.prototype._watch = function () {
    if (this.state !== "registered") return;
    // An offer on the console, or (on the wallboard) the call the supervisor joined to monitor.
    var offer = document.querySelector("[data-softphone-accept]");
    var ringing = offer && offer.getAttribute("data-softphone-accept");
    var monitor = !offer && document.querySelector("[data-monitor-ring]");
    if (monitor) ringing = monitor.getAttribute("data-monitor-ring");
    offer = offer || monitor;
    var call = this._call;
    if (ringing && (!call || call._contactId !== ringing)) {
      if (call && call._status === "open") call.disconnect();
      call = this._call = new LocalCall(ringing);
      call._contactId = ringing;
      this.emit("incoming", call);
      return;
    }
    if (!call || offer) return;
    var onLine = document.querySelector('#console-work [data-contact="' + call._contactId + '"]');
    if (call._status === "pending") {
      call._status = "closed";
      call.emit("cancel");
      this._call = null;
    } else if (!onLine || !document.getElementById("caller-heading")) {
      call.disconnect();
      this._call = null;
    }
  };

  window.Twilio = window.Twilio || {};
  window.Twilio.Device = Device;
  window.Twilio.Call = LocalCall;
})();
