"""A job's stored result reference, written by the job and read by the API and the pages."""

from __future__ import annotations

import pytest

from jobs.kinds import parse_result_ref, result_ref


@pytest.mark.parametrize(("kind", "item"), [("plan", 7), ("briefings", None), ("needs", None)])
def test_a_written_reference_reads_back(kind, item):
    assert parse_result_ref(result_ref(kind, item)) == (kind, item)


@pytest.mark.parametrize(
    "ref", [None, "", "plan", "plan/", "plan/x", "plan/12345678901", "needs/3", "photos", "plan/-1"]
)
def test_no_or_an_unknown_reference_reads_as_none(ref):
    assert parse_result_ref(ref) is None


def test_a_reference_is_written_only_in_a_known_shape():
    with pytest.raises(ValueError):
        result_ref("plan")
    with pytest.raises(ValueError):
        result_ref("needs", 3)
