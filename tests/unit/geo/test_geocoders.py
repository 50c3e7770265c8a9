"""Choosing a geocoder by name, and mapping geopy's outcomes to found / not_found / failed.

These tests use only the offline gazetteer and a subclass of it that raises geopy's errors:
they never touch the network.
"""

import logging

import pytest
from geopy import exc as geopy_exc
from geopy.geocoders import ArcGIS, Nominatim, Photon

from geo.gazetteer import GazetteerGeocoder
from geo.geocoders import (
    GeocoderConfigError,
    geocode_address,
    make_geocoder,
    rate_limited,
    suppressed_retry_log_records,
)


class FailingGazetteer(GazetteerGeocoder):
    """A gazetteer whose service is down: every geocode raises the given geopy error."""

    def __init__(self, error: Exception) -> None:
        super().__init__([])
        self.error = error
        self.calls = 0

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.calls += 1
        raise self.error


def test_the_default_geocoder_is_the_gazetteer(demo_points_path):
    geocoder = make_geocoder(path=demo_points_path)
    assert geocoder.name == "gazetteer"
    assert isinstance(geocoder.geocoder, GazetteerGeocoder)
    result = geocode_address(geocoder, "1234 plank road, Baton Rouge LA 70805")
    assert result.status == "found"
    assert result.found
    assert result.matched_address == "1234 Plank Rd"
    assert (result.latitude, result.longitude) == (30.500942, -91.147001)


def test_the_gazetteer_needs_an_existing_address_point_file(tmp_path):
    with pytest.raises(GeocoderConfigError, match="path="):
        make_geocoder("gazetteer")
    with pytest.raises(GeocoderConfigError, match="not found"):
        make_geocoder("gazetteer", path=tmp_path / "missing.csv")


def test_nominatim_requires_a_user_agent():
    with pytest.raises(GeocoderConfigError, match="user_agent"):
        make_geocoder("nominatim")
    geocoder = make_geocoder("Nominatim", user_agent="common-ground-tests")
    assert isinstance(geocoder.geocoder, Nominatim)


def test_arcgis_and_any_geopy_service_name_can_be_built():
    assert isinstance(make_geocoder("arcgis").geocoder, ArcGIS)
    assert isinstance(make_geocoder("photon").geocoder, Photon)


def test_an_unknown_geocoder_name_is_a_configuration_error():
    with pytest.raises(GeocoderConfigError, match="unknown geocoder"):
        make_geocoder("no-such-geocoder")


def test_network_geocoders_wait_a_second_between_calls_by_default():
    limiter = make_geocoder("nominatim", user_agent="common-ground-tests").geocode
    assert limiter.min_delay_seconds == 1.0
    slower = make_geocoder("nominatim", user_agent="t", min_delay_seconds=2.5)
    assert slower.geocode.min_delay_seconds == 2.5


def test_an_unknown_address_is_not_found(small_gazetteer):
    result = geocode_address(rate_limited(small_gazetteer), "1 Nowhere Ln")
    assert (result.status, result.latitude, result.error) == ("not_found", None, None)


def test_an_empty_address_is_not_found_without_asking(small_gazetteer):
    assert geocode_address(small_gazetteer, "   ").status == "not_found"
    assert geocode_address(small_gazetteer, None).status == "not_found"


def test_a_bare_geocoder_or_a_callable_works_too(small_gazetteer):
    assert geocode_address(small_gazetteer, "1234 Plank Rd").found
    assert geocode_address(small_gazetteer.geocode, "1234 Plank Rd").found


@pytest.mark.parametrize(
    "error",
    [
        geopy_exc.GeocoderTimedOut("timed out"),
        geopy_exc.GeocoderUnavailable("503"),
        geopy_exc.GeocoderQuotaExceeded("quota"),
        geopy_exc.GeocoderRateLimited("slow down", retry_after=1),
    ],
)
def test_passing_troubles_are_retried_then_failed_and_retryable(error):
    failing = FailingGazetteer(error)
    result = geocode_address(rate_limited(failing, max_retries=2), "1234 Plank Rd")
    assert result.status == "failed"
    assert result.retryable
    assert type(error).__name__ in result.error
    assert failing.calls == 3  # the first try and two retries


@pytest.mark.parametrize(
    "error",
    [
        geopy_exc.GeocoderAuthenticationFailure("bad key"),
        geopy_exc.GeocoderInsufficientPrivileges("no"),
        geopy_exc.GeocoderQueryError("bad query"),
    ],
)
def test_permanent_troubles_fail_at_once_and_are_not_retryable(error):
    failing = FailingGazetteer(error)
    result = geocode_address(rate_limited(failing, max_retries=2), "1234 Plank Rd")
    assert (result.status, result.retryable) == ("failed", False)
    assert failing.calls == 1


def test_other_service_errors_fail_but_may_be_retried_later():
    failing = FailingGazetteer(geopy_exc.GeocoderServiceError("HTTP 500"))
    result = geocode_address(rate_limited(failing), "1234 Plank Rd")
    assert (result.status, result.retryable) == ("failed", True)


def test_a_network_error_below_geopy_is_a_failure_not_an_exception():
    failing = FailingGazetteer(ConnectionResetError("reset"))
    result = geocode_address(failing, "1234 Plank Rd")
    assert (result.status, result.retryable) == ("failed", True)


def test_retries_do_not_log_the_address_or_a_traceback(caplog):
    failing = FailingGazetteer(geopy_exc.GeocoderTimedOut("timed out"))
    before = suppressed_retry_log_records()
    with caplog.at_level(logging.DEBUG):
        for _ in range(5):
            geocode_address(rate_limited(failing, max_retries=3), "1234 Plank Rd, secret flat 7")
    assert failing.calls == 20
    assert caplog.records == []
    assert "secret" not in caplog.text
    assert suppressed_retry_log_records() - before >= 15  # 3 retry warnings per address


def test_other_geopy_log_records_still_pass(caplog):
    make_geocoder("gazetteer", points=[])
    with caplog.at_level(logging.INFO, logger="geopy"):
        logging.getLogger("geopy").info("a geopy message of its own")
    assert "a geopy message of its own" in caplog.text
