"""The matching engine over HTTP: city plans and their offers, coverage gaps, partnerships and
recruitment targets; and the output schemas of suggestions, which the need and partner
blueprints serve under their own paths.

Input schemas come from `planning.schemas`. Must not import `web` or touch the database
session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.blueprint import token_blueprint
from api.jobs import JobSchema, accepted
from jobs.services import start_job
from needs.schemas import NoteSchema
from planning import services
from planning.schemas import LimitSchema, PlanCreateSchema, RecruitmentQuerySchema

blp = token_blueprint(
    "planning",
    __name__,
    "The city plan and its offers, coverage gaps, partnerships, recruitment.",
    path="",
)

SCORE = (
    "Match score: priority (up to 30 points with the default weights), waiting time (20), "
    "nearness to the partner's base (30) and track record (20), so 0 to 100 unless "
    "MATCHING_WEIGHTS changes the weights. Compare it within one list only."
)


class PairSchema(Schema):
    """A feasible (need, partner) pair with its score and the reasons behind it."""

    need_id = fields.Integer()
    need_title = fields.String(allow_none=True)
    capability = fields.String(allow_none=True)
    neighbourhood = fields.String(allow_none=True)
    partner_id = fields.Integer()
    partner_name = fields.String(allow_none=True)
    score = fields.Float(metadata={"description": SCORE})
    distance_km = fields.Float(metadata={"description": "Distance from the partner's base, km."})
    reasons = fields.List(fields.String())


class SuggestionReasonSchema(Schema):
    """One reason as data, with its text for the reader of this list."""

    kind = fields.String(
        metadata={
            "description": "distance, area, capability, slots, open, overdue, priority, "
            "track_record, no_track_record, kept; tie_break; not_chosen"
        }
    )
    tone = fields.String(
        validate=validate.OneOf(["positive", "neutral", "negative"]),
        metadata={
            "description": "positive: a real reason for the match (pages tick it); neutral: "
            "a fact; negative: counts against it"
        },
    )
    text = fields.String(
        metadata={"description": "In the reader's words and the city's DISTANCE_UNITS"}
    )
    values = fields.Dict(
        metadata={
            "description": 'The figures behind the text, e.g. {"left": 3, "per_week": 5}; '
            "distances in km"
        }
    )


class SuggestionSchema(PairSchema):
    """A ranked suggestion: its place, its reasons as data, and how a tie was broken."""

    score = fields.Float(
        metadata={
            "description": SCORE + " Equal scores are ordered by stated tie-breaks (tie_break)."
        }
    )
    reasons = fields.List(
        fields.String(),
        metadata={"description": "The texts of reason_items, in the reader's words"},
    )
    rank = fields.Integer(metadata={"description": "Place in the full ranking, 1 = best"})
    distance = fields.String(
        metadata={"description": 'distance_km in the city\'s DISTANCE_UNITS, e.g. "1.3 mi"'}
    )
    reason_items = fields.List(fields.Nested(SuggestionReasonSchema))
    tie_break = fields.Nested(
        SuggestionReasonSchema,
        allow_none=True,
        metadata={
            "description": "When the next suggestion has the same score: the criterion that put "
            "this one first (partners: tasks_left, competing_needs, track_record, then "
            "partner_id; needs: priority, open_days, distance, then need_id), values this/next"
        },
    )


class NeedSuggestionSchema(SuggestionSchema):
    """Who can act here: a partner for the need, and what the latest city plan chose."""

    planned = fields.Boolean(
        metadata={"description": "The latest plan chose this partner for this need"}
    )
    not_chosen = fields.Nested(
        SuggestionReasonSchema,
        allow_none=True,
        metadata={
            "description": "For a partner ranked above the planned one: why the plan did not "
            "choose it (values: left = its free slots this week, planned = other planned tasks "
            "holding them)"
        },
    )


class AssignmentSchema(PairSchema):
    """A pair in a stored plan, and whether it was offered and taken.

    Reasons are stored as data and written for the reader: a coordinator reads "their base is
    1.3 mi away", the partner it is offered to "1.3 mi from your base"."""

    reasons = fields.List(
        fields.String(),
        metadata={"description": "The texts of reason_items, in the reader's words"},
    )
    reason_items = fields.List(fields.Nested(SuggestionReasonSchema))
    distance = fields.String(
        metadata={"description": 'distance_km in the city\'s DISTANCE_UNITS, e.g. "1.3 mi"'}
    )
    id = fields.Integer()
    plan_id = fields.Integer()
    status = fields.String()
    offered_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    claim_id = fields.Integer(allow_none=True)


