"""Benchmark of email delivery: notices queued, then delivered to a local SMTP server.

Run: .venv/bin/python bench/mail_bench.py [--messages 1000] [--senders 1,2]
     [--database-url postgresql://...]   (PostgreSQL: the schema of that database is REPLACED)

Builds a scratch SQLite database in a temporary folder (or uses the given PostgreSQL database,
dropping its public schema first), migrates it, adds 50 partner members, then:
- queues `--messages` notices through `notifications.notices.queue_notice` (text and HTML from
  the templates, a signed unsubscribe link each), in one unit of work, and times it;
- for each sender count, delivers them with `deliver_due_emails` — that many processes, each
  its own app, session and SMTP connection, as worker processes would — to an aiosmtpd server
  on 127.0.0.1 in a process of its own that only counts what arrives, and prints messages per
  second (from the senders' start to the last one's end, process start-up included).
Each sender count delivers a fresh copy of the queue (the sent rows are deleted first).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class CountingSink:
    """An aiosmtpd handler that counts accepted messages (in shared memory) and keeps nothing."""

    def __init__(self, counter) -> None:
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 2.0.0 OK"


def _serve(port: int, counter, ready, stop) -> None:
    """The SMTP server's own process, as a real server would be (no GIL shared with senders)."""
    from aiosmtpd.controller import Controller

    controller = Controller(CountingSink(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    from commonground.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _members(count: int) -> list[int]:
    from accounts.actor import SYSTEM
    from accounts.services import create_user
    from partners.services import change_partner_status, register_partner
    from seeds.demo import ensure_taxonomy

    ensure_taxonomy()

    partner = register_partner(
        SYSTEM,
        {
            "name": "Bench Cleaners",
            "sector": "nonprofit",
            "base_latitude": 30.45,
            "base_longitude": -91.18,
            "service_radius_km": 5.0,
            "capabilities": [{"capability": "litter_cleanup", "tasks_per_week": 3}],
        },
    )
    change_partner_status(SYSTEM, partner.id, "verify")
    return [
        create_user(
            SYSTEM,
            email=f"member{n}@bench.example",
            name=f"Member {n}",
            role="partner",
            password=secrets.token_urlsafe(16),
            partner_id=partner.id,
        ).id
        for n in range(count)
    ]


def _queue(user_ids: list[int], messages: int) -> float:
    from accounts.models import User
    from commonground.db_types import utcnow
    from commonground.extensions import db
    from commonground.transaction import unit_of_work
    from notifications.notices import queue_notice, when

    users = [db.session.get(User, uid) for uid in user_ids]
    context = {
        "title": "Litter behind the library",
        "reason": "Stale: not started within 7 days of the claim.",
        "automatic": True,
        "released_at": when(utcnow()),
        "need_url": "https://city.example/needs/1",
        "tasks_url": "https://city.example/tasks/",
    }
    started = time.perf_counter()
    with unit_of_work():
        for n in range(messages):
            queue_notice(users[n % len(users)], "claim_released", "claim_released",
                         "Your claim was released", context)  # fmt: skip
    return time.perf_counter() - started


def _send_in_process(config: dict, results) -> None:
    """One sender process: its own app, session and SMTP connection, one delivery pass."""
    from commonground.app import create_app
    from notifications.delivery import deliver_due_emails

    with create_app(config).app_context():
        cpu = time.process_time()
        sent = deliver_due_emails()
        results.put((sent, time.process_time() - cpu))


def _deliver(config: dict, senders: int) -> tuple[float, int, float]:
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_send_in_process, args=(config, results))
        for _ in range(senders)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    sent = sum(n for n, _ in outcomes)
    return time.perf_counter() - started, sent, sum(cpu for _, cpu in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", default="1,2", help="sender processes, comma-separated")
    parser.add_argument("--database-url", default="", help="PostgreSQL (its schema is replaced)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mail-bench-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        if args.database_url:
            _fresh_postgres(url)
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade
        from sqlalchemy import delete, update

        from accounts.models import OutboxEmail
        from commonground.app import create_app
        from commonground.extensions import db
        from commonground.transaction import unit_of_work

        port = _free_port()
        counter, ready, stop = (
            multiprocessing.Value("i", 0),
            multiprocessing.Event(),
            (multiprocessing.Event()),
        )
        server = multiprocessing.Process(target=_serve, args=(port, counter, ready, stop))
        server.start()
        ready.wait(10)
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
        app = create_app(config)
        try:
            with app.app_context():
                upgrade()
                user_ids = _members(50)
                print(f"database: {db.engine.dialect.name}; {args.messages} messages")
                queue_s = _queue(user_ids, args.messages)
                print(
                    f"queued (rendered text + HTML, signed link, inserted): {queue_s:.2f} s, "
                    f"{args.messages / queue_s:,.0f} messages/s"
                )
                for senders in (int(s) for s in args.senders.split(",")):
                    with unit_of_work():  # the same messages again, as never sent
                        db.session.execute(
                            update(OutboxEmail).values(
                                status="queued", attempts=0, sent_at=None, lease_until=None
                            )
                        )
                    db.session.remove()  # the senders are other processes: no shared pool
                    db.engine.dispose()
                    before = counter.value
                    seconds, sent, cpu = _deliver(config, senders)
                    arrived = counter.value - before
                    print(
                        f"{senders} sender(s): {sent} sent, {arrived} arrived in {seconds:.2f} s: "
                        f"{arrived / seconds:,.0f} messages/s; sender CPU "
                        f"{1000 * cpu / max(sent, 1):.1f} ms a message"
                    )
                with unit_of_work():
                    db.session.execute(delete(OutboxEmail))
        finally:
            stop.set()
            server.join()


if __name__ == "__main__":
    main()
