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

  // Live countdowns of the queues' clocks (issue #10): «локализовать: 12 мин». The
  // page carries the server's time, so that a PC with a wrong clock does not lie.
  function human(ms) {
    var m = Math.round(Math.abs(ms) / 60000);
    if (m === 0 && ms !== 0) { m = 1; }
    if (m < 60) { return m + " мин"; }
    if (m % 1440 === 0) { return (m / 1440) + " сут"; }
    if (m % 60 === 0) { return (m / 60) + " ч"; }
    return Math.floor(m / 60) + " ч " + (m % 60) + " мин";
  }
  var skew = 0;
  function tickClocks() {
    var q = document.getElementById("queue");
    if (q && q.getAttribute("data-server-now") && !q.hasAttribute("data-skew")) {
      q.setAttribute("data-skew", "1");
      skew = Number(q.getAttribute("data-server-now")) * 1000 - Date.now();
    }
    var now = Date.now() + skew;
    var list = document.querySelectorAll("[data-clock-at]");
    for (var i = 0; i < list.length; i++) {
      var el = list[i], at = Number(el.getAttribute("data-clock-at")) * 1000, kind = el.getAttribute("data-clock-kind");
      var over = now >= at;
      el.textContent = kind + ": " + (over ? el.getAttribute("data-over") + " " : "") + human(at - now);
      el.classList.toggle("clock-over", over);
    }
  }
  setInterval(tickClocks, 5000);
  document.addEventListener("htmx:afterSwap", tickClocks);

  // Alerts: a new emergency, a localisation clock with ten minutes left. Shown on
  // the page, sounded, and sent as a browser notification when allowed; a lost
  // connection is said at once, and the browser reconnects by itself.
  var live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  var box = document.createElement("div");
  box.id = "alerts";
  box.setAttribute("role", "alert");
  document.body.insertBefore(box, document.body.firstChild);
  function status(ok) {
    live.textContent = ok ? live.getAttribute("data-ok") : live.getAttribute("data-lost");
    live.className = ok ? "hint live-ok" : "live-lost";
  }
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ac = beep.ac || (beep.ac = new Ctx());
      [0, 0.35, 0.7].forEach(function (t) {
        var o = ac.createOscillator(), g = ac.createGain();
        o.frequency.value = 880; o.connect(g); g.connect(ac.destination);
        g.gain.setValueAtTime(0.3, ac.currentTime + t);
        o.start(ac.currentTime + t); o.stop(ac.currentTime + t + 0.25);
      });
    } catch (e) { /* no sound without a user's gesture in some browsers: the page alert stays */ }
  }
  if (window.Notification && Notification.permission === "default") {
    var b = document.createElement("button");
    b.type = "button"; b.className = "link"; b.id = "notify-on";
    b.textContent = live.getAttribute("data-notify");
    b.addEventListener("click", function () { Notification.requestPermission(); b.remove(); beep(); });
    live.parentNode.insertBefore(b, live.nextSibling);
  }
  function show(a) {
    var d = document.createElement("div");
    d.className = "alert-item alert-" + a.kind;
    d.setAttribute("data-number", a.number);
    var l = document.createElement("a");
    l.href = a.url; l.textContent = a.text;
    var x = document.createElement("button");
    x.type = "button"; x.className = "link"; x.textContent = "×"; x.setAttribute("aria-label", "Закрыть");
    x.addEventListener("click", function () { d.remove(); });
    d.appendChild(l); d.appendChild(x);
    box.insertBefore(d, box.firstChild);
    beep();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification("ecoz", { body: a.text, tag: a.kind + a.number, requireInteraction: true }); } catch (e) { /* page alert stays */ }
    }
    if (window.htmx) { window.htmx.trigger(document.body, "ecoz:alert"); }
  }
  var es, lostTimer;
  function connect() {
    es = new EventSource(live.getAttribute("data-alerts"));
    es.addEventListener("ready", function () { clearTimeout(lostTimer); lostTimer = null; status(true); });
    es.addEventListener("alert", function (e) { try { show(JSON.parse(e.data)); } catch (err) { /* malformed: skip */ } });
    es.onerror = function () {
      // A reconnect within a second or two is not worth alarming anyone; longer is.
      if (!lostTimer) { lostTimer = setTimeout(function () { status(false); }, 2500); }
      if (es.readyState === 2) { setTimeout(connect, 2000); } // closed for good: try again ourselves
    };
  }
  connect();
  // Leaving the page closes its stream at once: a browser keeps only a few
  // connections to one server, and a stream left to linger until the server's
  // next heartbeat would hold one of them while the next page needs it.
  window.addEventListener("pagehide", function () { if (es) { es.close(); } });
})();
