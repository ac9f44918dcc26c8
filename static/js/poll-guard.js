// A polled region (data-signature) is redrawn only when the answer shows something else. The server
// answers 204 when the poll's `seen` matches, but on a slow server a poll sent before the last redraw
// comes back after it with the page's current content: swapping it again would take the keyboard
// focus off whatever the agent was about to press (Accept on a standing offer).
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var xhr = event.detail.xhr;
    if (!target || !target.hasAttribute("data-signature") || !xhr || xhr.status !== 200) return;
    var shown = target.getAttribute("data-signature");
    var incoming = new DOMParser()
      .parseFromString(xhr.responseText, "text/html")
      .querySelector("[data-signature]");
    if (incoming && incoming.getAttribute("data-signature") === shown) {
      event.detail.shouldSwap = false;
    }
  });
})();
