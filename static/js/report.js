// Residents' pages, progressively: without JavaScript the report form works by address alone
// and the reports map is the server's drawing. Loaded before map.js: shows what needs script
// (the form's map and buttons, a tiled reports map) and hides what it replaces, then "use my
// location" and the open reports of the same kind nearby ("is it one of these? follow it").
(function () {
  "use strict";
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll(".js-replaced").forEach(function (el) { el.hidden = true; });

  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  var kind = document.getElementById("capability");
  var status = document.querySelector(".map-status");
  var nearby = document.getElementById("nearby");
  var list = document.getElementById("nearby-list");
  var locate = document.getElementById("locate-button");
  if (!lat || !lon || !kind) { return; }

  function say(text) { if (status) { status.textContent = text; } }

  if (locate) {
    if (!("geolocation" in navigator)) {
      locate.hidden = true;
    } else {
      locate.addEventListener("click", function () {
        say("Finding your location…");
        navigator.geolocation.getCurrentPosition(function (position) {
          lat.value = position.coords.latitude.toFixed(6);
          lon.value = position.coords.longitude.toFixed(6);
          lat.dispatchEvent(new Event("change"));
          say("Pin placed at your location. Drag it to correct it.");
        }, function () {
          say("Your location is not available; type an address or click the map.");
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
  }

  var asked = "";
  function showNearby(reports) {
    list.textContent = "";
    reports.forEach(function (r) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = r.url;
      link.textContent = "#" + r.id + " " + r.title;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + r.metres + " m away)"));
      list.appendChild(item);
    });
    nearby.hidden = reports.length === 0;
  }
  function checkNearby() {
    if (!nearby || !kind.value || !lat.value || !lon.value) { return; }
    var query = "?capability=" + encodeURIComponent(kind.value) + "&lat=" +
      encodeURIComponent(lat.value) + "&lon=" + encodeURIComponent(lon.value);
    if (query === asked) { return; }
    asked = query;
    fetch(nearby.dataset.url + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { reports: [] }; })
      .then(function (body) { showNearby(body.reports || []); })
      .catch(function () { /* the list is a help, not a step */ });
  }
  kind.addEventListener("change", checkNearby);
  var description = document.getElementById("description");
  if (description) { description.addEventListener("input", checkNearby); }
  window.setInterval(checkNearby, 1500); // the pin moves without a change event
})();
