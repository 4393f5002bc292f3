"""The command line: list, verify, the module entry point, the study forwarder and error paths."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import impossibility as im
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


# every CLI error: exit 2, one line "impossibility: error: …", no traceback (issue 11)
ERRORS = [
    (["verify", "beta(2,,5)", "norm"], "cannot parse the arguments"),
    (["verify", "poisson", "norm"], "discrete"),
    (["verify", "beta(2)", "norm"], "missing b"),
    (["verify", "beta(-1,2)", "norm"], "invalid parameters for beta"),
    (["verify", "norm(scale=-1)", "norm"], "invalid parameters for norm"),
    (["verify", "-n", "0", "norm", "norm"], "-n must be"),
    (["verify", "lapalce", "norm"], "did you mean laplace"),
    (["verify", "multivariate_normal", "norm"], "joint (multivariate)"),
    (["verify", "norm(loc=__import__('os'))", "norm"], "literal numbers"),
    (["verify", "norm(foo=1)", "norm"], "no parameter foo"),
    (["verify", "beta(1, 2, 3, 4, 5)", "norm"], "at most 4 parameters"),
    (["verify", "vonmises(1)", "norm"], "circle"),
    (["verify", "gamma(a=2, a=3)", "norm"], "repeats a keyword"),
    (["verify", "beta(2, a=3)", "norm"], "gives a twice"),
    (["verify", "norm(1j)", "norm"], "literal numbers"),
    (["verify", "expon(True)", "norm"], "literal numbers"),
    (["verify", "norm(scale=1e400)", "norm"], "invalid parameters"),
    (["verify", "t(df=-1)", "norm"], "invalid parameters for t"),
    (["verify", "stats.norm", "norm"], "cannot parse marginal"),
    (["verify", "", "norm"], "cannot parse marginal"),
    (["verify", "--seed", "-1", "norm", "norm"], "--seed"),
    (["verify", "-d", "1", "norm"], "d ≥ 2"),
    (["verify", "-d", "3", "norm", "norm"], "-d repeats a single family"),
    (["verify", "--alpha", "2", "norm", "norm"], "alpha must be"),
    (["verify", "-n", "abc", "norm"], "invalid int value"),
    (["verify"], "required: prior"),
    (["nosuch"], "invalid choice"),
    (["study", "-j", "0"], "n-jobs"),
    (["study", "--seed", "-3"], "--seed"),
    (["study", "--preset", "nosuch"], "invalid choice"),
    (["study", "--out-dir", "README.md"], "is a file, not a folder"),
    (["reproduce", "--root", "/nonexistent"], "no experiments/ folder"),
    (["reproduce", "--out", "README.md", "--only", "theorem1_samples"], "is a file"),
    (["list", "--root", "/nonexistent"], "no experiments/ folder"),
    (["notebooks", "--only", "nosuch", "--check"], "unknown notebook"),
    (["notebooks", "--root", "/nonexistent", "--check"], "no proofs/ folder"),
]


@pytest.mark.parametrize(
    "argv, match", ERRORS, ids=lambda a: " ".join(a) if isinstance(a, list) else ""
)
def test_every_cli_error_is_one_line_with_status_2(argv, match, capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # README.md is a file there
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors exit from parse_args
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("impossibility: error: "), err
    assert match in err and "Traceback" not in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"impossibility {im.__version__}"


def test_verify_prints_a_and_the_seed_and_exits_by_verdict(capsys):
    assert main(["verify", "gamma(0.5)", "gamma(0.5)", "-n", "2000", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert (
        "seed = 4" in out and "A =" in out and out.rstrip().splitlines()[-1].startswith("=> PASSED")
    )


def test_a_closed_pipe_is_not_a_traceback():
    # `impossibility list | head -1`
    proc = subprocess.Popen(
        [sys.executable, "-m", "impossibility", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    proc.stdout.readline()
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    proc.wait()
    assert "Traceback" not in err and "BrokenPipeError" not in err
