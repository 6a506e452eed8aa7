// On a narrow screen the main menu folds behind a "Menu" button, so the page's own content
// comes first; without JavaScript, or on a wide screen, the menu is simply shown.
(function () {
  "use strict";
  var button = document.querySelector(".main-nav .menu-toggle");
  var list = document.getElementById("main-menu");
  if (!button || !list || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 40em)");
  function fit() {
    if (narrow.matches) {
      button.hidden = false;
      list.hidden = button.getAttribute("aria-expanded") !== "true";
    } else {
      button.hidden = true;
      list.hidden = false;
    }
  }
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    list.hidden = open;
    if (!open) {
      var first = list.querySelector("a, button");
      if (first) first.focus();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      list.hidden = true;
      button.focus();
    }
  });
  if (narrow.addEventListener) narrow.addEventListener("change", fit);
  fit();
})();
