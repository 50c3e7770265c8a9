"""Twenty partners claim the same need at the same moment: exactly one wins, every time.

Runs on whichever database the suite runs on (SQLite by default, PostgreSQL in CI).
RACE_TRIALS sets the number of trials (100 by default, as the foundation issue asks).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

from sqlalchemy import func, select

from commonground.extensions import db
from needs.models import Claim

THREADS = 20
TRIALS = int(os.environ.get("RACE_TRIALS", "100"))


def test_twenty_simultaneous_claims_have_exactly_one_winner(app, make, monkeypatch):
    # Each organisation claims once per trial: give the per-organisation claim limit room for
    # every trial, whatever the machine's speed (the limit itself is tested in tests/security).
    monkeypatch.setitem(app.config, "RATELIMIT_CLAIM", f"{TRIALS + 10} per minute")
    members = []
    for _ in range(THREADS):
        partner = make.partner(
            capabilities=[{"capability": "litter_cleanup", "tasks_per_week": TRIALS + 1}]
        )
        members.append(make.user("partner", partner=partner))
    clients = [app.test_client() for _ in range(THREADS)]
    outcomes: Counter = Counter()
    started = time.perf_counter()
    for _trial in range(TRIALS):
        need_id = make.need().id
        db.session.remove()
        barrier = threading.Barrier(THREADS)
        statuses: list[int] = []

        def claim(index: int, need_id: int = need_id, barrier=barrier, statuses=statuses):
            barrier.wait()
            response = clients[index].post(
                f"/api/v1/needs/{need_id}/claim",
                headers={"Authorization": f"Bearer {members[index].token}"},
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        trial = Counter(statuses)
        assert trial == Counter({201: 1, 409: THREADS - 1}), trial
        outcomes.update(trial)
        active = db.session.scalar(
            select(func.count(Claim.id)).where(Claim.need_id == need_id, Claim.status == "active")
        )
        assert active == 1
    elapsed = time.perf_counter() - started
    print(
        f"\nclaim race on {db.engine.dialect.name}: {TRIALS} trials x {THREADS} threads, "
        f"{outcomes[201]} winners, {outcomes[409]} refused (409), "
        f"{sum(v for k, v in outcomes.items() if k not in (201, 409))} other, {elapsed:.1f} s"
    )
