"""Fixtures shared by the marketplace tests: ``w``, the small two-park world of the workflow tests."""
from tests.marketplace.services.matching.test_workflow import w  # noqa: F401 - re-exported as a fixture for every module here
