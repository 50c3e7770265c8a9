"""Command-line jobs: `flask setup-city` (a real city without the demo), `flask seed`,
`flask release-stale`, `flask plan`, `flask briefings`, `flask create-user`, the intake commands
(`flask import-needs`, `flask geocode-pending`: intake/cli.py) and `flask import-open311`
(open311/cli.py), `flask send-mail` / `flask send-notices` (notifications/cli.py), and
`flask worker`, `flask schedule`, `flask jobs` (jobs/cli.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from accounts.actor import SYSTEM
from intake.cli import INTAKE_COMMANDS
from jobs.cli import JOB_COMMANDS
from notifications.cli import NOTIFICATION_COMMANDS
from open311.cli import OPEN311_COMMANDS


@click.command("seed")
@with_appcontext
@click.option("--reset", is_flag=True, help="Delete all data first and load again.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (the demo's times are relative to it).",
)
def seed(reset: bool, today: datetime | None) -> None:
    """Load the demo city (idempotent, deterministic). Refused in production: the demo
    accounts have published passwords."""
    from seeds.demo import load_demo_city

    if current_app.config["ENV"] == "production":
        raise click.ClickException(
            "flask seed loads demo accounts with published passwords: refused when "
            "COMMONGROUND_ENV=production."
        )

    result = load_demo_city(reset=reset, today=(today.date() if today else date.today()))
    if not result.loaded:
        click.echo("The demo city is already loaded (use --reset to start over).")
        return
    click.echo(
        f"Loaded {result.partners} partners and {result.needs} needs "
        f"in {len(result.neighbourhoods)} neighbourhoods."
    )
    click.echo("Demo users (development only):")
    for email, role, password in result.users:
        click.echo(f"  {role:12} {email:32} {password}")


@click.command("release-stale")
@with_appcontext
@click.option(
    "--now",
    type=click.DateTime(),
    default=None,
    help="Evaluate staleness at this UTC time instead of now.",
)
def release_stale(now: datetime | None) -> None:
    """Release claims not started or not completed in time."""
    from needs.services import release_stale_claims

    moment = now.replace(tzinfo=UTC) if now else None
    released = release_stale_claims(SYSTEM, now=moment)
    click.echo(f"Released {len(released)} stale claim(s).")


@click.command("plan")
@with_appcontext
@click.option(
    "--k", type=int, default=None, help="Partners per need in the starting network (default 8)."
)
def plan(k: int | None) -> None:
    """Compute and store the optimal city plan, and print its summary."""
    from planning.services import run_city_plan

    with click.progressbar(length=100, label="Planning") as bar:
        done = [0]

        def progress(_stage: str, fraction: float) -> None:
            bar.update(int(fraction * 100) - done[0])
            done[0] = int(fraction * 100)

        result = run_city_plan(SYSTEM, k=k, progress=progress)
    summary = result.summary
    click.echo(
        f"Plan {result.id}: {summary['assigned']} of {summary['open_needs']} open "
        f"needs assigned to {summary['active_partners']} active partners; "
        f"{summary['unassigned']} unassigned; objective {result.objective:.2f}."
    )
    click.echo(
        f"Candidates {summary['candidate_pairs']} pairs, {summary['edges_kept']} kept; "
        f"candidate search {summary['candidate_seconds']:.3f} s, "
        f"solve {summary['solve_seconds']:.3f} s, pricing {summary['pricing_seconds']:.3f} s."
    )
    click.echo(plan_proof_line(summary))
    churn = summary.get("churn")
    if churn:
        click.echo(
            f"Against plan {summary['baseline_plan_id']}: {churn['kept']} of "
            f"{churn['baseline']} kept, {churn['moved']} moved, {churn['dropped']} dropped, "
            f"{churn['added']} added."
        )


def plan_proof_line(summary: dict) -> str:
    """One line saying whether a stored plan is proven optimal, and how it was checked."""
    if summary.get("certified"):
        return (
            f"Proven optimal over every feasible pairing: {summary['pairs_priced']} priced in "
            f"{summary['rounds']} rounds, nothing could improve it."
        )
    return (
        f"NOT proven optimal (time budget reached after {summary['rounds']} rounds): "
        f"may be short by up to {summary['gap']:.2f} score points."
    )


@click.command("briefings")
@with_appcontext
@click.option("--all-active", is_flag=True, help="A briefing for every active partner.")
@click.option(
    "--partner", "partner_ids", type=int, multiple=True, help="A partner id (repeatable)."
)
def briefings(all_active: bool, partner_ids: tuple[int, ...]) -> None:
    """Generate and store partner briefings; a failure is reported and the batch goes on."""
    from briefings.services import active_partner_ids, run_batch

    if not all_active and not partner_ids:
        raise click.UsageError("Give --all-active or at least one --partner ID.")
    ids = active_partner_ids(SYSTEM) if all_active else []
    ids += [i for i in partner_ids if i not in ids]
    with click.progressbar(length=len(ids), label="Briefings") as bar:
        result = run_batch(SYSTEM, ids, progress=lambda _done, _total: bar.update(1))
    for failure in result.failures:
        click.echo(f"FAILED partner {failure['partner_id']}: {failure['error']}", err=True)
    click.echo(
        f"Generated {len(result.generated)} of {result.total} briefing(s); "
        f"{len(result.failures)} failed."
    )
    if result.failures:
        raise SystemExit(1)


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "coordinator", "outreach", "partner", "viewer"]),
)
@click.option("--partner-id", type=int, default=None)
@click.password_option()
def create_user_command(
    email: str, name: str, role: str, partner_id: int | None, password: str
) -> None:
    """Create a user account."""
    from accounts.services import create_user

    user = create_user(
        SYSTEM, email=email, name=name, role=role, password=password, partner_id=partner_id
    )
    click.echo(f"Created user {user.id} <{user.email}> ({user.role}).")


@click.command("outbox")
@with_appcontext
@click.option("--to", "to_address", default=None, help="Only emails to this address.")
@click.option("--limit", default=5, show_default=True)
def outbox(to_address: str | None, limit: int) -> None:
    """Show the newest outgoing emails and their delivery state (development: reset and
    invitation links, notices)."""
    from accounts.outbox import latest_emails

    for email in latest_emails(to_address, limit=limit):
        state = email.status + (f", {email.attempts} attempt(s)" if email.attempts else "")
        click.echo(f"--- {email.created_at:%Y-%m-%d %H:%M} to {email.to_address} [{state}]")
        click.echo(f"Subject: {email.subject}\n\n{email.body}\n")


def _centre(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError as error:
        raise click.BadParameter("write LAT,LON (e.g. 42.3601,-71.0589)") from error
    return lat, lon


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        south, west, north, east = (float(part) for part in text.split(","))
    except ValueError as error:
        raise click.BadParameter("write SOUTH,WEST,NORTH,EAST") from error
    return south, west, north, east


@click.command("setup-city")
@with_appcontext
@click.option("--name", required=True, help="The city's name, shown on every page.")
@click.option("--timezone", required=True, help="e.g. America/New_York")
@click.option("--map-center", required=True, metavar="LAT,LON", help="Where maps start.")
@click.option("--map-zoom", type=int, default=12, show_default=True)
@click.option("--distance-units", type=click.Choice(["mi", "km"]), default="mi", show_default=True)
@click.option(
    "--bounds",
    default=None,
    metavar="S,W,N,E",
    help="Open311 refuses points outside (default: around the neighbourhoods).",
)
@click.option("--admin-email", required=True, help="The first admin account.")
@click.option("--admin-name", default="City administrator", show_default=True)
@click.option("--admin-password", default=None, help="Default: generated and printed once.")
@click.option(
    "--taxonomy",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="Capability taxonomy TOML (default: seeds/taxonomy.toml).",
)
@click.option(
    "--neighbourhoods",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="CSV of name, latitude, longitude.",
)
def setup_city_command(
    name: str,
    timezone: str,
    map_center: str,
    map_zoom: int,
    distance_units: str,
    bounds: str | None,
    admin_email: str,
    admin_name: str,
    admin_password: str | None,
    taxonomy: str | None,
    neighbourhoods: str | None,
) -> None:
    """Set up a real city without the demo: taxonomy, first admin, the city's settings."""
    from commonground.errors import DomainError
    from seeds.city import CitySettings, setup_city
    from seeds.taxonomy import TAXONOMY_PATH

    settings = CitySettings(
        name=name,
        timezone=timezone,
        map_center=_centre(map_center),
        map_zoom=map_zoom,
        distance_units=distance_units,
        bounds=_bounds(bounds),
    )
    try:
        result = setup_city(
            settings,
            admin_email=admin_email,
            admin_name=admin_name,
            admin_password=admin_password,
            taxonomy=taxonomy or TAXONOMY_PATH,
            neighbourhoods=neighbourhoods,
        )
    except DomainError as error:
        raise click.ClickException(f"{error.message} {getattr(error, 'errors', '')}") from error
    click.echo(f"Capabilities added: {len(result.capabilities_added)}; "
               f"neighbourhoods added: {result.neighbourhoods_added}.")  # fmt: skip
    if result.admin_created:
        click.echo(f"Admin {admin_email} created.")
        if result.admin_password:
            click.echo(f"  password (shown once): {result.admin_password}")
    else:
        click.echo(f"Admin {admin_email} already exists.")
    click.echo(f"City settings written to {result.settings_path} (read when the app starts).")


COMMANDS = [
    seed,
    release_stale,
    plan,
    briefings,
    create_user_command,
    outbox,
    setup_city_command,
    *INTAKE_COMMANDS,
    *OPEN311_COMMANDS,
    *NOTIFICATION_COMMANDS,
    *JOB_COMMANDS,
]


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `flask`."""
    for command in COMMANDS:
        app.cli.add_command(command)
