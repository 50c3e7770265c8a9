"""Monitoring (issue 14, item 8): request metrics at /metrics for the scraper only, a request id
in the header, the error body and the log lines, and a security log that does not write a line
per API request."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import timedelta

from accounts.security_log import LOGGER_NAME, TokenUseSampler
from commonground.db_types import utcnow
from commonground.monitoring import JsonFormatter, RequestIdFilter
from tests.security.own_process import run_in_own_process

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


def _count(client, method: str, endpoint: str, status: int) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    labels = f'endpoint="{endpoint}",method="{method}",status="{status}"'
    found = re.search(
        rf"^commonground_http_requests_total\{{{re.escape(labels)}\}} (\S+)$", text, re.M
    )
    return float(found.group(1)) if found else 0.0


def test_a_request_is_counted_under_its_url_rule_not_its_path(client, make, api):
    before = _count(client, "GET", "/healthz", 200)
    client.get("/healthz")
    assert _count(client, "GET", "/healthz", 200) == before + 1
    person = make.user("viewer")
    api(person.token).get("/api/v1/needs/987654")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="/api/v1/needs/<id:need_id>",method="GET",status="404"' in text
    assert "/api/v1/needs/987654" not in text
    client.get("/no/such/page/31337")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="<unmatched>"' in text
    # The path must not become a label. Look for the path, not its number alone: a gauge such
    # as resident memory can print "31337" among its digits (it did once in CI).
    assert "/no/such/page" not in text
    assert "commonground_http_request_duration_seconds_bucket{" in text
    assert "process_cpu_seconds_total" in text


def test_metrics_are_refused_to_other_hosts_and_to_requests_relayed_by_a_proxy(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base=REMOTE).status_code == 403
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"})
    assert relayed.status_code == 403


def test_with_a_metrics_token_only_that_bearer_token_is_let_in(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-me-0123456789")
    assert client.get("/metrics").status_code == 401  # loopback is not enough any more
    wrong = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    right = client.get(
        "/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"}, environ_base=REMOTE
    )
    assert right.status_code == 200
    assert right.headers["Content-Type"].startswith("text/plain; version=")


def test_the_request_id_round_trips_and_reaches_the_body_and_the_security_log(client, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    response = client.get("/api/v1/me", headers={"X-Request-ID": "lb-7f3a.92_x"})
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == "lb-7f3a.92_x"
    assert response.json["request_id"] == "lb-7f3a.92_x"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER_NAME]
    assert any(line.get("request_id") == "lb-7f3a.92_x" for line in lines)


def test_an_unsafe_or_missing_request_id_is_replaced_by_a_fresh_one(client):
    for offered in ("bad id\u00e9", "x" * 65, "<script>", ""):
        given = client.get("/healthz", headers={"X-Request-ID": offered}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", given)
    first, second = (client.get("/healthz").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_every_app_log_line_is_json_with_the_request_id(app):
    with app.test_request_context("/x", headers={"X-Request-ID": "req-42"}):
        record = logging.getLogger("commonground.outages").makeRecord(
            "commonground.outages", logging.WARNING, __file__, 1, "database %s", ("down",), None
        )
        RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "commonground.outages",
        "database down",
    )
    assert any(isinstance(h.formatter, JsonFormatter) for h in app.logger.handlers)


def test_a_flood_of_token_requests_writes_one_token_use_line(make, api, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    person = make.user("viewer")
    client = api(person.token)
    for _ in range(100):
        assert client.get("/api/v1/me").status_code == 200
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER_NAME]
    uses = [line for line in lines if line["event"] == "token_use"]
    assert len(uses) == 1
    assert uses[0]["outcome"] == "success" and uses[0]["user_id"] == person.id
    refused = [api("cg_nope").get("/api/v1/me").status_code for _ in range(3)]
    assert refused == [401] * 3
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER_NAME]
    failures = [
        line for line in lines if line["event"] == "token_use" and line["outcome"] != "success"
    ]
    assert len(failures) == 3  # a refused token is still one line each


def test_the_sampler_logs_again_after_the_window_with_the_count_it_skipped():
    sampler, window, now = TokenUseSampler(), timedelta(minutes=15), utcnow()
    assert sampler.admit("a", now, window) == 0
    assert [sampler.admit("a", now + timedelta(minutes=m), window) for m in range(1, 15)] == [
        None
    ] * 14
    assert sampler.admit("b", now, window) == 0  # another token has its own line
    assert sampler.admit("a", now + timedelta(minutes=15), window) == 14
    assert sampler.admit("c", now, timedelta(0)) == 0
    assert sampler.admit("c", now, timedelta(0)) == 0  # a zero window logs every use


SCRIPT = """
import json, sys
from commonground.app import create_app
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
for _ in range(3):
    client.get("/healthz")
print(json.dumps({"text": client.get("/metrics").get_data(as_text=True)}))
"""


def test_with_a_multiprocess_directory_the_counters_live_in_files(app, tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two "workers": the scrape reports the sum of both
        outcome = run_in_own_process(SCRIPT, app, env=env)
    text = outcome["text"]
    labels = 'endpoint="/healthz",method="GET",status="200"'
    assert f"commonground_http_requests_total{{{labels}}} 6.0" in text
    assert list(tmp_path.iterdir())
