"""Names that sound alike: the commonest misspelling of a Chinese name is a homophone.

Names are typed with pinyin input methods, so 王静 becomes 王晶, 恒达 becomes 恒大: another
character of the same sound. Two names sound alike when they have the same length and, at
every position, the same character or two characters sharing a reading (tones dropped). A
polyphone's two commonest readings count (重 is zhong and chong, 行 xing and hang); its rare
ones do not (迭 is not da: 杭州恒通凯达 / 凯迭 is a typo, not a homophone). Readings come from
pypinyin's offline dictionary, commonest first, looked up once per character.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
from pypinyin import lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0304\u030c"))


@lru_cache(maxsize=65_536)
def readings(char: str) -> frozenset[str]:
    """The two commonest toneless readings of one character (itself when it has none: a letter,
    a digit)."""
    found = pinyin_dict.get(ord(char))
    if not found:
        return frozenset((char,))
    return frozenset(
        unicodedata.normalize("NFC", unicodedata.normalize("NFD", r).translate(_TONES))
        for r in found.split(",")[:2]
    )


def sounds_alike(a: str, b: str) -> bool:
    """Whether two different names of Chinese characters sound the same (see the module)."""
    if len(a) != len(b) or a == b or not a:
        return False
    return all(x == y or readings(x) & readings(y) for x, y in zip(a, b, strict=True))


def sound_alike_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sounds_alike(a[i], b[i]) of every pair of two object arrays of texts at once (False
    where either is None): the pairs of one length compared character by character in arrays
    of code points, each distinct character's readings looked up once."""
    a_lengths = _lengths(a, -1)
    among = np.flatnonzero((a_lengths == _lengths(b, -2)) & (a_lengths > 0))
    out = np.zeros(len(a), dtype=bool)
    if not len(among):
        return out
    left = _code_points(a[among].tolist())
    right = _code_points(b[among].tolist())
    lengths = a_lengths[among]
    starts = np.cumsum(lengths) - lengths
    chars, index = np.unique(np.concatenate((left, right)), return_inverse=True)
    numbers: dict[str, int] = {}
    first = np.empty(len(chars), dtype=np.int64)
    last = np.empty(len(chars), dtype=np.int64)
    for position, point in enumerate(chars.tolist()):
        heard = sorted(readings(chr(point)))  # one or two: they share one if an end is shared
        first[position] = numbers.setdefault(heard[0], len(numbers))
        last[position] = numbers.setdefault(heard[-1], len(numbers))
    a1, a2 = first[index[: len(left)]], last[index[: len(left)]]
    b1, b2 = first[index[len(left) :]], last[index[len(left) :]]
    fits = (left == right) | (a1 == b1) | (a1 == b2) | (a2 == b1) | (a2 == b2)
    differ = left != right
    out[among] = np.logical_and.reduceat(fits, starts) & np.logical_or.reduceat(differ, starts)
    return out


def _lengths(texts: np.ndarray, missing: int) -> np.ndarray:
    """len of each text of an object array, `missing` for None."""
    lengths = np.full(len(texts), missing, dtype=np.int64)
    present = np.flatnonzero(texts != None)  # noqa: E711 (elementwise)
    lengths[present] = np.fromiter(map(len, texts[present].tolist()), np.int64, len(present))
    return lengths


def _code_points(texts: list[str]) -> np.ndarray:
    """The code points of the texts one after another."""
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(joined, dtype=np.uint32)


@lru_cache(maxsize=65_536)
def spoken(text: str) -> str:
    """How `text` reads, for people: 王静 → wang jing."""
    return " ".join(lazy_pinyin(text))
