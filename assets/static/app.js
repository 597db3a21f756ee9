// ecoz: small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  // Confirm destructive actions.
  document.addEventListener("submit", function (e) {
    var b = e.target.querySelector(".btn-cancel");
    if (b && !window.confirm("Отменить заявку?")) { e.preventDefault(); }
  });
  // The ticket page's print button (no inline scripts under our CSP).
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
  });
  // Ctrl+Enter in a text area saves its form: intake works from the keyboard alone.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.form) {
      e.preventDefault();
      if (e.target.form.requestSubmit) { e.target.form.requestSubmit(); } else { e.target.form.submit(); }
    }
  });
  // Enter in a search field of the intake moves on to the choice it found rather
  // than saving half a form; Enter elsewhere saves as usual.
  document.addEventListener("keydown", function (e) {
    var next = e.target.getAttribute && e.target.getAttribute("data-next");
    if (e.key !== "Enter" || e.ctrlKey || e.metaKey || !next) { return; }
    var to = document.querySelector(next);
    if (to) { e.preventDefault(); to.focus(); }
  });
  // New address or work-type choices: look for possible duplicates again.
  document.addEventListener("htmx:afterSwap", function (e) {
    var id = e.detail && e.detail.target && e.detail.target.id;
    if ((id === "buildings" || id === "worktypes" || id === "caller") && window.htmx) { window.htmx.trigger(document.body, "pick"); }
  });
  // Every htmx request carries the CSRF token of the page.
  document.addEventListener("htmx:configRequest", function (e) {
    var t = document.querySelector("input[name=csrf]");
    if (t) { e.detail.headers["X-CSRF-Token"] = t.value; }
  });
})();
