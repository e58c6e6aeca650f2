// Progressive enhancement only: every page works without this file.
// Texts shown to people come from the page (data attributes the server translated), numbers
// are formatted in the page's language (<html lang>).
(function () {
  "use strict";
  function number(n) {
    return n.toLocaleString(document.documentElement.lang || undefined);
  }
  function updateCounter(field, counter, text) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var left = max - field.value.length;
    counter.textContent = text.replace("{left}", number(left)).replace("{max}", number(max));
    counter.setAttribute("data-over", left < 0 ? "true" : "false");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-counter-for"));
      var text = counter.getAttribute("data-counter-text");
      if (!field || !field.getAttribute("maxlength") || !text) { return; }
      counter.setAttribute("aria-live", "polite");
      updateCounter(field, counter, text);
      field.addEventListener("input", function () { updateCounter(field, counter, text); });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
