// The call simulator's keypad: each key typed into the keys box.
(function () {
  "use strict";
  document.querySelectorAll("[data-key]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById("id_digits");
      input.value += button.dataset.key;
      input.focus();
    });
  });
})();
