"""The command line: list, verify, the module entry point, the study forwarder and error paths."""

import subprocess
import sys

import pytest

from impossibility.tools.cli import main


def test_unknown_experiment_is_an_error(capsys):
    assert main(["reproduce", "--only", "nope", "--quick"]) == 2
    assert "unknown experiment" in capsys.readouterr().err


def test_list_and_verify(capsys):
    assert main(["list"]) == 0
    assert "theorem1_warp" in capsys.readouterr().out
    assert main(["verify", "laplace(scale=2)", "beta(2, 5)", "gamma(3)", "-n", "3000"]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "density invariance" in out
    assert main(["verify", "norm"]) == 2
    assert "d ≥ 2" in capsys.readouterr().err
    assert main(["verify", "poisson(3)", "norm"]) == 2
    assert main(["verify", "__import__('os')"]) == 2


def test_module_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "impossibility", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "reproduce" in out.stdout


def test_study_subcommand_forwards_its_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["study", "--help"])
    assert exc.value.code == 0
    assert "--preset" in capsys.readouterr().out
