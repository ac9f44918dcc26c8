// The console's side panel (<aside id="side-panel">): a case and its history, or the service-request
// form, open beside the console instead of replacing it — leaving the page would hang up the
// softphone's call. A link with [data-side-panel-open] (or the lookup form with
// [data-side-panel-form], whose value is the URL template's RECEIPT) is fetched with X-Side-Panel: 1,
// and the server answers the page's content only ([data-side-panel-title] names it). Focus moves to
// the panel's heading; Escape or the close button closes it and gives the focus back to what opened
// it. Without JavaScript the links and the form lead to the full pages, as before.
(function () {
  "use strict";

  var panel, heading, body, opener;
  var submitting = false;

  function say(name) {
    return panel.getAttribute("data-msg-" + name) || "";
  }

  function show(title, content) {
    heading.textContent = title;
    body.replaceChildren.apply(body, content ? [content] : []);
    heading.focus();
  }

  function load(url, from) {
    opener = from;
    submitting = false;
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    show(say("loading"), null);
    fetch(url, { credentials: "same-origin", headers: { "X-Side-Panel": "1", Accept: "text/html" } })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var content = fresh.querySelector("[data-side-panel-title]");
        if (!content) throw new Error("not a side-panel answer");
        var adopted = document.importNode(content, true);
        show(content.getAttribute("data-side-panel-title"), adopted);
        if (window.htmx) window.htmx.process(adopted);
      })
      .catch(function () {
        var failed = document.createElement("p");
        failed.className = "usa-error-message";
        failed.textContent = say("failed");
        show("", failed);
      })
      .then(function () {
        panel.removeAttribute("aria-busy");
      });
  }

  function close(giveFocusBack) {
    if (panel.hidden) return;
    panel.hidden = true;
    body.replaceChildren();
    heading.textContent = "";
    if (!giveFocusBack) return;
    var target = opener && document.contains(opener) ? opener : document.querySelector("#console-work h2");
    if (target) {
      if (!target.matches("a, button, input, select, textarea, [tabindex]")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  function onClick(event) {
    if (event.target.closest("[data-side-panel-close]")) {
      close(true);
      return;
    }
    var link = event.target.closest("[data-side-panel-open]");
    if (!link || event.defaultPrevented || event.button || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    load(link.href, link);
  }

  function onSubmit(event) {
    var form = event.target;
    if (panel.contains(form)) {
      submitting = true; // the softphone may send it in place; the answer closes the panel
      return;
    }
    var template = form.getAttribute && form.getAttribute("data-side-panel-form");
    if (!template) return;
    var value = (new FormData(form).get("receipt_number") || "").toString().trim();
    if (!value) return;
    event.preventDefault();
    load(template.replace("RECEIPT", encodeURIComponent(value)), form.querySelector("[type=submit]") || form);
  }

  function onKey(event) {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close(true);
    }
  }

  function start() {
    panel = document.getElementById("side-panel");
    if (!panel) return;
    heading = document.getElementById("side-panel-heading");
    body = panel.querySelector("[data-side-panel-body]");
    document.addEventListener("click", onClick);
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("keydown", onKey);
    // A form sent from the panel during a call came back into the console region (the softphone
    // focused its heading): the panel's work is done.
    document.addEventListener("softphone:work-replaced", function () {
      if (submitting) close(false);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
