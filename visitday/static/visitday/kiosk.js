/* The kiosk: back to the start after idle time, print the ticket/slip PDF, the on-screen keypad, one tap only.
   No inline script (CSP); settings come from data- attributes on <body>. */
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-home-url");
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10) || 30;
  var returnAfter = parseInt(body.getAttribute("data-return-after"), 10) || 0;
  var onHome = window.location.pathname === home;
  var timer = null;

  function goHome() { window.location.assign(home); }
  function restart() {
    if (onHome) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(goHome, idle * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
  if (returnAfter > 0) { window.setTimeout(goHome, returnAfter * 1000); }

  // Print the PDF in the hidden frame once it has loaded (with --kiosk-printing, without a dialog).
  document.querySelectorAll("iframe[data-print-frame]").forEach(function (frame) {
    frame.addEventListener("load", function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { window.print(); }
      body.setAttribute("data-printed", "1");
    });
  });

  // One tap prints one ticket: a second tap on a slow network must not submit again.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var submitter = event.submitter;
      if (submitter && submitter.name) {
        // A disabled button sends no value: keep the clicked button's value in a hidden input.
        var copy = document.createElement("input");
        copy.type = "hidden"; copy.name = submitter.name; copy.value = submitter.value;
        form.appendChild(copy);
      }
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });

  // The keypad types into the code input; a scanner types into it directly (keep it focused).
  var pad = document.querySelector("[data-keypad-for]");
  if (pad) {
    var input = document.getElementById(pad.getAttribute("data-keypad-for"));
    input.focus();
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = key.getAttribute("data-key");
      input.value = value === "back" ? input.value.slice(0, -1) : (input.value + value).slice(0, 40);
      input.focus();
    });
  }
})();
