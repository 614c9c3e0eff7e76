/* Guarantor step of the booking wizard: show only what the chosen guarantor needs.
   Without this script every field is shown and the server ignores the rest. */
(function () {
  "use strict";
  var form = document.getElementById("guarantor-form");
  var metaElement = document.getElementById("guarantor-meta");
  if (!form || !metaElement) { return; }
  var meta = JSON.parse(metaElement.textContent);
  var card = document.getElementById("id_card_number");
  var bpjsNumber = form.dataset.bpjsNumber || "";
  var cardLabel = document.querySelector("label[for=id_card_number]");
  var defaultLabel = cardLabel ? cardLabel.textContent : "";
  function toggle(id, on) { var el = document.getElementById(id); if (el) { el.hidden = !on; } }
  function update() {
    var chosen = form.querySelector("input[name=guarantor_type]:checked");
    var m = chosen ? meta[chosen.value] : null;
    toggle("div_id_card_number", m && m.card);
    toggle("div_id_referral_number", m && m.referral);
    toggle("check-referral", m && m.bpjs);
    if (m && cardLabel) { cardLabel.textContent = m.card_label || defaultLabel; }
    if (m && m.bpjs && !card.value) { card.value = bpjsNumber; }
    if (m && m.card && !m.bpjs && card.value === bpjsNumber) { card.value = ""; }
    form.querySelectorAll(".guarantor-info").forEach(function (el) {
      var mine = chosen && el.dataset.code === chosen.value;
      el.hidden = !mine;
      el.open = mine;
    });
  }
  form.addEventListener("change", function (event) { if (event.target.name === "guarantor_type") { update(); } });
  update();
})();
