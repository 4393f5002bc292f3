"""Files without pickle: atomic JSON/npz writes, checked reads, checksums."""

import json
import os

import numpy as np
import pytest

from impossibility import _io


def test_json_round_trip_with_numpy_and_non_finite(tmp_path):
    payload = {"a": np.arange(3), "b": np.float64(0.5), "c": float("nan"), 1: (np.int64(2),)}
    path = _io.atomic_write_json(tmp_path / "sub" / "r.json", payload)
    got = _io.read_json(path)
    assert got == {"a": [0, 1, 2], "b": 0.5, "c": "nan", "1": [2]}
    text = path.read_text()
    assert text.endswith("\n") and text == json.dumps(got, indent=1, sort_keys=True) + "\n"
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temporary file left behind


def test_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "r.json"
    _io.atomic_write_json(path, {"x": 1})
    with pytest.raises(TypeError):
        _io.atomic_write_json(path, {"x": object()})
    assert _io.read_json(path) == {"x": 1}
    assert sorted(os.listdir(tmp_path)) == ["r.json"]


def test_corrupted_json_names_the_file(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"x": ')
    with pytest.raises(ValueError, match=r"r.json is not valid JSON"):
        _io.read_json(path)


def test_npz_round_trip_refuses_pickles(tmp_path):
    arrays = {"w": np.arange(6.0).reshape(2, 3), "name": np.array("vae")}
    path = _io.atomic_write_npz(tmp_path / "m.npz", arrays)
    got = _io.read_npz(path)
    np.testing.assert_array_equal(got["w"], arrays["w"])
    assert str(got["name"][()]) == "vae"
    np.savez(tmp_path / "p.npz", obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="not a readable .npz file"):
        _io.read_npz(tmp_path / "p.npz")
    (tmp_path / "t.npz").write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError, match="not a readable .npz file"):
        _io.read_npz(tmp_path / "t.npz")
    with pytest.raises(FileNotFoundError):
        _io.read_npz(tmp_path / "missing.npz")


def test_checksum_is_order_free_and_sensitive():
    a = {"x": np.ones(3), "y": np.zeros((2, 2))}
    b = {"y": np.zeros((2, 2)), "x": np.ones(3)}
    assert _io.array_checksum(a) == _io.array_checksum(b)
    c = {"x": np.ones(3), "y": np.zeros((4,))}  # same bytes, other shape
    assert _io.array_checksum(a) != _io.array_checksum(c)
    d = {"x": np.ones(3), "y": np.zeros((2, 2))}
    d["x"][1] = np.nextafter(1.0, 2.0)  # one ulp
    assert _io.array_checksum(a) != _io.array_checksum(d)
    # precision-independent: float32 weights hash as their (exact) float64 values
    assert _io.array_checksum({"x": np.ones(3, np.float32)}) == _io.array_checksum(
        {"x": np.ones(3)}
    )


def test_uint8_images_pack_to_json_and_back(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    packed = _io.pack_uint8(images)
    assert packed["shape"] == [3, 4, 5] and isinstance(packed["base64"], str)
    path = _io.atomic_write_json(tmp_path / "img.json", packed)
    np.testing.assert_array_equal(_io.unpack_uint8(_io.read_json(path)), images)


def test_payload_digest_ignores_layout_and_sees_every_number():
    a = {"b": [1, 2], "a": {"x": np.float64(0.25), "y": "s"}}
    b = json.loads(json.dumps({"a": {"y": "s", "x": 0.25}, "b": [1, 2]}, indent=3))
    assert _io.payload_digest(a) == _io.payload_digest(b)  # key order, NumPy scalars, indent
    edited = {"b": [1, 2], "a": {"x": np.nextafter(0.25, 1.0), "y": "s"}}
    assert _io.payload_digest(a) != _io.payload_digest(edited)  # one ulp
    assert _io.payload_digest({"v": float("nan")}) == _io.payload_digest({"v": "nan"})
