"""How a run is named: a stable integer of a text, and the file name of a run record.

Both enter results that must not depend on the process (Python's ``hash`` of a string is
salted per process), so they use CRC-32 and the record's own fields only.
"""

from __future__ import annotations

import zlib
from typing import Any, Mapping


def stable_int(text: str) -> int:
    """CRC-32 of ``text``: the same integer in every process and on every machine."""
    return zlib.crc32(text.encode())


def record_filename(record: Mapping[str, Any]) -> str:
    """``<data>-<model>-<value>-s<seed>-<key>.json`` of a record with ``config`` and ``key``."""
    c = record["config"]
    return f"{c['dataset']}-{c['model']}-{float(c['value']):g}-s{c['seed']}-{record['key']}.json"
