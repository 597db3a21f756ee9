// ecoz: small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  // Confirm destructive actions.
  document.addEventListener("submit", function (e) {
    var b = e.target.querySelector(".btn-cancel");
    if (b && !window.confirm("Отменить заявку?")) { e.preventDefault(); }
  });
})();
