"""The split's hash: a 64-bit number per unit text, defined by its arithmetic (not by any library's ``hash()``).

>>> unit_hashes(pa.array(["PassengerId 1", "2"]), seed=0)    # numpy uint64, one per text; None -> UNASSIGNED

A split ranks its units (ids, groups, or row texts) by this number, so the same rows give the same split on every
machine and with every DuckDB, pandas or numpy release. The text's UTF-8 bytes are read as little-endian 64-bit
words (the last one padded with zero bytes) and chained through splitmix64's finaliser (Steele, Lea and Flood,
2014; a bijection on 64-bit numbers)::

    acc = finalise(seed) ^ (length * 0x9E3779B97F4A7C15)
    for each word w:  acc = finalise(acc ^ w)
    h = finalise(acc + 0x9E3779B97F4A7C15)

:func:`reference_hash` is that definition in plain Python; :func:`unit_hashes` computes the same numbers for a whole
Arrow string array with numpy, a word at a time across all texts (an id of up to eight bytes is one word), which is
what makes hashing ten million ids cost a small part of reading them (DuckDB's ``md5`` of the same ids took longer
than reading the whole file). A missing unit (NULL) gets :data:`UNASSIGNED`, the largest number, so it is never
first in hash order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
UNASSIGNED = MASK


def finalise(z: int) -> int:
    """splitmix64's output function (a bijection on 64-bit numbers)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def reference_hash(text: str | None, seed: int) -> int:
    """The definition in plain Python: what :func:`unit_hashes` must agree with."""
    if text is None:
        return UNASSIGNED
    data = text.encode("utf-8")
    acc = finalise(seed & MASK) ^ ((len(data) * GOLDEN) & MASK)
    for start in range(0, len(data), 8):
        acc = finalise(acc ^ int.from_bytes(data[start : start + 8], "little"))
    return finalise((acc + GOLDEN) & MASK)


def unit_hashes(texts: pa.Array | pa.ChunkedArray, seed: int) -> np.ndarray:
    """:func:`reference_hash` of every text in ``texts`` (Arrow strings), vectorised; NULL gives UNASSIGNED."""
    if isinstance(texts, pa.ChunkedArray):
        parts = [unit_hashes(chunk, seed) for chunk in texts.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.string())
    count = len(texts)
    if count == 0:
        return np.zeros(0, dtype=np.uint64)
    _, offsets_buffer, data_buffer = texts.buffers()
    offset_type = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[texts.offset : texts.offset + count + 1].astype(np.int64)
    first, total = int(offsets[0]), int(offsets[-1] - offsets[0])
    padded = np.zeros(total + 8, dtype=np.uint8)  # a word may be read up to 7 bytes past the last text
    if total:
        padded[:total] = np.frombuffer(data_buffer, dtype=np.uint8, count=total, offset=first)
    words = np.ndarray((total + 1,), dtype="<u8", buffer=padded, strides=(1,))  # words[i]: 8 bytes from byte i
    starts, lengths = offsets[:-1] - first, np.diff(offsets)
    with np.errstate(over="ignore"):
        acc = np.uint64(finalise(seed & MASK)) ^ (lengths.astype(np.uint64) * np.uint64(GOLDEN))
        left = np.flatnonzero(lengths)  # texts with words still to read
        position, remaining = starts[left], lengths[left]
        while len(left):
            word = words[position]
            short = remaining < 8
            if short.any():  # the last word: keep only the text's own bytes
                bits = np.minimum(remaining, 7).astype(np.uint64) * np.uint64(8)
                word &= np.where(short, (np.uint64(1) << bits) - np.uint64(1), np.uint64(MASK))
            acc[left] = _finalise(acc[left] ^ word)
            more = remaining > 8
            left, position, remaining = left[more], position[more] + 8, remaining[more] - 8
        hashes = _finalise(acc + np.uint64(GOLDEN))
    if texts.null_count:
        hashes[np.asarray(texts.is_null())] = UNASSIGNED
    return hashes


def _finalise(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
