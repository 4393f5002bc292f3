"""``impossibility audit``: file formats, table, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from impossibility.auditing import AuditReport, audit
from impossibility.tools.cli import main


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, size=(400, 3))
    z = (y - 2.0) / 1.4 + 0.05 * rng.standard_normal((400, 3))
    return z, y


FAST = ["--metrics", "mig,modularity", "--budget", "12"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_npy_table_and_json_match_the_library(tmp_path, capsys, arrays):
    z, y = arrays
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "y.npy", y)
    code, out, _ = _run(
        capsys,
        "audit",
        tmp_path / "z.npy",
        tmp_path / "y.npy",
        *FAST,
        "--json",
        tmp_path / "r.json",
    )
    assert code == 0
    lib = audit(z, y, metrics=["mig", "modularity"], budget=12, rng=np.random.default_rng(0))
    assert AuditReport.from_json(tmp_path / "r.json").to_dict() == lib.to_dict()
    line = next(s for s in out.splitlines() if s.startswith("mig"))
    assert f"{lib['mig'].observed:.4f}" in line and f"{lib['mig'].lowest:.4f}" in line
    assert json.loads((tmp_path / "r.json").read_text())["budget"] == 12


def test_npz_names_and_csv_give_the_same_report(tmp_path, capsys, arrays):
    z, y = arrays
    np.savez(tmp_path / "both.npz", mu=z, factors=y)
    np.savetxt(tmp_path / "z.csv", z, delimiter=",", header="a,b,c", comments="")
    np.savetxt(tmp_path / "y.csv", y, delimiter=",", fmt="%d")
    outs = []
    for cz, cy in (("both.npz", "both.npz"), ("z.csv", "y.csv")):
        code, out, _ = _run(capsys, "audit", tmp_path / cz, tmp_path / cy, *FAST)
        assert code == 0
        outs.append([s for s in out.splitlines() if s.startswith(("mig", "modularity"))])
    # CSV round-trips floats to 18 significant digits: same table
    assert outs[0] == outs[1]


def test_non_normal_prior_with_log_var(tmp_path, capsys, arrays):
    z, y = arrays
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "y.npy", y)
    np.savez(tmp_path / "lv.npz", log_var=np.full(z.shape, -3.0))
    code, out, _ = _run(
        capsys,
        "audit",
        tmp_path / "z.npy",
        tmp_path / "y.npy",
        "--prior",
        "laplace",
        "--log-var",
        tmp_path / "lv.npz",
        *FAST,
    )
    assert code == 0 and "Monte Carlo" in out
    code, _, err = _run(
        capsys, "audit", tmp_path / "z.npy", tmp_path / "y.npy", "--prior", "laplace", *FAST
    )
    assert code == 2 and "pass log_var" in err


def _bad_files(tmp_path, z, y):
    (tmp_path / "garbage.npy").write_bytes(b"not an array")
    np.save(tmp_path / "nan.npy", np.where(np.arange(z.size).reshape(z.shape) == 5, np.nan, z))
    np.save(tmp_path / "short.npy", y[:10])
    np.save(tmp_path / "float_y.npy", y + 0.5)
    np.save(tmp_path / "flat.npy", z[:, 0])
    np.savez(tmp_path / "other.npz", a=z, b=y)
    (tmp_path / "z.txt").write_text("1,2\n")
    return {
        "garbage.npy": "cannot read codes file",
        "nan.npy": "NaN",
        "short.npy": "rows|same number",
        "float_y.npy": "integer class labels",
        "flat.npy": "2-D",
        "other.npz": "name the codes array one of",
        "z.txt": "unknown suffix",
        "missing.npy": "does not exist",
    }


def test_bad_inputs_are_one_line_errors(tmp_path, capsys, arrays):
    z, y = arrays
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "y.npy", y)
    for name, match in _bad_files(tmp_path, z, y).items():
        codes, factors = (tmp_path / name, tmp_path / "y.npy")
        if name in ("short.npy", "float_y.npy"):
            codes, factors = tmp_path / "z.npy", tmp_path / name
        code, out, err = _run(capsys, "audit", codes, factors, *FAST)
        assert code == 2, name
        assert err.startswith("impossibility: error: "), (name, err)
        assert len(err.strip().splitlines()) == 1, (name, err)
        assert re.search(match, err), (name, err)
    code, _, err = _run(capsys, "audit", tmp_path / "z.npy", tmp_path / "y.npy", "--metrics", "x")
    assert code == 2 and "unknown metric 'x'" in err
