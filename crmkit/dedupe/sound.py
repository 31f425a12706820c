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


@lru_cache(maxsize=65_536)
def spoken(text: str) -> str:
    """How `text` reads, for people: 王静 → wang jing."""
    return " ".join(lazy_pinyin(text))
