// The public map (partials/map.html). The server draws it as an SVG of links, one
// per building, which works without this script. This script adds two things:
// on the resident's request form, a click on a building fills in the address
// instead of reloading the page; and, when the administrator configured a tile
// server, it lays the buildings over Leaflet's map with tiles, going back to the
// SVG when the tiles do not load (an office PC may have no internet).
(function () {
  'use strict';

  function points(box) {
    return Array.prototype.map.call(box.querySelectorAll('svg a[data-id]'), function (a) {
      return {
        id: a.getAttribute('data-id'), address: a.getAttribute('data-address'),
        lat: parseFloat(a.getAttribute('data-lat')), lon: parseFloat(a.getAttribute('data-lon')),
        open: parseInt(a.getAttribute('data-open'), 10) || 0, href: a.getAttribute('href'),
        label: a.getAttribute('aria-label'), here: a.classList.contains('here')
      };
    });
  }

  // picker returns what a click on a building does on the request form: fill in
  // the building, say so to a screen reader; null elsewhere.
  function picker(box) {
    var form = box.closest('form');
    if (!form) return null;
    var id = form.querySelector('#building_id'), addr = form.querySelector('#address');
    if (!id || !addr) return null;
    var said = document.createElement('p');
    said.className = 'map-picked';
    said.setAttribute('role', 'status');
    box.parentNode.insertBefore(said, box.nextSibling);
    return function (p) {
      id.value = p.id;
      addr.value = p.address;
      Array.prototype.forEach.call(box.querySelectorAll('.here'), function (el) { el.classList.remove('here'); });
      var a = box.querySelector('a[data-id="' + p.id + '"]');
      if (a) a.classList.add('here');
      said.textContent = 'Выбран дом: ' + p.address;
    };
  }

  function escapeText(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function tiles(box, pts, choose) {
    var url = box.getAttribute('data-map-tiles');
    if (!url || !window.L || !pts.length) return;
    var svg = box.querySelector('svg.map-svg'), note = box.querySelector('.map-note');
    var holder = document.createElement('div');
    holder.className = 'map-leaflet';
    box.insertBefore(holder, svg);
    svg.classList.add('map-off');
    var map = L.map(holder, { scrollWheelZoom: false });
    var layer = L.tileLayer(url, { attribution: escapeText(box.getAttribute('data-map-attribution') || ''), maxZoom: 19 });
    var loaded = false, failed = false;
    function fail() {
      if (loaded || failed) return;
      failed = true;
      map.remove();
      holder.parentNode.removeChild(holder);
      svg.classList.remove('map-off');
      note.hidden = false;
    }
    layer.on('tileload', function () { loaded = true; });
    layer.on('tileerror', fail);
    setTimeout(fail, 8000);
    layer.addTo(map);
    var bounds = [];
    pts.forEach(function (p) {
      var icon = L.divIcon({
        className: 'map-pin' + (p.open ? ' open' : '') + (p.here ? ' here' : ''),
        html: p.open ? String(p.open) : '', iconSize: [28, 28]
      });
      // A marker is reached with Tab; Enter (or a click) opens its popup, whose
      // link takes the focus: Enter again opens the building's page, or picks it.
      var m = L.marker([p.lat, p.lon], { icon: icon, title: p.label, alt: p.label, keyboard: true }).addTo(map);
      var link = document.createElement('a');
      link.href = p.href;
      link.textContent = choose ? 'Выбрать: ' + p.address : p.address + ' — заявки дома (в работе: ' + p.open + ')';
      if (choose) {
        link.addEventListener('click', function (e) {
          e.preventDefault();
          choose(p);
          map.closePopup();
        });
      }
      m.bindPopup(link);
      m.on('popupopen', function () { link.focus(); });
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.map[data-map-tiles]'), function (box) {
    var pts = points(box);
    var choose = picker(box);
    if (choose) {
      box.addEventListener('click', function (e) {
        var a = e.target.closest('a[data-id]');
        if (!a) return;
        e.preventDefault();
        var id = a.getAttribute('data-id');
        pts.forEach(function (p) { if (p.id === id) choose(p); });
      });
    }
    tiles(box, pts, choose);
  });
})();
