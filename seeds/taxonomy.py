"""The starting capability taxonomy every installation gets (admins may add more)."""

from __future__ import annotations

CAPABILITIES: list[dict] = [
    {
        "code": "litter_cleanup",
        "label": "Litter cleanup",
        "default_effort_hours": 3.0,
        "description": "Picking up litter on lots, streets and hotspots; bags and gloves.",
    },
    {
        "code": "illegal_dumping",
        "label": "Illegal dumping removal",
        "default_effort_hours": 4.0,
        "description": "Removing dumped tyres, furniture and debris; usually needs a truck.",
    },
    {
        "code": "bulk_trash_hauling",
        "label": "Bulk trash hauling",
        "default_effort_hours": 3.0,
        "description": "Hauling bulky items and bagged trash to a transfer station or landfill.",
    },
    {
        "code": "lot_mowing",
        "label": "Lot mowing / overgrowth",
        "default_effort_hours": 2.5,
        "description": "Mowing and clearing overgrown vacant lots and rights of way.",
    },
    {
        "code": "board_up",
        "label": "Board-up of vacant structures",
        "default_effort_hours": 4.0,
        "description": "Securing open doors and windows of vacant buildings with plywood.",
        "stale_start_days": 3,
    },
    {
        "code": "exterior_repair",
        "label": "Minor exterior repair",
        "default_effort_hours": 6.0,
        "description": "Small repairs: steps, railings, gutters, fences, paint.",
    },
    {
        "code": "graffiti_removal",
        "label": "Graffiti removal",
        "default_effort_hours": 2.0,
        "description": "Painting over or washing off graffiti with the owner's consent.",
    },
    {
        "code": "greening",
        "label": "Tree planting / greening",
        "default_effort_hours": 5.0,
        "description": "Planting trees, pocket gardens and greening vacant lots.",
        "stale_complete_days": 60,
    },
    {
        "code": "property_maintenance_help",
        "label": "Resident property-maintenance help",
        "default_effort_hours": 4.0,
        "description": "Helping elderly or disabled residents keep their property up to code.",
    },
    {
        "code": "door_to_door_outreach",
        "label": "Door-to-door outreach",
        "default_effort_hours": 3.0,
        "description": "Knocking on doors to tell residents about services and cleanups.",
    },
]
