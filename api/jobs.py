"""Jobs over HTTP: where a long piece of work stands (`GET /api/v1/jobs/<id>`), the latest
jobs you may see, and starting the work that needs no upload (a city plan, a briefing batch,
geocoding what is pending). Routes that start long work answer 202 with the job and its URL
in `Location`; poll it until `status` is `succeeded` or `failed`, then follow `result_url`.

Who may start and see which job is decided by `jobs.services`. Must not import `web` or touch
the database session.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.blueprint import token_blueprint
from jobs import services
from jobs.kinds import parse_result_ref
from jobs.models import JOB_STATUSES
from jobs.schemas import JobCreateSchema, JobQuerySchema

blp = token_blueprint(
    "jobs", __name__, "Long work running off the request: status, progress, result."
)


class JobSchema(Schema):
    """A job: what it is, where it stands, and what it produced."""

    id = fields.Integer()
    kind = fields.String(
        metadata={"description": "city_plan, briefing_batch, import_file, geocode_pending, routine"}
    )
    label = fields.String()
    status = fields.String(
        validate=validate.OneOf(JOB_STATUSES),
        metadata={"description": "queued, running (again after a lost worker), succeeded, failed"},
    )
    done = fields.Integer(metadata={"description": "Steps done (partners, bytes, percent)"})
    total = fields.Integer(allow_none=True, metadata={"description": "Steps in all, if known"})
    percent = fields.Integer(allow_none=True)
    message = fields.String()
    result = fields.Dict(metadata={"description": "What the job produced, as data"})
    result_url = fields.String(
        allow_none=True, metadata={"description": "Where the result is (e.g. the plan)"}
    )
    url = fields.String(metadata={"description": "This job"})
    started_by = fields.String()
    attempts = fields.Integer(metadata={"description": "Runs so far (a lost worker's included)"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


def result_url(ref: str | None) -> str | None:
    """The API URL of a job's result reference."""
    found = parse_result_ref(ref)
    if found is None:
        return None
    kind, item = found
    if kind == "plan":
        return url_for("planning.PlanItem", plan_id=item)
    return url_for({"briefings": "briefings.Briefings", "needs": "needs.Needs"}[kind])


def job_out(job: Any) -> dict[str, Any]:
    """A job as the API shows it."""
    data = services.present_job(job)
    data["result_url"] = result_url(data["result_ref"])
    data["url"] = url_for("jobs.JobItem", job_id=data["id"])
    return data


def accepted(job: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    """202 Accepted: the job, with its URL in Location."""
    data = job_out(job)
    return data, 202, {"Location": data["url"]}


@blp.route("/")
class Jobs(MethodView):
    @blp.arguments(JobQuerySchema, location="query")
    @blp.response(200, JobSchema(many=True))
    def get(self, query):
        """The latest jobs you may see (yours, and those of the kinds you may start)."""
        jobs = services.list_jobs(current_actor(), kind=query["kind"], active=query["active"])
        return [job_out(job) for job in jobs]

    @blp.arguments(JobCreateSchema)
    @blp.response(202, JobSchema)
    @blp.errors(403)
    def post(self, data):
        """Start a city plan, a briefing batch or geocoding what is pending; poll the job."""
        kind = data.pop("kind")
        params = {key: value for key, value in data.items() if value not in (None, False)}
        return accepted(services.start_job(current_actor(), kind, params))


@blp.route("/<id:job_id>")
class JobItem(MethodView):
    @blp.response(200, JobSchema)
    @blp.errors(403, 404)
    def get(self, job_id):
        """One job: status, progress, message, result and where to find it."""
        return job_out(services.get_job(current_actor(), job_id))
