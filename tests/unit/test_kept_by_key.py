"""The per-process store of kept reports (`planning.basis_cache.KeptByKey`).

Its lock is not tested: eight threads hammering twelve keys in a store of four, with the
interpreter switching threads every microsecond, gave every thread its own key's value and never
raised with the lock taken out as well as with it (CPython's dict steps are atomic under the
GIL; the window between a lookup and `move_to_end` was never hit), so such a test could not
fail and is not kept."""

from __future__ import annotations

from planning.basis_cache import KeptByKey


def test_a_kept_value_is_made_once_and_the_least_recently_used_is_forgotten_first():
    kept: KeptByKey[str] = KeptByKey(2)
    made: list[str] = []

    def make(key: str):
        return lambda: made.append(key) or f"report {key}"

    assert kept.get_or_make("a", make("a")) == "report a"
    assert kept.get_or_make("b", make("b")) == "report b"
    assert kept.get_or_make("a", make("a")) == "report a"  # kept: not made again
    kept.get_or_make("c", make("c"))  # b was used least recently: forgotten
    kept.get_or_make("a", make("a"))
    kept.get_or_make("b", make("b"))
    assert made == ["a", "b", "c", "b"]
