// Nothing typed is lost: the values of the page's forms are kept in this tab's sessionStorage as
// the person types, so a form sent after the sign-in ran out (or a CSRF failure, or a closed
// tab restored) can be filled again. Kept: every POST form in <main>, except sign-in, password
// and two-step forms, and except fields of type password, file or hidden and anything marked
// data-no-draft. Keyed by the page's path, the form's action and the field's name.
//
// A draft is put back when the same form is shown again without errors and differs from it, with
// a notice and a button to discard it. It is removed when the form was sent and the next page
// shows a success message (or no longer has the form), and on sign-out.
(function () {
  "use strict";
  var PREFIX = "kakehashi-draft:";
  var PENDING = "kakehashi-draft-pending";
  var store;
  try { store = window.sessionStorage; store.setItem(PREFIX + "probe", "1"); store.removeItem(PREFIX + "probe"); }
  catch (e) { return; } // storage off: nothing to keep

  var main = document.querySelector("main");
  if (!main) { return; }
  var strings = document.querySelector("[data-draft-strings]");
  var text = {
    restored: strings ? strings.getAttribute("data-restored") : "前回入力した内容を戻しました。",
    discard: strings ? strings.getAttribute("data-discard") : "戻した内容を消す",
    discarded: strings ? strings.getAttribute("data-discarded") : "戻した内容を消しました。"
  };

  function clearAll() {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && (key.indexOf(PREFIX) === 0 || key === PENDING)) { keys.push(key); }
    }
    keys.forEach(function (key) { store.removeItem(key); });
  }

  // Sign-out (the menu's form, and allauth's own page) forgets every draft of this tab.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-draft-clear-all")) { clearAll(); }
  }, true);

  function excludedForm(form) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return true; }
    if (form.hasAttribute("data-no-draft") || form.hasAttribute("data-draft-clear-all")) { return true; }
    if (form.querySelector('input[type="password"], input[autocomplete="one-time-code"]')) { return true; }
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    return /\/accounts\//.test(action.pathname);
  }

  function keptField(field) {
    if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") { return false; }
    if (field.closest("[data-no-draft]")) { return false; }
    var type = (field.type || "").toLowerCase();
    return ["password", "file", "hidden", "submit", "button", "reset", "image"].indexOf(type) === -1;
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, keptField);
  }

  var forms = Array.prototype.filter.call(main.querySelectorAll("form"), function (form) {
    return !excludedForm(form);
  });

  function keyOf(form) {
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    var same = forms.filter(function (other) { return other.getAttribute("action") === form.getAttribute("action"); });
    var index = same.length > 1 ? "#" + same.indexOf(form) : "";
    return PREFIX + window.location.pathname + "|" + action.pathname + index;
  }

  function valuesOf(form) {
    var values = {};
    fields(form).forEach(function (field) {
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (!values[field.name]) { values[field.name] = []; }
        if (field.checked) { values[field.name].push(field.value); }
      } else if (field.tagName === "SELECT" && field.multiple) {
        values[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function apply(form, values) {
    var changed = false;
    fields(form).forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(values, field.name)) { return; }
      var value = values[field.name];
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var on = Array.isArray(value) && value.indexOf(field.value) !== -1;
        if (field.checked !== on) { field.checked = on; changed = true; }
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) {
          var on = Array.isArray(value) && value.indexOf(o.value) !== -1;
          if (o.selected !== on) { o.selected = on; changed = true; }
        });
      } else if (typeof value === "string" && field.value !== value) {
        field.value = value;
        changed = true;
      }
    });
    return changed;
  }

  function read(key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  // What happened to the form sent from the last page.
  // The sign-in pages (and the page of a refused form) keep it: the person comes back to the form.
  var pending = store.getItem(PENDING);
  var keepsDrafts = document.querySelector("[data-keeps-drafts], .message.session-expired") ||
    Array.prototype.some.call(main.querySelectorAll("form"), function (form) {
      return (form.getAttribute("method") || "get").toLowerCase() === "post" && excludedForm(form) &&
        !form.hasAttribute("data-no-draft") && !form.hasAttribute("data-draft-clear-all");
    });
  if (pending) {
    if (!keepsDrafts) {
      var succeeded = document.querySelector('[data-message="success"]');
      var stillHere = forms.some(function (form) { return keyOf(form) === pending; });
      if (succeeded || !stillHere) { store.removeItem(pending); }
    }
    store.removeItem(PENDING);
  }

  function notice(form, key, before) {
    var box = document.createElement("div");
    box.className = "draft-notice";
    box.setAttribute("role", "status");
    box.setAttribute("data-draft-notice", "");
    var p = document.createElement("p");
    p.textContent = text.restored;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-quiet";
    button.textContent = text.discard;
    button.addEventListener("click", function () {
      apply(form, before);
      store.removeItem(key);
      p.textContent = text.discarded;
      button.remove();
    });
    box.appendChild(p);
    box.appendChild(button);
    form.parentNode.insertBefore(box, form);
  }

  forms.forEach(function (form) {
    var key = keyOf(form);
    var draft = read(key);
    // A form that came back with errors already holds what was sent: leave it as it is.
    var failed = document.querySelector("[data-error-summary]") ||
      form.querySelector('.errorlist, [aria-invalid="true"]');
    if (draft && !failed) {
      var before = valuesOf(form);
      if (apply(form, draft)) { notice(form, key, before); }
    }
    var save = function () { store.setItem(key, JSON.stringify(valuesOf(form))); };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () { save(); store.setItem(PENDING, key); });
  });
})();
