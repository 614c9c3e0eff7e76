/* Counter check-in: a scanner types into whatever has focus, so keep the code input focused and empty. */
(function () {
  "use strict";
  function focusCode() {
    var input = document.getElementById("checkin-code");
    if (input) { input.focus(); input.select(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", focusCode); } else { focusCode(); }
})();
