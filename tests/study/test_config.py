"""Tests of impossibility.study.config: settings, presets, run configurations and their hashes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import impossibility.study as st
from impossibility.vae import STUDY_GRID


def test_configuration_hash_and_seed(tiny, tiny_configs):
    a, b = tiny_configs()[:2]
    assert a.key != b.key  # different seeds
    assert a.key == replace(a).key
    assert replace(a, settings=replace(tiny, n_steps=21)).key != a.key
    # the seed sequence depends on the configuration, not on its position in a sweep
    reordered = list(reversed(tiny_configs()))
    assert [c.seed_sequence().entropy for c in reordered[::-1]] == [
        c.seed_sequence().entropy for c in tiny_configs()
    ]
    assert (
        a.seed_sequence().generate_state(2).tolist() != b.seed_sequence().generate_state(2).tolist()
    )


def test_presets_have_the_papers_grid():
    configs = st.build_configs("default")
    models = {c.model for c in configs}
    assert models == set(st.MODELS)
    for m in st.MODELS:
        values = sorted({c.value for c in configs if c.model == m})
        assert tuple(values) == STUDY_GRID[m]
    preset = st.PRESETS["default"]
    assert len(configs) == 6 * 6 * len(preset.seeds) * len(preset.datasets)
    assert len(st.PRESETS["full"].seeds) == 50


def test_normalised_settings_keep_the_hash(tiny, tiny_configs):
    # a list of widths and NumPy integers are stored as a tuple and ints: same run, same key
    a = tiny_configs()[0]
    same = replace(tiny, hidden=[16], n_steps=np.int64(20), discriminator_hidden=(np.int32(8),))
    assert same.hidden == (16,) and type(same.n_steps) is int
    assert replace(a, settings=same).key == a.key
    assert replace(a, seed=np.int64(a.seed)).key == a.key


def test_settings_checks():
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1; got 0"):
        st.StudySettings(n_steps=0)
    with pytest.raises(TypeError, match=r"n_steps must be an integer; got 2\.0"):
        st.StudySettings(n_steps=2.0)
    with pytest.raises(TypeError, match="num_eval must be an integer; got True"):
        st.StudySettings(num_eval=True)
    with pytest.raises(ValueError, match="downstream_small=100 must be below num_train=50"):
        st.StudySettings(num_train=50)
    with pytest.raises(ValueError, match=r"hidden must not be empty; got \(\)"):
        st.StudySettings(hidden=())
    with pytest.raises(ValueError, match=r"hidden\[1\] must be an integer >= 1; got 0"):
        st.StudySettings(hidden=(16, 0))
    with pytest.raises(TypeError, match="hidden must be a tuple; got 16"):
        st.StudySettings(hidden=16)
    with pytest.raises(TypeError, match=r"discriminator_hidden\[0\] must be an integer"):
        st.StudySettings(discriminator_hidden=(8.0,))
    with pytest.raises(ValueError, match="lr must be > 0; got 0.0"):
        st.StudySettings(lr=0)
    with pytest.raises(ValueError, match="lr must be finite; got nan"):
        st.StudySettings(lr=float("nan"))
    with pytest.raises(TypeError, match="lr must be a real number; got 'fast'"):
        st.StudySettings(lr="fast")


def test_preset_checks(tiny):
    grid = dict(datasets=("sprites16",), models=("beta_vae",), seeds=(0,), settings=tiny)
    with pytest.raises(TypeError, match="name must be a string; got int"):
        st.StudyPreset(name=1, **grid)
    with pytest.raises(ValueError, match=r"datasets\[0\] must be one of .*; got 'mnist'"):
        st.StudyPreset(name="p", **{**grid, "datasets": ("mnist",)})
    with pytest.raises(TypeError, match="datasets must be a tuple; got 'sprites16'"):
        st.StudyPreset(name="p", **{**grid, "datasets": "sprites16"})
    with pytest.raises(ValueError, match=r"models must not be empty"):
        st.StudyPreset(name="p", **{**grid, "models": ()})
    with pytest.raises(ValueError, match=r"seeds\[0\] must be an integer >= 0; got -1"):
        st.StudyPreset(name="p", **{**grid, "seeds": (-1,)})
    with pytest.raises(TypeError, match=r"seeds\[1\] must be an integer; got 0\.5"):
        st.StudyPreset(name="p", **{**grid, "seeds": (0, 0.5)})
    with pytest.raises(TypeError, match="settings must be a StudySettings; got dict"):
        st.StudyPreset(name="p", **{**grid, "settings": {}})
    with pytest.raises(ValueError, match="values key must be one of .*; got 'vae'"):
        st.StudyPreset(name="p", values={"vae": (1.0,)}, **grid)
    with pytest.raises(ValueError, match=r"values\['beta_vae'\]\[1\] must be > 0; got 0\.0"):
        st.StudyPreset(name="p", values={"beta_vae": (1.0, 0.0)}, **grid)


def test_run_config_checks(tiny):
    with pytest.raises(ValueError, match="dataset must be one of .*; got 'mnist'"):
        st.RunConfig("mnist", "beta_vae", 1.0, 0, tiny)
    with pytest.raises(ValueError, match="model must be one of .*; got 'vae'"):
        st.RunConfig("sprites16", "vae", 1.0, 0, tiny)
    with pytest.raises(ValueError, match="value must be > 0; got -1.0"):
        st.RunConfig("sprites16", "beta_vae", -1.0, 0, tiny)
    with pytest.raises(TypeError, match="value must be a real number; got '1'"):
        st.RunConfig("sprites16", "beta_vae", "1", 0, tiny)
    with pytest.raises(ValueError, match="seed must be an integer >= 0; got -1"):
        st.RunConfig("sprites16", "beta_vae", 1.0, -1, tiny)
    with pytest.raises(TypeError, match=r"seed must be an integer; got 1\.0"):
        st.RunConfig("sprites16", "beta_vae", 1.0, 1.0, tiny)
    with pytest.raises(TypeError, match="settings must be a StudySettings; got NoneType"):
        st.RunConfig("sprites16", "beta_vae", 1.0, 0, None)
    with pytest.raises(ValueError, match="base_seed must be an integer >= 0; got -5"):
        st.RunConfig("sprites16", "beta_vae", 1.0, 0, tiny, base_seed=-5)


def test_build_configs_checks():
    with pytest.raises(ValueError, match="preset must be one of .*; got 'huge'"):
        st.build_configs("huge")
    with pytest.raises(TypeError, match="preset must be a StudyPreset or one of .*; got int"):
        st.build_configs(3)
    with pytest.raises(ValueError, match="base_seed must be an integer >= 0; got -1"):
        st.build_configs("quick", base_seed=-1)
    with pytest.raises(TypeError, match=r"base_seed must be an integer; got 1\.5"):
        st.build_configs("quick", base_seed=1.5)


def test_dtype_setting_keeps_float64_keys_and_separates_float32_runs():
    import json
    from pathlib import Path

    base = st.build_configs("default")[0]
    assert base.settings.dtype == "float64"
    settings = base.as_dict()["settings"]
    assert "dtype" not in settings  # float64 runs hash as before the setting existed
    # the settings the committed study summary was computed with (by code that had no dtype)
    committed = Path(st.__file__).parents[2] / "figures" / "results" / "study.json"
    if committed.exists():
        stored = json.loads(committed.read_text())["results"].get("settings")
        if stored is not None:
            assert stored == settings
    f32 = replace(base, settings=replace(base.settings, dtype=np.float32))
    assert f32.settings.dtype == "float32" and f32.as_dict()["settings"]["dtype"] == "float32"
    assert f32.key != base.key and f32.filename != base.filename
    assert replace(base, settings=replace(base.settings, dtype="float64")).key == base.key
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        st.StudySettings(dtype="float16")
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        st.StudySettings(dtype=32)
