// Optional: shows only the fields the chosen kind of report uses. Without this script
// every field is shown, each saying which kinds use it, and the server names any field
// that does not belong. Hidden fields are disabled, so they are not sent.
(function () {
  "use strict";

  var form = document.querySelector("form.report-form");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  if (!kind) return;

  function update() {
    form.querySelectorAll("[data-kinds]").forEach(function (block) {
      var used = !kind.value || block.dataset.kinds.split(" ").indexOf(kind.value) >= 0;
      block.hidden = !used;
      block.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !used;
      });
    });
  }

  kind.addEventListener("change", update);
  update();
})();
