// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function updateCounter(field, counter) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var left = max - field.value.length;
    counter.textContent = "Noch " + left.toLocaleString("de-DE") + " von " + max.toLocaleString("de-DE") + " Zeichen.";
    counter.setAttribute("data-over", left < 0 ? "true" : "false");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-counter-for"));
      if (!field || !field.getAttribute("maxlength")) { return; }
      counter.setAttribute("aria-live", "polite");
      updateCounter(field, counter);
      field.addEventListener("input", function () { updateCounter(field, counter); });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
