// The service-request form shows the fields of the chosen request type only (the type-specific
// fields carry data-sr-for-kinds, the types that use them; contactcenter/live/models.py
// SERVICE_REQUEST_TYPE_FIELDS). Without this script every field shows and the server ignores the
// ones the type does not use. Forms drawn later (the console's side panel) are handled too.
(function () {
  "use strict";

  function apply(form) {
    var kind = form.querySelector("[data-sr-kind]");
    if (!kind) return;
    var groups = form.querySelectorAll("[data-sr-for-kinds]");
    for (var i = 0; i < groups.length; i++) {
      var kinds = groups[i].getAttribute("data-sr-for-kinds").split(" ");
      groups[i].hidden = kinds.indexOf(kind.value) === -1;
    }
  }

  function applyAll() {
    var forms = document.querySelectorAll("form[data-sr-form]");
    for (var i = 0; i < forms.length; i++) apply(forms[i]);
  }

  function begin() {
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.hasAttribute && target.hasAttribute("data-sr-kind") && target.form) apply(target.form);
    });
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (records[i].addedNodes.length) {
          applyAll();
          return;
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
    applyAll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
