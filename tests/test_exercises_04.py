"""Each lecture-04 check passes the reference and rejects plausible wrong answers."""

from helpers.exercises import lecture04 as ex


def test_unattempted_and_crashing_attempts_do_not_raise(capsys):
    def stub(*args):
        raise NotImplementedError

    assert ex.check_dot_attention(stub) is False
    assert "not attempted" in capsys.readouterr().out
    assert ex.check_beam_step(lambda *a: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out
