// The briefing batch page: run the batch a few partners at a time and move the progress bar.
// Without JavaScript the form posts the whole batch in one request instead.
(function () {
  "use strict";
  var form = document.getElementById("batch-form");
  if (!form || !window.fetch) { return; }
  var bar = document.getElementById("batch-progress");
  var status = document.getElementById("batch-status");
  var failures = document.getElementById("batch-failures");
  var generated = document.getElementById("batch-generated");
  var token = form.querySelector("input[name=csrf_token]").value;

  function item(list, text, href) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      li.appendChild(a);
    } else {
      li.textContent = text;
    }
    list.appendChild(li);
  }

  function step(offset, counts) {
    var body = new FormData();
    body.append("csrf_token", token);
    body.append("offset", String(offset));
    return fetch(form.dataset.stepUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("The server answered " + response.status); }
      return response.json();
    }).then(function (data) {
      data.generated.forEach(function (g) {
        counts.ok += 1;
        item(generated, g.subject, "/briefings/" + g.briefing_id);
      });
      data.failures.forEach(function (f) {
        counts.failed += 1;
        item(failures, "Partner " + f.partner_id + ": " + f.error);
      });
      bar.max = Math.max(1, data.total);
      bar.value = data.done;
      status.textContent = data.done + " of " + data.total + " done (" + counts.failed + " failed).";
      if (data.next_offset !== null) { return step(data.next_offset, counts); }
      status.textContent = "Done: " + counts.ok + " generated, " + counts.failed + " failed.";
      return null;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    form.querySelector("button").disabled = true;
    failures.textContent = "";
    generated.textContent = "";
    step(0, { ok: 0, failed: 0 }).catch(function (error) {
      status.textContent = "Stopped: " + error.message;
    });
  });
}());
