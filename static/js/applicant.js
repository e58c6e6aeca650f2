// Application form: autosave while typing (debounced), Regierungsbezirk from the district,
// nominator fields only for nominations, file size check before upload.
// Progressive enhancement only: the form works fully without this file. The texts it shows
// come from data attributes the server translated into the page's language.
(function () {
  "use strict";
  var DELAY = 1500;

  function csrfToken(form) {
    var input = form.querySelector("input[name='csrf_token']");
    return input ? input.value : "";
  }

  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var texts = {
      saving: form.getAttribute("data-text-saving") || "",
      saved: form.getAttribute("data-text-saved") || "",
      notSaved: form.getAttribute("data-text-not-saved") || "",
      offline: form.getAttribute("data-text-offline") || ""
    };
    var status = document.getElementById("autosave-status");
    var version = form.querySelector("input[name='version']");
    var timer = null;
    var dirty = false;
    var saving = null;

    function show(text) { if (status) { status.textContent = text; } }

    function save() {
      timer = null;
      if (!dirty) { return Promise.resolve(); }
      dirty = false;
      var data = new FormData(form);
      data.delete("files");
      data.delete("action");
      show(texts.saving);
      saving = fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          if (version) { version.value = result.body.version; }
          show(result.body.message || texts.saved.replace("{time}", result.body.saved_at));
        } else {
          show(result.body.message || texts.notSaved);
        }
      }).catch(function () {
        dirty = true;
        show(texts.offline);
      });
      return saving;
    }

    function schedule() {
      dirty = true;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY);
    }

    form.addEventListener("input", function (event) {
      if (event.target.type !== "file") { schedule(); }
    });
    form.addEventListener("change", function (event) {
      if (event.target.type !== "file") { schedule(); }
    });
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); timer = null; }
      dirty = false;
    });
    // Jumping to another step by the progress links saves first.
    document.querySelectorAll("[data-step-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!dirty && !timer) { return; }
        event.preventDefault();
        if (timer) { clearTimeout(timer); timer = null; }
        save().then(function () { window.location.href = link.href; });
      });
    });
  }

  function setupRegion() {
    var select = document.getElementById("district_id");
    var output = document.querySelector("[data-region-output]");
    if (!select || !output) { return; }
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var region = option ? option.getAttribute("data-region") : null;
      output.textContent = region || output.getAttribute("data-region-empty") || "";
    });
  }

  function setupNominator() {
    var box = document.getElementById("nominator-fields");
    var radios = document.querySelectorAll("input[name='kind']");
    if (!box || !radios.length) { return; }
    function update() {
      var nomination = document.querySelector("input[name='kind'][value='nomination']");
      box.hidden = !(nomination && nomination.checked);
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function setupFileCheck() {
    var input = document.querySelector("input[type='file'][data-max-file-bytes]");
    if (!input) { return; }
    var max = parseInt(input.getAttribute("data-max-file-bytes"), 10);
    var text = input.getAttribute("data-text-too-big") || "{files}";
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
      var names = tooBig.map(function (f) { return f.name; }).join(", ");
      // A function, so that "$" in a file name is not read as a replacement pattern.
      input.setCustomValidity(tooBig.length ? text.replace("{files}", function () {
        return names; }) : "");
      if (tooBig.length) { input.reportValidity(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("application-form");
    if (form && form.getAttribute("data-autosave-url")) { setupAutosave(form); }
    setupRegion();
    setupNominator();
    setupFileCheck();
  });
})();
