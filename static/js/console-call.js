// The console's offer rings like a phone, and the call on the line keeps its handle time in the call
// bar. While an offer card ([data-offer] in the polled console region) stands: the ring
// (static/audio/ring.wav, looped), a browser notification (only once the agent allowed them, with the
// button — never asked on page load), the tab title flashing "Incoming call — …", a countdown to the
// offer's end (shown every second; told to screen readers at 10 and 5 seconds and at the end), and
// Alt+A to accept. All of it stops as soon as the card is gone (accepted, declined, lapsed, withdrawn:
// the region is redrawn) or the offer's time is up. The words come from the card's data attributes,
// translated by the template.
(function () {
  "use strict";

  var ANNOUNCE_AT = [10, 5];
  var offer = null; // {id, card, expires, skew, lapsed, announced, flashOn, timers, notification}
  var ring = null;
  var restingTitle = document.title;
  var handleTimer = null;

  function parse(iso) {
    var time = Date.parse(iso || "");
    return isNaN(time) ? null : time;
  }

  // The server's clock minus the browser's, from the instant the server wrote the region.
  function skewOf(element, attribute) {
    var serverNow = parse(element.getAttribute(attribute));
    return serverNow === null ? 0 : serverNow - Date.now();
  }

  function secondsLeft() {
    if (offer.expires === null) return null;
    return Math.max(0, Math.ceil((offer.expires - (Date.now() + offer.skew)) / 1000));
  }

  function say(name, seconds) {
    var words = offer.card.getAttribute("data-msg-" + name) || "";
    return words.replace("%(seconds)s", String(seconds));
  }

  function announce(words) {
    var announcer = offer.card.querySelector("[data-offer-countdown-announcer]");
    if (announcer) announcer.textContent = words;
  }

  function tick() {
    if (!offer || offer.lapsed) return;
    var left = secondsLeft();
    if (left === null) return;
    var shown = offer.card.querySelector("[data-offer-countdown]");
    if (shown) shown.textContent = say("seconds-left", left);
    if (ANNOUNCE_AT.indexOf(left) !== -1 && !offer.announced[left]) {
      offer.announced[left] = true;
      announce(say("seconds-left", left));
    }
    if (left === 0) {
      // The server puts the caller back in line (the next poll redraws the console); this page stops ringing now.
      offer.lapsed = true;
      announce(say("lapsed", 0));
      silence();
      document.documentElement.setAttribute("data-offer-ringing", "lapsed");
    }
  }

  function flashTitle() {
    if (!offer || offer.lapsed) return;
    offer.flashOn = !offer.flashOn;
    document.title = offer.flashOn ? offer.card.getAttribute("data-offer-title") + " · " + restingTitle : restingTitle;
  }

  function startRing(card) {
    var source = card.getAttribute("data-offer-ring");
    if (!source || typeof window.Audio !== "function") return;
    if (!ring) {
      ring = new window.Audio(source);
      ring.loop = true;
    }
    ring.currentTime = 0;
    var playing = ring.play();
    document.documentElement.setAttribute("data-offer-sound", "playing");
    // A browser that allows no sound before the agent touched the page refuses; the rest still alerts.
    if (playing && playing.catch) {
      playing.catch(function () {
        document.documentElement.setAttribute("data-offer-sound", "blocked");
      });
    }
  }

  function notify(card) {
    if (!("Notification" in window) || window.Notification.permission !== "granted") return;
    try {
      var note = new window.Notification(card.getAttribute("data-offer-title"), {
        body: card.getAttribute("data-offer-body") || "",
        tag: "ncsc-offer-" + card.getAttribute("data-contact"),
        lang: document.documentElement.lang || "",
      });
      note.onclick = function () {
        window.focus();
        var accept = document.querySelector("#console-work [data-offer-accept]");
        if (accept) accept.focus();
        note.close();
      };
      offer.notification = note;
    } catch (error) {
      offer.notification = null; // some browsers allow notifications only from a service worker
    }
  }

  // Everything that rings or flashes stops; the offer itself is left to the server.
  function silence() {
    if (ring) ring.pause();
    if (offer) {
      offer.timers.forEach(function (timer) {
        window.clearInterval(timer);
      });
      offer.timers = [];
      if (offer.notification) offer.notification.close();
      offer.notification = null;
    }
    document.title = restingTitle;
    document.documentElement.removeAttribute("data-offer-sound");
  }

  function stop() {
    silence();
    offer = null;
    document.documentElement.removeAttribute("data-offer-ringing");
  }

  function start(card) {
    restingTitle = document.title;
    offer = {
      id: card.getAttribute("data-contact"),
      card: card,
      expires: parse(card.getAttribute("data-offer-expires")),
      skew: skewOf(card, "data-offer-now"),
      lapsed: false,
      announced: {},
      flashOn: false,
      timers: [],
      notification: null,
    };
    document.documentElement.setAttribute("data-offer-ringing", offer.id);
    startRing(card);
    notify(card);
    tick();
    flashTitle();
    offer.timers.push(window.setInterval(tick, 1000), window.setInterval(flashTitle, 1000));
  }

  function syncOffer() {
    var card = document.querySelector("#console-work [data-offer]");
    if (!card) {
      if (offer) stop();
      return;
    }
    var id = card.getAttribute("data-contact");
    if (offer && offer.id === id) {
      offer.card = card; // the same offer redrawn: it keeps ringing, the countdown goes on
      tick();
      return;
    }
    if (offer) stop();
    start(card);
  }

  // Alt+A answers the standing offer, as the Accept button says (aria-keyshortcuts). The form is
  // submitted as a click would, so the softphone answers its ringing call too.
  function onKey(event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.code !== "KeyA" && event.key !== "a" && event.key !== "A") return;
    var accept = document.querySelector("#console-work [data-offer-accept]");
    if (!accept || !offer || offer.lapsed) return;
    event.preventDefault();
    accept.focus();
    if (accept.form.requestSubmit) accept.form.requestSubmit(accept);
    else accept.click();
  }

  // The call bar's handle time, counted from when the call was answered (the server's instant).
  function syncHandleTimer() {
    window.clearInterval(handleTimer);
    handleTimer = null;
    var timer = document.querySelector("#console-work [data-handle-since]");
    if (!timer) return;
    var since = parse(timer.getAttribute("data-handle-since"));
    if (since === null) return;
    var skew = skewOf(timer, "data-handle-now");
    var show = function () {
      var seconds = Math.max(0, Math.floor((Date.now() + skew - since) / 1000));
      var hours = Math.floor(seconds / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      var rest = seconds % 60;
      var text = (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") + rest;
      timer.textContent = hours ? hours + ":" + text : text;
    };
    show();
    handleTimer = window.setInterval(show, 1000);
  }

  function sync() {
    syncOffer();
    syncHandleTimer();
  }

  // The button that asks for the browser's permission to notify: a click is the user gesture
  // browsers require, and the question is never put on page load.
  function setUpAlertsButton() {
    var row = document.querySelector("[data-offer-alerts]");
    if (!row || !("Notification" in window)) return;
    var state = row.querySelector("[data-offer-alerts-state]");
    if (window.Notification.permission === "default") row.hidden = false;
    row.querySelector("[data-offer-alerts-ask]").addEventListener("click", function (event) {
      var button = event.currentTarget;
      var answered = function (permission) {
        if (permission === "default") return;
        state.textContent = row.getAttribute("data-msg-" + (permission === "granted" ? "granted" : "denied"));
        button.hidden = true;
        state.focus(); // the answer is read from where the focus now is, the button being gone
      };
      var asked = window.Notification.requestPermission(answered);
      if (asked && asked.then) asked.then(answered);
    });
  }

  function begin() {
    var work = document.getElementById("console-work");
    if (!work) return;
    setUpAlertsButton();
    document.addEventListener("keydown", onKey);
    // The polled region is replaced whole (htmx, or the softphone's in-place answers): watch its parent.
    new MutationObserver(sync).observe(work.parentNode, { childList: true });
    sync();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
