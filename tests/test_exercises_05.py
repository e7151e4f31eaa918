"""Each lecture-05 check accepts the reference and rejects plausible wrong answers."""

import pytest

from helpers.exercises import lecture05 as ex


def stub(*a, **k):
    raise NotImplementedError


CHECKS = [
    ex.check_attention,
    ex.check_causal_mask,
    ex.check_sinusoidal,
    ex.check_layer_norm,
    ex.check_merge_heads,
]


@pytest.mark.parametrize("check", CHECKS)
def test_stub_not_attempted(check, capsys):
    assert check(stub) is False and "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("check", CHECKS)
def test_crashing_attempt_is_reported(check, capsys):
    def crash(*a, **k):
        raise RuntimeError("boom")

    assert check(crash) is False and "failed" in capsys.readouterr().out
