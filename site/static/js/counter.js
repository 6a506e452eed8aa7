// A live count of the characters left in a text box with data-counter="N" (the limit itself is
// kept by the form on the server). The visible count follows every key; screen readers hear it
// once the person pauses, not at every key.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("textarea[data-counter]");
  Array.prototype.forEach.call(boxes, function (box) {
    var max = parseInt(box.getAttribute("data-counter"), 10);
    if (!max) return;
    var shown = document.createElement("p");
    shown.className = "help counter";
    shown.id = box.id + "_count";
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", spoken);
    var described = box.getAttribute("aria-describedby");
    box.setAttribute("aria-describedby", (described ? described + " " : "") + shown.id);
    var timer = null;
    function text() {
      var left = max - box.value.length;
      var template = box.getAttribute(left < 0 ? "data-counter-over" : "data-counter-left") || "%(count)s";
      return template.replace("%(count)s", String(Math.abs(left)));
    }
    function update() {
      shown.textContent = text();
      shown.classList.toggle("counter-over", box.value.length > max);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = text(); }, 1000);
    }
    box.addEventListener("input", update);
    shown.textContent = text();
  });
})();
