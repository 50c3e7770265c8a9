// Ask before a form changes something (claim, start, release, verify, cancel...): forms carry
// the question in data-confirm. Without JavaScript the form simply submits.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
