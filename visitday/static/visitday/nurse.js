// The nurse's session page reloads itself every few seconds so that patients checking in appear,
// unless the nurse is in the middle of something (a button focused, the close section open).
(function () {
  "use strict";
  var root = document.getElementById("nurse-session");
  if (!root) { return; }
  var seconds = parseInt(root.getAttribute("data-refresh-seconds"), 10) || 15;
  function busy() {
    var active = document.activeElement;
    var details = root.querySelector("details[open]");
    return details !== null || (active && active !== document.body && active.tagName !== "HTML");
  }
  window.setInterval(function () {
    if (!busy() && document.visibilityState === "visible") { window.location.reload(); }
  }, seconds * 1000);
}());
