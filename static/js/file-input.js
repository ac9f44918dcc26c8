/* The USWDS 3.14 file input, in the page's language and kinder to a wrong file.

   USWDS writes its texts in English ("Drag files here or choose from folder", "No files selected."…)
   with no way to configure them but the error message: this rewrites them from the strings the
   server put, translated, in the input's data-file-strings, each time USWDS writes them again.
   A choice of several files with one of a type not accepted keeps the accepted ones (USWDS would
   clear them all) and names the refused file; when every file is refused, the error names them. */
(function () {
  "use strict";
  var INPUTS = "input[type=file][data-file-strings]";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) { return values[key]; });
  }

  function isAccepted(input, file) {
    var rules = (input.getAttribute("accept") || "").split(",").map(function (rule) {
      return rule.trim().toLowerCase();
    }).filter(Boolean);
    var name = file.name.toLowerCase();
    return !rules.length || rules.some(function (rule) {
      return rule.charAt(0) === "." ? name.slice(-rule.length) === rule && name.length > rule.length
        : file.type.indexOf(rule.replace(/\*/g, "")) === 0;
    });
  }

  function translated(strings, text) {
    var rules = [
      [/^Drag files? here or$/, function () { return strings.drag; }],
      [/^choose from folder$/, function () { return strings.choose; }],
      [/^Choose from folder$/, function () { return strings.choose_first; }],
      [/^No files? selected\.$/, function () { return strings.none; }],
      [/^You have selected the file: ([\s\S]*)$/, function (m) { return format(strings.selected_one, {name: m[1]}); }],
      [/^You have selected (\d+) files: ([\s\S]*)$/, function (m) {
        return format(strings.selected_many, {count: m[1], names: m[2]});
      }],
      [/^Selected file$/, function () { return strings.heading_one; }],
      [/^(\d+) files selected$/, function (m) { return format(strings.heading_many, {count: m[1]}); }],
      [/^Change file$/, function () { return strings.change_one; }],
      [/^Change files$/, function () { return strings.change_many; }],
      // The input's accessible name: [error message] + "Drag files here or choose from folder".
      [/^([\s\S]*?)Drag files? here or choose from folder$/, function (m) {
        return m[1] + strings.drag + " " + strings.choose;
      }],
      [/^([\s\S]*?)Choose from folder$/, function (m) { return m[1] + strings.choose_first; }],
    ];
    var trimmed = text.trim();
    for (var i = 0; i < rules.length; i += 1) {
      var match = rules[i][0].exec(trimmed);
      if (match) { return text.replace(trimmed, rules[i][1](match)); }
    }
    return text;
  }

  function translate(box, input, strings) {
    var walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".usa-file-input__preview")) { continue; }  // a file's own name
      var text = translated(strings, node.nodeValue);
      if (text !== node.nodeValue) { node.nodeValue = text; }
    }
    var label = input.getAttribute("aria-label");
    if (label && translated(strings, label) !== label) { input.setAttribute("aria-label", translated(strings, label)); }
  }

  function refusedMessage(input, strings, refused) {
    var target = input.closest(".usa-file-input__target");
    if (!target) { return; }
    var message = document.createElement("div");
    message.className = "usa-file-input__accepted-files-message";
    message.setAttribute("role", "alert");
    message.setAttribute("data-refused-files", "");
    message.textContent = format(strings.refused, {names: refused.join(", ")});
    target.insertBefore(message, input);
  }

  // Runs before USWDS's own listener on the input (capture phase on the document).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(INPUTS)) { return; }
    var strings = JSON.parse(input.getAttribute("data-file-strings"));
    var files = Array.prototype.slice.call(input.files || []);
    var refused = files.filter(function (file) { return !isAccepted(input, file); });
    var names = refused.map(function (file) { return file.name; });
    input.setAttribute("data-errormessage", format(strings.refused, {names: names.join(", ")}));
    if (!refused.length || refused.length === files.length || typeof DataTransfer !== "function") { return; }
    var kept = new DataTransfer();
    files.forEach(function (file) { if (isAccepted(input, file)) { kept.items.add(file); } });
    input.files = kept.files;
    setTimeout(function () { refusedMessage(input, strings, names); }, 0);
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(INPUTS), function (input) {
      var strings = JSON.parse(input.getAttribute("data-file-strings"));
      var box = input.closest(".usa-file-input") || input.parentElement;
      translate(box, input, strings);
      new MutationObserver(function () { translate(box, input, strings); }).observe(box, {
        subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["aria-label"],
      });
    });
  });
})();