class ChurnSchema(Schema):
    """The plan against its baseline (the previous plan's standing assignments and offers)."""

    baseline = fields.Integer(metadata={"description": "Baseline assignments whose need is open"})
    kept = fields.Integer(metadata={"description": "Kept with the same partner"})
    moved = fields.Integer(metadata={"description": "Given to another partner"})
    added = fields.Integer(metadata={"description": "Assigned now, not in the baseline"})
    dropped = fields.Integer(metadata={"description": "In the baseline, unassigned now"})
    gone = fields.Integer(metadata={"description": "Baseline needs no longer open (not churn)"})


class PlanFiguresSchema(Schema):
    """What a plan says about itself (older plans may lack the certificate and churn)."""

    open_needs = fields.Integer()
    partners = fields.Integer()
    active_partners = fields.Integer()
    assigned = fields.Integer()
    unassigned = fields.Integer()
    certified = fields.Boolean(
        metadata={
            "description": "Proven optimal over every feasible pair of the city: no assignment "
            "left out could raise the total score (dual prices checked, every pair priced)"
        }
    )
    gap = fields.Float(
        metadata={
            "description": "Score points the plan may be short of the optimum (0 when certified)"
        }
    )
    rounds = fields.Integer(metadata={"description": "Solves until the proof held"})
    pairs_priced = fields.Integer()
    pairs_added = fields.Integer()
    candidate_pairs = fields.Integer()
    edges_kept = fields.Integer()
    candidate_seconds = fields.Float()
    solve_seconds = fields.Float()
    pricing_seconds = fields.Float()
    workers = fields.Integer(
        metadata={"description": "Processes the plan's capabilities were split over"}
    )
    baseline_plan_id = fields.Integer(allow_none=True)
    churn = fields.Nested(ChurnSchema, allow_none=True)


class PlanSummarySchema(Schema):
    """A stored plan without its assignments."""

    id = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String()
    parameters = fields.Dict()
    summary = fields.Nested(PlanFiguresSchema)
    objective = fields.Float(metadata={"description": "Total score of the plan's assignments"})


class PlanSchema(PlanSummarySchema):
    """A stored plan: its summary, and where its assignments are read page by page (a city
    plan holds tens of thousands: inline they made a 22 MB answer, issue 14)."""

    assignments_url = fields.String(
        metadata={"description": "GET it for the assignments, paged (?page=, ?page_size=)"}
    )


class NeedRefSchema(Schema):
    """A need named in a gap list."""

    need_id = fields.Integer()
    title = fields.String()
    capability = fields.String()
    neighbourhood = fields.String(allow_none=True)
    priority = fields.Integer()


class PlanSourceSchema(Schema):
    """The city plan a gap or recruitment report comes from."""

    plan_id = fields.Integer(allow_none=True, metadata={"description": "null: computed now"})
    planned_at = fields.DateTime(allow_none=True)
    computed = fields.Boolean(metadata={"description": "computed now in memory, not stored"})
    note = fields.String(metadata={"description": 'e.g. "From plan #12 of ... UTC"'})


class AllocationSchema(Schema):
    """Tasks the plan gives one partner in a cell."""

    partner_id = fields.Integer()
    partner_name = fields.String(allow_none=True)
    tasks = fields.Integer()


