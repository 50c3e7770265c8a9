"""The demo city's resources catalogue: what the city offers partners (fictional terms)."""

from __future__ import annotations

CATALOGUE: list[dict] = [
    {
        "title": "Bags, gloves and grabbers",
        "description": "Heavy-duty bags, work gloves, litter grabbers and safety vests.",
        "who_qualifies": "Any registered partner or neighbourhood group.",
        "how_to_request": "Ask your outreach officer or pick up at any fire station.",
        "lead_time_days": 2,
        "capabilities": ["litter_cleanup", "illegal_dumping", "lot_mowing"],
    },
    {
        "title": "Roll-off dumpster drop-off",
        "description": "A 20-yard roll-off delivered for a cleanup day and hauled away after.",
        "who_qualifies": "Registered partners with a cleanup planned for 10+ volunteers.",
        "how_to_request": "Request through 311 (category 'Cleanup support') two weeks ahead.",
        "lead_time_days": 14,
        "capabilities": ["illegal_dumping", "bulk_trash_hauling", "litter_cleanup"],
    },
    {
        "title": "Landfill tipping-fee waiver",
        "description": "No fee at the North Landfill for debris from a city-listed need.",
        "who_qualifies": "Registered partners hauling from a need claimed in Common Ground.",
        "how_to_request": "Show the claim number at the scale house.",
        "lead_time_days": 0,
        "capabilities": ["illegal_dumping", "bulk_trash_hauling"],
    },
    {
        "title": "Tool lending library",
        "description": "Mowers, trimmers, rakes, wheelbarrows and hand tools on loan for a week.",
        "who_qualifies": "Registered partners; a member signs for the tools.",
        "how_to_request": "Book online or at the Public Works yard, weekdays 7-3.",
        "lead_time_days": 3,
        "capabilities": ["lot_mowing", "greening", "exterior_repair", "property_maintenance_help"],
    },
    {
        "title": "Bulk pickup scheduling",
        "description": "A sanitation crew collects piles you gathered at the curb on a set day.",
        "who_qualifies": "Any partner or resident group after a cleanup.",
        "how_to_request": "Call 311 with the address and the size of the pile.",
        "lead_time_days": 5,
        "capabilities": ["bulk_trash_hauling", "litter_cleanup", "illegal_dumping"],
    },
    {
        "title": "Board-up materials",
        "description": "Plywood cut to size, screws and signage for securing vacant structures.",
        "who_qualifies": "Registered partners with a board-up claim and a trained lead.",
        "how_to_request": "Order through the Blight Office with the claim number.",
        "lead_time_days": 3,
        "capabilities": ["board_up"],
    },
    {
        "title": "Paint and graffiti kits",
        "description": "Matched exterior paint, rollers and graffiti remover.",
        "who_qualifies": "Registered partners, with the property owner's consent.",
        "how_to_request": "Ask your outreach officer.",
        "lead_time_days": 4,
        "capabilities": ["graffiti_removal", "exterior_repair"],
    },
    {
        "title": "Trees and planting help",
        "description": "Young trees, mulch and an arborist's visit for greening vacant lots.",
        "who_qualifies": "Partners who commit to water for two summers.",
        "how_to_request": "Apply to the urban forestry programme before planting season.",
        "lead_time_days": 30,
        "capabilities": ["greening"],
    },
    {
        "title": "Technical help and safety training",
        "description": "A city staff member helps plan a project; free safety training sessions.",
        "who_qualifies": "Any partner or organisation thinking of joining.",
        "how_to_request": "Email the Community Partnerships Office.",
        "lead_time_days": 7,
        "capabilities": [],
    },
]
