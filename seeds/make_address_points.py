"""Generate the demo city's address points: `seeds/data/address_points.csv` (Baton Rouge, LA).

The gazetteer geocoder (`geo.gazetteer.GazetteerGeocoder`) reads this file, and the demo seed
places needs at these addresses. Street names are real Baton Rouge streets of each neighbourhood;
the HOUSE NUMBERS ARE FICTIONAL (generated blocks of even numbers) and the coordinates are
approximate: points are laid along a short straight stretch of each street near the
neighbourhood's approximate centre. Do not use this file for anything but demos and tests.

Deterministic: a fixed seed, no clock; running it twice writes byte-identical files.
    python seeds/make_address_points.py [OUTPUT]

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from collections.abc import Iterator
from pathlib import Path

SEED = 70802
POINTS_PER_NEIGHBOURHOOD = 63
METRES_PER_DEGREE = 111_195.0
OUTPUT = Path(__file__).resolve().parent / "data" / "address_points.csv"

# name, approximate centre (lat, lon), ZIP, real streets of the area
NEIGHBOURHOODS: tuple[tuple[str, float, float, str, tuple[str, ...]], ...] = (
    ("Downtown", 30.4515, -91.1871, "70802",
     ("North St", "Main St", "Florida St", "Laurel St", "Third St", "Lafayette St",
      "Church St", "St Louis St")),
    ("Spanish Town", 30.4568, -91.1838, "70802",
     ("Spanish Town Rd", "Fifth St", "Sixth St", "Seventh St", "State St", "North St")),
    ("Beauregard Town", 30.4462, -91.1880, "70802",
     ("Government St", "America St", "Napoleon St", "Europe St", "Royal St", "Spain St")),
    ("Mid City", 30.4497, -91.1553, "70806",
     ("Government St", "Florida Blvd", "North Blvd", "Bedford Dr", "Steele Blvd",
      "Bienville St")),
    ("Garden District", 30.4431, -91.1660, "70806",
     ("Park Blvd", "Cherokee St", "Kleinert Ave", "Drehr Ave", "Olive St", "Camelia Ave")),
    ("Old South Baton Rouge", 30.4322, -91.1807, "70802",
     ("Thomas Delpit Dr", "Terrace Ave", "Highland Rd", "Nicholson Dr", "Myrtle Walk St",
      "Julia St")),
    ("Scotlandville", 30.5214, -91.1829, "70807",
     ("Scenic Hwy", "Harding Blvd", "Swan St", "Mills Ave", "Rosenwald Rd", "Thomas Rd")),
    ("Zion City", 30.4966, -91.1469, "70805",
     ("Plank Rd", "Hollywood St", "Mohican St", "Weller Ave", "Sumrall Dr")),
    ("Brookstown", 30.4870, -91.1337, "70805",
     ("Plank Rd", "Choctaw Dr", "Prescott Rd", "Hollywood St", "Mohican St")),
    ("Eden Park", 30.4651, -91.1505, "70802",
     ("Gus Young Ave", "Geronimo St", "N 38th St", "Eden St", "Ontario St", "Plank Rd")),
    ("Istrouma", 30.4800, -91.1700, "70805",
     ("Winbourne Ave", "Scenic Hwy", "Choctaw Dr", "Osceola St", "Chippewa St")),
    ("Fairfields", 30.4740, -91.1590, "70805",
     ("Fairfields Ave", "Plank Rd", "Winbourne Ave", "Chippewa St", "Calumet St")),
    ("Melrose East", 30.4580, -91.1180, "70806",
     ("Florida Blvd", "N Ardenwood Dr", "Lobdell Ave", "Renoir Ave", "Monet Dr")),
    ("Gardere", 30.3570, -91.0960, "70810",
     ("Gardere Ln", "Burbank Dr", "Ned Ave", "Daisy Ave", "Highland Rd")),
    ("Southdowns", 30.4125, -91.1363, "70808",
     ("Perkins Rd", "Glasgow Ave", "Hyacinth Ave", "Stanford Ave", "Southdown Dr")),
    ("Broadmoor", 30.4442, -91.0760, "70815",
     ("Florida Blvd", "Sharp Rd", "Lanier Dr", "Broadmoor Ave", "Bellewood Dr")),
    ("Sherwood Forest", 30.4443, -91.0405, "70815",
     ("Sherwood Forest Blvd", "Old Hammond Hwy", "Coursey Blvd", "Harrells Ferry Rd",
      "Florida Blvd")),
    ("Tara", 30.4230, -91.0960, "70806",
     ("Jefferson Hwy", "Tara Blvd", "Drusilla Ln", "Old Hammond Hwy", "Lovett Rd")),
    ("Goodwood", 30.4400, -91.1100, "70806",
     ("Goodwood Blvd", "Jefferson Hwy", "Lobdell Ave", "Airline Hwy", "Old Hammond Hwy")),
    ("Shenandoah", 30.3997, -91.0270, "70817",
     ("Jones Creek Rd", "Coursey Blvd", "Tiger Bend Rd", "Shenandoah Ave", "Antioch Rd")),
    ("Highland Road", 30.3720, -91.0800, "70810",
     ("Highland Rd", "Bluebonnet Blvd", "Staring Ln", "Kenilworth Pkwy", "Burbank Dr")),
    ("University Acres", 30.4030, -91.1650, "70808",
     ("Perkins Rd", "Highland Rd", "Dalrymple Dr", "Stanford Ave", "Morning Glory Ave")),
    ("Westminster", 30.4100, -91.0770, "70809",
     ("Essen Ln", "Jefferson Hwy", "Bluebonnet Blvd", "Perkins Rd", "Westmoreland Dr")),
    ("Merrydale", 30.4980, -91.1050, "70811",
     ("Greenwell St", "Joor Rd", "Foster Dr", "Hooper Rd", "Airline Hwy")),
)  # fmt: skip

# Addresses the tests and the demo rely on; each lands in the neighbourhood named.
ANCHORS: dict[str, tuple[str, ...]] = {
    "Zion City": ("1234 Plank Rd",),
    "Downtown": ("222 St Louis St",),
    "Mid City": ("4100 Government St",),
}


def _street_stretch(
    rng: random.Random, lat: float, lon: float
) -> tuple[float, float, float, float]:
    """A start point near the centre and a unit direction (in metres) for one street."""
    start_lat = lat + rng.uniform(-450, 450) / METRES_PER_DEGREE
    start_lon = lon + rng.uniform(-450, 450) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    bearing = rng.choice((0.0, 90.0, rng.uniform(20, 70), rng.uniform(110, 160)))
    return start_lat, start_lon, math.cos(math.radians(bearing)), math.sin(math.radians(bearing))


def generate(seed: int = SEED) -> Iterator[dict[str, str]]:
    """Yield address point rows (address, latitude, longitude, neighbourhood, zip)."""
    rng = random.Random(seed)
    next_block: dict[str, int] = {}
    reserved = {address for addresses in ANCHORS.values() for address in addresses}
    seen: set[str] = set()
    for name, lat, lon, zip_code, streets in NEIGHBOURHOODS:
        metres_lon = METRES_PER_DEGREE * math.cos(math.radians(lat))
        per_street = math.ceil(POINTS_PER_NEIGHBOURHOOD / len(streets))
        made = 0
        anchors = list(ANCHORS.get(name, ()))
        for street in streets:
            block = next_block.get(street, rng.randrange(1, 20) * 100)
            spacing = rng.choice((2, 4, 6, 8))
            next_block[street] = block + 1000 + rng.randrange(0, 10) * 100
            start_lat, start_lon, north, east = _street_stretch(rng, lat, lon)
            for step in range(per_street):
                if made >= POINTS_PER_NEIGHBOURHOOD:
                    break
                anchor = [a for a in anchors if a.split(" ", 1)[1] == street][:1]
                if anchor and step == per_street // 2:
                    address = anchor[0]
                    anchors.remove(address)
                else:
                    address = f"{block + step * spacing} {street}"
                    if address in reserved:
                        continue
                if address in seen:
                    continue
                seen.add(address)
                along = 35.0 * step + rng.uniform(-4, 4)
                side = rng.choice((-1, 1)) * rng.uniform(8, 14)
                point_lat = start_lat + (along * north - side * east) / METRES_PER_DEGREE
                point_lon = start_lon + (along * east + side * north) / metres_lon
                made += 1
                yield {
                    "address": address,
                    "latitude": f"{point_lat:.6f}",
                    "longitude": f"{point_lon:.6f}",
                    "neighbourhood": name,
                    "zip": zip_code,
                }


def write(path: Path = OUTPUT, seed: int = SEED) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=("address", "latitude", "longitude", "neighbourhood", "zip"),
            lineterminator="\n",
        )
        writer.writeheader()
        for row in generate(seed):
            writer.writerow(row)
            count += 1
    return count


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    print(f"wrote {write(target)} address points to {target}")
