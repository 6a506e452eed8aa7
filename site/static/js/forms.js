// A form that failed comes back with its error summary at the top: move the focus there, so
// that a screen reader reads it and a keyboard user starts from it (GOV.UK's error summary).
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
