import pytest

from matching.quantities import annual_tonnes


@pytest.mark.parametrize("qty, period, expected", [(300, "year", 300), (25, "month", 300), (80, "once", 80)])
def test_annual_tonnes(qty, period, expected):
    assert annual_tonnes(qty, period) == expected


def test_unknown_period_is_named():
    with pytest.raises(ValueError, match="fortnight"):
        annual_tonnes(1, "fortnight")
