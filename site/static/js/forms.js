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

// A year field shows its fiscal year with the era beside it (2025年度（令和7年度）) and follows
// what is typed. The same rule as peers.dates.fiscal_year_text: the era of the year's end.
(function () {
  "use strict";
  var eras = [[2019, "令和", "Reiwa"], [1989, "平成", "Heisei"], [1926, "昭和", "Showa"],
              [1912, "大正", "Taisho"], [1868, "明治", "Meiji"]];
  var japanese = (document.documentElement.lang || "ja").indexOf("ja") === 0;
  function text(value) {
    if (!/^[0-9]{4}$/.test(value)) { return ""; }
    var year = parseInt(value, 10);
    for (var i = 0; i < eras.length; i++) {
      if (year >= eras[i][0] && year > 1868) {
        var n = year - eras[i][0] + 1;
        return japanese ? year + "年度（" + eras[i][1] + (n === 1 ? "元" : n) + "年度）"
                        : "FY" + year + " (" + eras[i][2] + " " + n + ")";
      }
    }
    return "";
  }
  var inputs = document.querySelectorAll("input[data-fiscal-year]");
  Array.prototype.forEach.call(inputs, function (input) {
    var out = document.getElementById(input.id + "_era");
    if (!out) { return; }
    input.addEventListener("input", function () {
      out.textContent = text(input.value.replace(/[０-９]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
      }));
    });
  });
})();