class GapCellSchema(Schema):
    """What the city plan does with the open needs of one neighbourhood and capability."""

    neighbourhood = fields.String(allow_none=True)
    capability = fields.String()
    capability_label = fields.String()
    open_needs = fields.Integer()
    overdue_needs = fields.Integer()
    effort_hours = fields.Float()
    planned = fields.Integer(metadata={"description": "open needs the plan assigns"})
    unmet = fields.Integer(metadata={"description": "open needs the plan leaves unassigned"})
    unmet_hours = fields.Float()
    allocated_tasks = fields.Integer(
        metadata={"description": "partner slots the plan spends here; each slot counts once"}
    )
    allocated_hours = fields.Float(
        metadata={"description": "volunteer hours of those slots (hours a week / tasks a week)"}
    )
    allocations = fields.List(fields.Nested(AllocationSchema))
    reachable_partners = fields.Integer(
        metadata={"description": "context: active partners reaching a need here, any capacity"}
    )


class GapTotalsSchema(Schema):
    """Sums over the cells."""

    open_needs = fields.Integer()
    planned = fields.Integer()
    unmet = fields.Integer()
    allocated_tasks = fields.Integer()


class GapsSchema(Schema):
    """Coverage gaps of the whole city, from the city plan."""

    plan = fields.Nested(PlanSourceSchema)
    unreachable = fields.List(fields.Nested(NeedRefSchema))
    zero_capacity_only = fields.List(fields.Nested(NeedRefSchema))
    new_since_plan = fields.List(
        fields.Nested(NeedRefSchema),
        metadata={"description": "needs posted after the stored plan (counted as unmet)"},
    )
    cells = fields.List(fields.Nested(GapCellSchema))
    totals = fields.Nested(GapTotalsSchema)


class PartnershipMemberSchema(Schema):
    """One side of a suggested partnership."""

    id = fields.Integer()
    name = fields.String()
    brings = fields.List(fields.String())


class PartnershipSchema(Schema):
    """Two partners who together reach needs neither reaches alone."""

    partners = fields.List(fields.Nested(PartnershipMemberSchema))
    cross_sector = fields.Boolean()
    needs_covered = fields.Integer()
    need_ids = fields.List(fields.Integer())
    neighbourhoods = fields.List(fields.String())
    reasons = fields.List(fields.String())


class SectorCountSchema(Schema):
    """Partners of one sector already doing the work near a target."""

    sector = fields.String()
    label = fields.String()
    partners = fields.Integer()


class RecruitmentTargetSchema(Schema):
    """Where needs the city plan leaves unassigned cluster, and whom to recruit there."""

    capability = fields.String()
    capability_label = fields.String()
    lat = fields.Float(metadata={"description": "centre of the cluster"})
    lon = fields.Float()
    near = fields.String(allow_none=True, metadata={"description": "nearest neighbourhood"})
    kind = fields.String(metadata={"description": 'e.g. "a faith-based group or a nonprofit"'})
    needs_reached = fields.Integer()
    weight = fields.Float(metadata={"description": "priority + waiting points of those needs"})
    need_ids = fields.List(fields.Integer())
    sectors = fields.List(fields.Nested(SectorCountSchema))
    reasons = fields.List(fields.String())


class RecruitmentSchema(Schema):
    """Recruitment targets and the plan they come from."""

    plan = fields.Nested(PlanSourceSchema)
    radius_km = fields.Float()
    targets = fields.List(fields.Nested(RecruitmentTargetSchema))


@blp.route("/plans")
class Plans(MethodView):
    @blp.response(200, PlanSummarySchema(many=True))
    @blp.errors(403)
    def get(self):
        """Recent city plans."""
        return [
            services.present_plan(p, with_assignments=False)
            for p in services.list_plans(current_actor())
        ]

    @blp.arguments(PlanCreateSchema, required=False)
    @blp.response(202, JobSchema)
    @blp.errors(403)
    def post(self, data):
        """Start computing the optimal city plan as a job (coordinators): 202 with the job and
        its URL in Location; when it has succeeded its `result_url` is the plan."""
        params = {"k": data["k"]} if data["k"] is not None else {}
        return accepted(start_job(current_actor(), "city_plan", params))


