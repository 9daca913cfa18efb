"""Unit tests of the indicator register: typing and the clear errors for bad keys."""

from __future__ import annotations

import pytest

from pipeline.errors import RegisterError, UnknownKeyError
from tests.conftest import make_register

IND = {"indicator_id": "7.20", "theme": "safer", "polarity": "lower"}


def test_lookups_and_natural_order():
    reg = make_register([IND, {**IND, "indicator_id": "7.3"}, {**IND, "indicator_id": "7.100"}],
                        [{"indicator_id": "7.20", "period": "2006-07", "target_value": "2,470"}])
    assert reg.indicators["indicator_id"].tolist() == ["7.3", "7.20", "7.100"]
    assert reg.targets["target_value"].iloc[0] == 2470
    assert reg.indicator("7.20")["polarity"] == "lower"
    assert reg.theme("Safer")["theme"] == "safer"
    assert reg.district("melton") == "Melton"


@pytest.mark.parametrize(("lookup", "message"), [
    (lambda r: r.indicator("9.9"), "unknown indicator '9.9'"),
    (lambda r: r.theme("Greener"), "unknown theme 'Greener'"),
    (lambda r: r.district("Leicester"), "unknown district 'Leicester'"),
])
def test_unknown_keys(lookup, message):
    reg = make_register([IND], [])
    with pytest.raises(UnknownKeyError, match=message):
        lookup(reg)


def test_unknown_theme_names_row_and_column():
    with pytest.raises(RegisterError, match=r"unknown theme 'greener'.*row 2, column theme"):
        make_register([{**IND, "theme": "greener"}], [])


def test_duplicate_id():
    with pytest.raises(RegisterError, match=r"duplicate indicator id '7.20'.*row 3"):
        make_register([IND, IND], [])


def test_target_for_unknown_indicator():
    with pytest.raises(RegisterError, match="target for unknown indicator '1.1'"):
        make_register([IND], [{"indicator_id": "1.1", "period": "2006-07", "target_value": "1"}])


def test_bad_polarity_and_number():
    with pytest.raises(RegisterError, match="polarity 'up' is not one of higher, lower"):
        make_register([{**IND, "polarity": "up"}], [])
    with pytest.raises(RegisterError, match="baseline_value 'lots' is not a number"):
        make_register([{**IND, "baseline_value": "lots"}], [])


def test_reward_without_grant():
    with pytest.raises(RegisterError, match="reward target has no reward_grant_gbp"):
        make_register([{**IND, "reward": "yes"}], [])
