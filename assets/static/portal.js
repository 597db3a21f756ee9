// ecoz portal: address suggestions and work-type search on the filing form. The
// form works without this script (the server resolves a typed address itself).
(function () {
  "use strict";
  function debounce(fn, ms) {
    var t;
    return function () { var a = arguments; clearTimeout(t); t = setTimeout(function () { fn.apply(null, a); }, ms); };
  }
  function getJSON(url, done) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.onload = function () { if (x.status === 200) { try { done(JSON.parse(x.responseText)); } catch (e) { /* ignore */ } } };
    x.send();
  }
  var addr = document.getElementById("address");
  var list = document.getElementById("address-suggest");
  var hidden = document.getElementById("building_id");
  if (addr && list && hidden) {
    addr.addEventListener("input", debounce(function () {
      hidden.value = "";
      var q = addr.value.trim();
      if (q.length < 2) { list.hidden = true; return; }
      getJSON(addr.getAttribute("data-suggest") + "?limit=8&q=" + encodeURIComponent(q), function (items) {
        list.textContent = "";
        items.forEach(function (b) {
          var li = document.createElement("li");
          li.textContent = b.address;
          li.setAttribute("role", "option");
          li.setAttribute("data-id", b.id);
          list.appendChild(li);
        });
        list.hidden = items.length === 0;
      });
    }, 200));
    var pick = function (li) {
      addr.value = li.textContent;
      hidden.value = li.getAttribute("data-id");
      list.hidden = true;
    };
    list.addEventListener("click", function (e) {
      var li = e.target.closest("li");
      if (li) { pick(li); }
    });
    // Arrows move through the suggestions, Enter takes one (and does not submit).
    addr.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      var items = list.querySelectorAll("li");
      var cur = list.querySelector("li[aria-selected=true]");
      var i = Array.prototype.indexOf.call(items, cur);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (cur) { cur.removeAttribute("aria-selected"); }
        i = e.key === "ArrowDown" ? Math.min(i + 1, items.length - 1) : Math.max(i - 1, 0);
        items[i].setAttribute("aria-selected", "true");
      } else if (e.key === "Enter" && cur) {
        e.preventDefault();
        pick(cur);
      } else if (e.key === "Escape") {
        list.hidden = true;
      }
    });
  }
  var wq = document.getElementById("wt-search");
  var sel = document.getElementById("work_type");
  if (wq && sel) {
    var all = Array.prototype.slice.call(sel.querySelectorAll("option[value]")).filter(function (o) { return o.value; });
    wq.addEventListener("input", debounce(function () {
      var q = wq.value.trim();
      if (!q) { all.forEach(function (o) { o.hidden = false; }); return; }
      getJSON(wq.getAttribute("data-worktypes") + "?q=" + encodeURIComponent(q), function (items) {
        var rank = {};
        items.forEach(function (w, i) { rank[w.code] = i; });
        all.forEach(function (o) { o.hidden = !(o.value in rank); });
        if (items.length && !(sel.value in rank)) { sel.value = items[0].code; sel.dispatchEvent(new Event("change")); }
      });
    }, 200));
  }
  // A gas smell is not filed online: picking it (or typing words that find it)
  // says at once, in large type, to call 104 now.
  var stop = document.getElementById("handoff-stop");
  if (sel && stop) {
    var check = function () {
      var o = sel.options[sel.selectedIndex];
      var msg = o && o.getAttribute("data-handoff");
      stop.hidden = !msg;
      if (msg) { stop.textContent = msg; }
    };
    sel.addEventListener("change", check);
  }
})();