def _plan_out(plan) -> dict:
    data = services.present_plan(plan, with_assignments=False)
    data["assignments_url"] = url_for("planning.PlanAssignments", plan_id=plan.id)
    return data


@blp.route("/plans/<id:plan_id>")
class PlanItem(MethodView):
    @blp.response(200, PlanSchema)
    @blp.errors(403, 404)
    def get(self, plan_id):
        """One stored plan: its summary and where its assignments are."""
        return _plan_out(services.get_plan(current_actor(), plan_id))


@blp.route("/plans/<id:plan_id>/assignments")
class PlanAssignments(MethodView):
    @blp.response(200, AssignmentSchema(many=True))
    @blp.errors(403, 404)
    @blp.paginate()
    def get(self, plan_id, pagination_parameters):
        """A stored plan's assignments, in order, one page at a time."""
        total, rows = services.plan_assignments_page(
            current_actor(),
            plan_id,
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows


def _assignment_out(assignment) -> dict:
    return services.present_assignment(assignment, {}, {})


ASSIGNMENT = "/plans/<id:plan_id>/assignments/<id:assignment_id>"


@blp.route(f"{ASSIGNMENT}/offer", methods=["POST"])
@blp.response(200, AssignmentSchema)
@blp.errors(403, 404, 409)
def offer(plan_id, assignment_id):
    """Offer a planned task to its partner (coordinators)."""
    return _assignment_out(services.offer_assignment(current_actor(), plan_id, assignment_id))


@blp.route(f"{ASSIGNMENT}/accept", methods=["POST"])
@blp.response(200, AssignmentSchema)
@blp.errors(403, 404, 409)
def accept(plan_id, assignment_id):
    """Accept an offered task: it is claimed for your organisation."""
    return _assignment_out(services.accept_offer(current_actor(), plan_id, assignment_id))


@blp.route(f"{ASSIGNMENT}/decline", methods=["POST"])
@blp.arguments(NoteSchema, required=False)
@blp.response(200, AssignmentSchema)
@blp.errors(403, 404, 409)
def decline(data, plan_id, assignment_id):
    """Decline an offered task."""
    return _assignment_out(
        services.decline_offer(current_actor(), plan_id, assignment_id, data["note"])
    )


@blp.route("/coverage/gaps")
class Gaps(MethodView):
    @blp.response(200, GapsSchema)
    @blp.errors(403)
    def get(self):
        """Needs nobody can reach, and what the city plan leaves unmet per area."""
        return _json(services.kept_answer(current_actor(), services.coverage_gap_report, _gaps))


@blp.route("/coverage/recruitment")
class Recruitment(MethodView):
    @blp.arguments(RecruitmentQuerySchema, location="query")
    @blp.response(200, RecruitmentSchema)
    @blp.errors(403)
    def get(self, query):
        """Where the needs the city plan leaves unassigned cluster, and whom to recruit there."""
        answer = services.kept_answer(
            current_actor(), services.recruitment_report, _recruitment, **query
        )
        return _json(answer)


def _gaps(report: Mapping[str, Any]) -> str:
    """The gaps API's answer, as `blp.response(200, GapsSchema)` would send it; made once per
    plan basis (see `planning.services.kept_answer`)."""
    return current_app.json.dumps(GapsSchema().dump(report))


def _recruitment(report: Mapping[str, Any]) -> str:
    """The recruitment API's answer, as `blp.response(200, RecruitmentSchema)` would send it;
    made once per plan basis and query."""
    return current_app.json.dumps(RecruitmentSchema().dump(report))


def _json(body: str) -> Response:
    return current_app.response_class(body, mimetype="application/json")


@blp.route("/partnerships")
class Partnerships(MethodView):
    @blp.arguments(LimitSchema, location="query")
    @blp.response(200, PartnershipSchema(many=True))
    @blp.errors(403)
    def get(self, query):
        """Partner pairs who together cover needs neither covers alone; cross-sector first."""
        return services.partnership_report(current_actor(), limit=query["limit"] or 20)
