// A test double of Twilio.Device and Twilio.Call for the browser tests (served only by the test
// settings' STATICFILES_DIRS, never in production). Every call the page makes on it is recorded in
// window.__twilioDouble.log; the test drives the network's side with its emit* functions.
(function () {
  "use strict";
  var double = (window.__twilioDouble = { log: [], devices: [], calls: [] });

  function record(target, method, args) {
    double.log.push({ target: target, method: method, args: Array.prototype.slice.call(args) });
  }

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

  function Call(parameters) {
    Emitter.call(this);
    this.customParameters = new Map(Object.entries(parameters || {}));
    this.parameters = { CallSid: "CAdouble" + (double.calls.length + 1) };
    this._muted = false;
    this._status = "pending";
  }
  Call.prototype = Object.create(Emitter.prototype);
  Call.prototype.status = function () {
    return this._status;
  };
  Call.prototype.accept = function () {
    record("call", "accept", arguments);
    this._status = "open";
    this.emit("accept", this);
  };
  Call.prototype.reject = function () {
    record("call", "reject", arguments);
    this._status = "closed";
  };
  Call.prototype.disconnect = function () {
    record("call", "disconnect", arguments);
    this._status = "closed";
    this.emit("disconnect", this);
  };
  Call.prototype.mute = function (muted) {
    record("call", "mute", arguments);
    this._muted = muted !== false;
  };
  Call.prototype.isMuted = function () {
    return this._muted;
  };
  Call.prototype.sendDigits = function (digits) {
    record("call", "sendDigits", arguments);
  };

  function Device(token, options) {
    Emitter.call(this);
    record("device", "constructor", [token, options]);
    this.token = token;
    this.options = options;
    this.state = "unregistered";
    this.audio = {
      availableInputDevices: new Map([
        ["default", { deviceId: "default", label: "Default" }],
        ["headset-1", { deviceId: "headset-1", label: "Test headset microphone" }],
      ]),
      availableOutputDevices: new Map([
        ["default", { deviceId: "default", label: "Default" }],
        ["headset-1", { deviceId: "headset-1", label: "Test headset" }],
      ]),
      isOutputSelectionSupported: true,
      inputDevice: null,
      on: function () {},
      setInputDevice: function (id) {
        record("audio", "setInputDevice", [id]);
        return Promise.resolve();
      },
      speakerDevices: { set: function (id) { record("audio", "speakerDevices.set", [id]); return Promise.resolve(); } },
      ringtoneDevices: { set: function (id) { record("audio", "ringtoneDevices.set", [id]); return Promise.resolve(); } },
    };
    double.devices.push(this);
  }
  Device.prototype = Object.create(Emitter.prototype);
  Device.prototype.register = function () {
    record("device", "register", arguments);
    var device = this;
    this.state = "registering";
    return Promise.resolve().then(function () {
      device.state = "registered";
      device.emit("registered");
    });
  };
  Device.prototype.unregister = function () {
    record("device", "unregister", arguments);
    this.state = "unregistered";
    this.emit("unregistered");
    return Promise.resolve();
  };
  Device.prototype.updateToken = function (token) {
    record("device", "updateToken", arguments);
    this.token = token;
  };
  Device.prototype.destroy = function () {
    record("device", "destroy", arguments);
    this.state = "destroyed";
  };

  function current() {
    return double.devices[double.devices.length - 1];
  }
  double.count = function (target, method) {
    return double.log.filter(function (entry) {
      return entry.target === target && entry.method === method;
    }).length;
  };
  double.argsOf = function (target, method) {
    return double.log
      .filter(function (entry) {
        return entry.target === target && entry.method === method;
      })
      .map(function (entry) {
        return entry.args;
      });
  };
  // The network's side.
  double.emitIncoming = function (parameters) {
    var call = new Call(parameters);
    double.calls.push(call);
    current().emit("incoming", call);
    return double.calls.length - 1;
  };
  double.emitError = function (code, message) {
    var error = new Error(message || "test device error");
    error.code = code;
    current().emit("error", error);
  };
  double.loseRegistration = function () {
    var device = current();
    device.state = "unregistered";
    device.emit("unregistered");
  };
  double.emitTokenWillExpire = function () {
    current().emit("tokenWillExpire", current());
  };
  double.state = function () {
    return current() ? current().state : null;
  };

  window.Twilio = { Device: Device, Call: Call };
})();
