// Common Ground maps: needs as clustered markers (shape = status, letters = capability), a
// draggable pin for forms, a service-area circle. Configured only through data-* attributes
// (the Content-Security-Policy forbids inline script). Works without tiles: no tile URL, no
// tile layer; a failed fetch shows a message instead of throwing.
(function () {
  "use strict";
  if (!window.L) { return; }
  // What needs the map (a pick map, its buttons and status) shows only when the map can work;
  // without it the forms still work by their address alone.
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  var SHAPES = {};  // status -> shape, from the page (web/legend.py is the one source)

  function parseJSON(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (e) { return fallback; }
  }

  function say(el, text) {
    var status = el.parentNode.querySelector(".map-status");
    if (status) { status.textContent = text; }
  }

  var ICONS = {};  // one shared icon per status and capability: no DOM work until shown

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function markerIcon(status, badge) {
    var key = status + "|" + badge;
    if (!ICONS[key]) {
      var classes = "mk mk-" + (SHAPES[status] || "circle") + " mk-" + status;
      ICONS[key] = L.divIcon({
        html: '<span class="' + escapeHTML(classes) + '">' + escapeHTML(badge || "?") + "</span>",
        className: "mk-wrap", iconSize: [28, 28], iconAnchor: [14, 14]
      });
    }
    return ICONS[key];
  }

  function pinIcon() {
    var span = document.createElement("span");
    span.className = "pin";
    span.textContent = "+";
    return L.divIcon({ html: span, className: "mk-wrap", iconSize: [30, 30], iconAnchor: [15, 28] });
  }

  // Neighbourhood outlines and names from the city's own data (data-outlines: [[name, [[lat,
  // lon], ...]], ...]): something to place a pin against where no tiles are configured.
  function drawOutlines(el, map) {
    var outlines = parseJSON(el.dataset.outlines, []);
    outlines.forEach(function (item) {
      var shape = L.polygon(item[1], {
        color: "#8c959f", weight: 1, fillColor: "#ffffff", fillOpacity: 0.5, interactive: false
      }).addTo(map);
      L.tooltip({ permanent: true, direction: "center", className: "outline-label", interactive: false })
        .setLatLng(shape.getBounds().getCenter()).setContent(escapeHTML(item[0])).addTo(map);
    });
  }

  function makeMap(el) {
    var center = parseJSON(el.dataset.center, [0, 0]);
    var map = L.map(el, { center: center, zoom: Number(el.dataset.zoom || 12), minZoom: 3, maxZoom: 19 });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    drawOutlines(el, map);
    return map;
  }

  function labelFor(el) {
    return {
      badges: parseJSON(el.dataset.badges, {}),
      labels: parseJSON(el.dataset.capabilityLabels, {}),
      statuses: parseJSON(el.dataset.statusLabels, {})
    };
  }

  function learnShapes(el) {
    var shapes = parseJSON(el.dataset.statusShapes, {});
    Object.keys(shapes).forEach(function (status) { SHAPES[status] = shapes[status]; });
  }

  function needMarker(feature, names, urlTemplate) {
    var p = feature.properties, c = feature.geometry.coordinates;
    var title = p.title + " — " + (names.statuses[p.status] || p.status) + ", " +
      (names.labels[p.capability] || p.capability);
    var marker = L.marker([c[1], c[0]], {
      icon: markerIcon(p.status, names.badges[p.capability]), title: title, alt: title,
      keyboard: true, riseOnHover: true
    });
    if (urlTemplate) {
      marker.on("click", function () {
        window.location.assign(urlTemplate + encodeURIComponent(feature.id));
      });
    }
    return marker;
  }

  function loadNeeds(el, map) {
    var names = labelFor(el);
    var started = false, pending = null;
    var cluster = L.markerClusterGroup({
      chunkedLoading: true, chunkInterval: 100, chunkDelay: 10,
      chunkProgress: function (processed, total) {
        // Clusters reach the map once every marker of our batch is processed (the group also
        // reports an empty batch of its own when it is added to the map: ignore that one).
        if (pending === null || processed !== total) { return; }
        if (!started) { started = true; window.performance.mark("first-markers"); }
        el.dataset.markers = String(pending);
        pending = null;
      }
    });
    map.addLayer(cluster);
    var controller = null, first = true, timer = null;

    function url() {
      var base = el.dataset.geojson;
      if (el.dataset.bbox !== "1") { return base; }
      var b = map.getBounds().pad(0.1);
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
        return Math.max(-180, Math.min(180, v)).toFixed(5);
      });
      box[1] = Math.max(-90, Number(box[1])).toFixed(5);
      box[3] = Math.min(90, Number(box[3])).toFixed(5);
      return base + (base.indexOf("?") >= 0 ? "&" : "?") + "bbox=" + box.join(",");
    }

    function show(data) {
      var markers = data.features.map(function (f) { return needMarker(f, names, el.dataset.needUrl); });
      cluster.clearLayers();
      pending = markers.length;
      cluster.addLayers(markers);
      var text = markers.length + " need" + (markers.length === 1 ? "" : "s") + " on the map";
      say(el, data.truncated ? text + " (the most urgent; zoom in to see the rest)." : text + ".");
      if (first && el.dataset.fit === "1" && markers.length) {
        map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 15 });
      }
      first = false;
    }

    function fetchNeeds() {
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url(), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(show).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        say(el, "The needs could not be loaded for the map; the list below still works.");
      });
    }

    if (el.dataset.bbox === "1") {
      map.on("moveend", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(fetchNeeds, 250);
      });
    }
    fetchNeeds();
  }

  function showPoint(el, map) {
    var point = parseJSON(el.dataset.point, null);
    if (!point) { return; }
    var names = labelFor(el);
    var marker = L.marker(point, {
      icon: markerIcon(el.dataset.status || "open", names.badges[el.dataset.capability]),
      title: el.dataset.pointTitle || "", alt: el.dataset.pointTitle || "", keyboard: true
    }).addTo(map);
    marker.getElement().classList.add("need-marker");
    map.setView(point, Math.max(map.getZoom(), 15));
    el.dataset.markers = "1";
  }

  function drawCircle(el, map) {
    var circle = parseJSON(el.dataset.circle, null);
    if (!circle) { return null; }
    var layer = L.circle([circle[0], circle[1]], { radius: circle[2] * 1000, weight: 2, fillOpacity: 0.08 });
    layer.addTo(map);
    if (el.dataset.fitCircle === "1") { map.fitBounds(layer.getBounds()); }
    return layer;
  }

  function pickPoint(el, map, circle) {
    var lat = document.getElementById(el.dataset.pickLat);
    var lon = document.getElementById(el.dataset.pickLon);
    if (!lat || !lon) { return; }
    var pin = null;

    function place(latlng, pan) {
      if (!pin) {
        pin = L.marker(latlng, { icon: pinIcon(), draggable: true, keyboard: true, title: "Location pin (drag to correct)", alt: "Location pin" }).addTo(map);
        pin.getElement().classList.add("pick-marker");
        pin.on("dragend", function () { write(pin.getLatLng()); });
      } else {
        pin.setLatLng(latlng);
      }
      if (circle) { circle.setLatLng(latlng); }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
      el.dataset.markers = "1";
    }
    function write(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (circle) { circle.setLatLng(latlng); }
      say(el, "Pin placed at " + lat.value + ", " + lon.value + ".");
    }
    function fromFields(pan) {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place([a, b], pan); }
    }
    map.on("click", function (event) { place(event.latlng, false); write(event.latlng); });
    lat.addEventListener("change", function () { fromFields(true); });
    lon.addEventListener("change", function () { fromFields(true); });
    fromFields(true);

    var button = document.getElementById(el.dataset.geocodeButton || "");
    var address = document.getElementById(el.dataset.geocodeAddress || "");
    if (button && address) {
      button.addEventListener("click", function () {
        var q = address.value.trim();
        if (!q) { say(el, "Type an address first."); address.focus(); return; }
        say(el, "Looking up the address…");
        fetch(el.dataset.geocodeUrl + "?q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" }, credentials: "same-origin"
        }).then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        }).then(function (result) {
          if (!result.ok) { say(el, result.body.message || "The address was not found; place the pin by hand."); return; }
          var latlng = L.latLng(result.body.latitude, result.body.longitude);
          place(latlng, true);
          write(latlng);
          say(el, "Found: " + result.body.matched_address + ". Drag the pin to correct it.");
        }).catch(function () {
          say(el, "The address could not be looked up; place the pin by hand.");
        });
      });
    }
  }

  function radiusInput(el, circle) {
    var input = document.getElementById(el.dataset.radiusInput || "");
    if (!input || !circle) { return; }
    input.addEventListener("input", function () {
      var km = parseFloat(input.value);
      if (isFinite(km) && km > 0) { circle.setRadius(km * 1000); }
    });
  }

  // On a phone the list comes first and the map waits behind its button; shown, it is
  // measured again (Leaflet sized it while hidden) and fitted to what it shows.
  function foldingPanel(el, map, refit) {
    var panel = el.closest(".map-panel");
    var button = panel && panel.querySelector(".map-toggle");
    if (!button) { return; }
    panel.classList.add("folds");
    button.setAttribute("aria-controls", el.id);
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = panel.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Hide the map" : "Show the map";
      if (open) { map.invalidateSize(); refit(); }
    });
  }

  document.querySelectorAll(".map[data-center]").forEach(function (el) {
    learnShapes(el);
    var map = makeMap(el);
    var circle = drawCircle(el, map);
    foldingPanel(el, map, function () {
      if (circle && el.dataset.fitCircle === "1") { map.fitBounds(circle.getBounds()); }
    });
    if (el.dataset.geojson) { loadNeeds(el, map); }
    if (el.dataset.point) { showPoint(el, map); }
    if (el.dataset.pickLat) { pickPoint(el, map, circle); }
    radiusInput(el, circle);
    el.dataset.ready = "1";
  });
})();
