"""Running a script against a fresh app in a process of its own, for what one process cannot
test twice (Flask-Limiter keeps its storage on the one limiter object): the script gets the
app settings as JSON in argv[1] (and what else the test gives it as JSON in argv[2]) and prints
its outcome as JSON on its last line."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from flask import Flask

from commonground.config import ROOT


def run_in_own_process(
    script: str,
    app: Flask,
    *,
    env: dict[str, str] | None = None,
    given: Any = None,
    **settings: Any,
) -> dict[str, Any]:
    """Run `script` with the suite's database and test settings plus `settings` (and `env` as
    the process environment, `given` as argv[2], when given); its outcome."""
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key-not-for-production",
        **settings,
        "WTF_CSRF_ENABLED": False,
    }
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(settings), json.dumps(given)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
        env=env,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
