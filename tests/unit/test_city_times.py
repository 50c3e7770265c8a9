"""Times on pages read in the city's zone, not UTC."""

from datetime import UTC, datetime

from web.times import city_date, city_time


def test_a_time_reads_in_the_city_zone_with_its_abbreviation():
    moment = datetime(2026, 12, 1, 3, 5, tzinfo=UTC)
    assert city_time(moment, "America/Chicago") == "2026-11-30 21:05 CST"
    assert city_time(moment, "Europe/Helsinki") == "2026-12-01 05:05 EET"


def test_a_date_is_the_day_it_was_in_the_city():
    just_after_midnight_utc = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert city_date(just_after_midnight_utc, "America/Chicago") == "2026-11-30"
    summer = datetime(2026, 7, 1, 4, 30, tzinfo=UTC)
    assert city_time(summer, "America/Chicago") == "2026-06-30 23:30 CDT"


def test_no_time_shows_nothing_and_naive_times_mean_utc():
    assert city_time(None, "America/Chicago") == ""
    assert city_date(datetime(2026, 12, 1, 3, 0), "America/Chicago") == "2026-11-30"
