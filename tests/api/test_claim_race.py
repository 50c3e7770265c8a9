"""Twenty partners claim the same need at the same moment: exactly one wins, every time. And
one partner with two slots a week claims ten needs at the same moment: exactly two win, every
time (counting the week's claims and inserting one must not race: docs/field-notes.md, trap 13).

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


CAPACITY = 2
CLAIMERS = 10


def _claim_all_at_once(clients, token: str, need_ids: list[int]) -> Counter:
    """Post every claim from its own thread, released together; the statuses counted."""
    barrier = threading.Barrier(len(need_ids))
    statuses: list[int] = []

    def claim(index: int) -> None:
        barrier.wait()
        response = clients[index].post(
            f"/api/v1/needs/{need_ids[index]}/claim",
            headers={"Authorization": f"Bearer {token}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(need_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(statuses)


def test_simultaneous_claims_never_exceed_the_weekly_capacity(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_CLAIM", f"{CLAIMERS * TRIALS + 10} per minute")
    clients = [app.test_client() for _ in range(CLAIMERS)]
    outcomes: Counter = Counter()
    started = time.perf_counter()
    for _trial in range(TRIALS):
        partner = make.partner(
            capabilities=[{"capability": "litter_cleanup", "tasks_per_week": CAPACITY}]
        )
        partner_id, member = partner.id, make.user("partner", partner=partner)
        need_ids = [make.need().id for _ in range(CLAIMERS)]
        db.session.remove()
        trial = _claim_all_at_once(clients, member.token, need_ids)
        assert trial == Counter({201: CAPACITY, 409: CLAIMERS - CAPACITY}), trial
        outcomes.update(trial)
        taken = db.session.scalar(
            select(func.count(Claim.id)).where(Claim.partner_id == partner_id)
        )
        assert taken == CAPACITY
    elapsed = time.perf_counter() - started
    print(
        f"\ncapacity race on {db.engine.dialect.name}: {TRIALS} trials x {CLAIMERS} threads, "
        f"capacity {CAPACITY}: {outcomes[201]} accepted, {outcomes[409]} refused (409), "
        f"{sum(v for k, v in outcomes.items() if k not in (201, 409))} other, {elapsed:.1f} s"
    )
