"""The study's locally generated data sets: :data:`DATASETS` (name → constructor arguments)
and :func:`make_dataset`.

Both are deterministic functions of their name: the sprites are rendered from their factors,
and the mixing draws its map from a fixed seed, so every process builds the same data.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

import numpy as np
from numpy.typing import NDArray

from impossibility._typing import Array, GroundTruthDataLike
from impossibility._validation import check_choice

__all__ = ["DATASETS", "StudyDataset", "make_dataset"]


class StudyDataset(GroundTruthDataLike, Protocol):
    """A ground-truth data set that also draws (factors, observations) pairs, for training."""

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Integer factors ``(n, K)`` and their observations ``(n, *observation_shape)``."""
        ...


#: Locally generated data sets by name: constructor arguments (see :func:`make_dataset`).
DATASETS: dict[str, dict[str, Any]] = {
    # dSprites-like, reduced: 3 shapes x 3 scales x 4 orientations x 6 x 6 positions, 16x16 px,
    # grey-level edges (2x2 supersampling) -> 1,296 distinct images.
    "sprites16": {
        "kind": "sprites",
        "image_size": 16,
        "num_scales": 3,
        "num_orientations": 4,
        "num_positions": 6,
        "sprite_radius": 0.2,
        "supersample": 2,
    },
    # 5 continuous independent factors (6 equal-probability bins each) through a random smooth
    # injective mixing into 64 dimensions, squashed to (0, 1).
    "mixing5": {
        "kind": "mixing",
        "num_factors": 5,
        "num_bins": 6,
        "observation_dim": 64,
        "mixing_seed": 7,
    },
}

# rendered image tables, one per sprite data set and process (see _tabulated_sprites)
_TABLES: dict[str, Array] = {}


def _tabulated_sprites(name: str, spec: Mapping[str, Any]) -> StudyDataset:
    """:class:`ProceduralSprites` whose images are looked up in a table of every factor
    combination, rendered once per process (rendering is a deterministic function of the
    factors, so the images are the same; only faster)."""
    from impossibility.data import ProceduralSprites

    class TabulatedSprites(ProceduralSprites):
        def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
            if name not in _TABLES:
                grid = np.stack(
                    np.meshgrid(*[np.arange(n) for n in self.factors_num_values], indexing="ij"),
                    axis=-1,
                ).reshape(-1, self.num_factors)
                _TABLES[name] = super()._observations(grid, rng)
            idx = np.ravel_multi_index(tuple(factors.T), self.factors_num_values)
            return _TABLES[name][idx]

    return TabulatedSprites(**spec)


def make_dataset(name: str) -> StudyDataset:
    """Build the data set ``name`` of :data:`DATASETS` (deterministic).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If it is not a key of :data:`DATASETS`.
    """
    check_choice(name, "name", DATASETS)
    from impossibility.data import ContinuousMixingData

    spec = dict(DATASETS[name])
    kind = spec.pop("kind")
    if kind == "sprites":
        return _tabulated_sprites(name, spec)
    seed = spec.pop("mixing_seed")
    return ContinuousMixingData.random(
        spec["num_factors"],
        np.random.default_rng(seed),
        num_bins=spec["num_bins"],
        observation_dim=spec["observation_dim"],
    )
