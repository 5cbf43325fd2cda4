// Optional: every page works without this script. It adds three conveniences:
// - a refused submission's summary (rendered first in <main>, with autofocus) is
//   focused and scrolled into view even where a browser ignores autofocus;
// - a button with data-confirm asks before an action that cannot be undone, and then
//   tells the server it was asked (without the script, the server asks on a page);
// - a file input with data-max-bytes refuses a file that is too large before it is
//   uploaded, so nothing typed is lost to a refused upload.
(function () {
  "use strict";

  var summary = document.getElementById("form-summary");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({block: "start"});
  }

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.dataset.confirm;
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var form = event.target;
    if (!form.querySelector("input[name=confirmed]")) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "yes";
      form.appendChild(input);
    }
  });

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var limit = Number(input.dataset.maxBytes);
      var tooLarge = Array.prototype.some.call(input.files, function (f) { return f.size > limit; });
      input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
      if (tooLarge) input.reportValidity();
    });
  });
})();
