"""The engine's thread limit: one thread by default, configurable, restored afterwards."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from matching import threads
from matching.threads import ENV, engine_threads, limited_threads, with_limited_threads


def _threads() -> set[int]:
    return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}


def test_default_is_one_thread(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert engine_threads() == 1
    monkeypatch.setenv(ENV, "3")
    assert engine_threads() == 3
    monkeypatch.setenv(ENV, "0")
    assert engine_threads() is None


@pytest.mark.parametrize("raw", ["two", "-1", "1.5"])
def test_bad_values_name_the_variable(monkeypatch, raw):
    monkeypatch.setenv(ENV, raw)
    with pytest.raises(ValueError, match=ENV):
        engine_threads()


def test_limit_applies_inside_and_is_lifted_after(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    np.ones((4, 4)) @ np.ones((4, 4))  # BLAS loaded
    with threadpool_limits(limits=2):
        before = _threads()
        with limited_threads():
            assert _threads() == {1}
        assert _threads() == before


def test_zero_leaves_the_pools_alone(monkeypatch):
    monkeypatch.setenv(ENV, "0")
    with threadpool_limits(limits=2):
        before = _threads()

        @with_limited_threads
        def seen() -> set[int]:
            return _threads()

        assert seen() == before


def test_the_pools_are_scanned_once_until_a_module_is_imported(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    np.ones((4, 4)) @ np.ones((4, 4))
    with limited_threads():
        pass
    first = threads._pools()
    with limited_threads():
        assert _threads() == {1}
    assert threads._pools() is first  # no rescan of the loaded libraries per call
    monkeypatch.setitem(sys.modules, "wastematch_test_new_module", types.ModuleType("wastematch_test_new_module"))
    again = threads._pools()
    assert again is not first  # an import may have loaded a new pool: scanned again
    with limited_threads():
        assert _threads() == {1}
