// A form that failed comes back with its error summary at the top: move the focus there, so
// that a screen reader reads it and a keyboard user starts from it (GOV.UK's error summary).
// Otherwise a page reached after an action shows its message (what changed, what happens next)
// in a polite live region; a region present at load is not announced, so it takes the focus.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); return; }
  var messages = document.querySelector("[data-messages]");
  if (messages) { messages.focus(); }
})();
