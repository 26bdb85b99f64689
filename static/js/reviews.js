// Keyboard shortcuts for the review queue. The pair area is swapped by htmx after
// each decision, so every key looks its target up at the moment it is pressed.
(function () {
  "use strict";

  function help() {
    var dialog = document.getElementById("help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  function press(id) {
    var element = document.getElementById(id);
    if (!element || element.disabled) return false;
    element.click();
    return true;
  }

  function submit(id) {
    var form = document.getElementById(id);
    if (!form) return false;
    var button = form.querySelector("button");
    if (button && button.disabled) return false;
    form.requestSubmit();
    return true;
  }

  var keys = {
    y: function () { return press("decide-confirm"); },
    n: function () { return press("decide-reject"); },
    s: function () { return press("decide-skip"); },
    j: function () { return press("next-link"); },
    k: function () { return press("prev-link"); },
    u: function () { return submit("undo-form"); },
    "?": function () { help(); return true; },
    "/": function () {
      var note = document.querySelector("#decide-form textarea");
      if (note) note.focus();
      return !!note;
    },
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) {
      if (event.key === "Escape") target.blur();
      return;
    }
    // One decision at a time: ignore keys while a request is in flight.
    if (document.querySelector("#pair .htmx-request, #pair.htmx-request") && event.key !== "?") return;
    var action = keys[event.key];
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-help]")) help();
  });
})();
