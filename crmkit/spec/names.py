"""The name vocabulary of schemas/names.toml — legal forms, places, trades, surnames — and
how a name is folded for comparing (繁→简, width, case, spaces). dedupe keys names by it;
export splits a person's name by its surnames."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmkit.errors import SpecError
from crmkit.spec.resources import data_dir
from crmkit.spec.tomlfile import read_toml
from crmkit.text.normalize import to_simplified

if TYPE_CHECKING:
    import numpy as np

PLACE_SUFFIXES = ("特别行政区", "自治区", "地区", "省", "市")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
_STORE = re.compile(r"[\u3400-\u9fff]{2}(?:分店|门店|店)$")


@dataclass(frozen=True)
class NameVocabulary:
    """Legal forms, branch and bracket words, organisation words, surnames and places."""

    legal_forms: tuple[str, ...]
    trailing_forms: re.Pattern[str]  # (name)(legal forms at the end), to fullmatch
    inner_forms: re.Pattern[str]  # legal forms anywhere (海尔集团青岛冰箱厂)
    latin_forms: re.Pattern[str]
    branch_words: tuple[str, ...]
    bracket_words: frozenset[str]
    organisation_words: re.Pattern[str]
    surnames: tuple[str, ...]

    @functools.cached_property
    def branch_at_end(self) -> re.Pattern[str]:
        """The branch word a text ends with, longest first (one search, not one per word)."""
        return re.compile("(?:" + "|".join(map(re.escape, self.branch_words)) + ")$")

    @functools.cached_property
    def surname_set(self) -> frozenset[str]:
        """The surnames, for a lookup by a name's first one or two characters."""
        return frozenset(self.surnames)

    province: dict[str, str]  # place → its province (a province maps to itself)
    latin_forms_words: frozenset[str] = frozenset()  # co, ltd, inc … as words of a Latin name
    generic_words: frozenset[str] = frozenset()  # restaurant, hotel … (Latin names)
    stop_words: frozenset[str] = frozenset()  # the, and … (Latin names)
    latin_places: dict[str, str] | None = None  # shanghai → 上海, hongkong → 香港
    trades: dict[str, str] | None = None  # trade word → its family (信息技术 → 科技)
    trade_at_end: re.Pattern[str] = re.compile(r"$^")
    latin_trades: dict[str, str] | None = None  # a trade word in Latin letters → its family

    def latin_trade(self, folded: str) -> str:
        """The trade family a folded name in Latin letters names by a word (Harbor Foods →
        食品; '' when none)."""
        for word in _NOT_WORD.split(folded):
            family = (self.latin_trades or {}).get(word)
            if family:
                return family
        return ""

    def business(self, key: str) -> tuple[str, str]:
        """The store (朝阳店) and the trade family (科技) a name key ends with ('' when none)."""
        store = ""
        found = _STORE.search(key)
        if found:
            store, key = found.group(), key[: found.start()]
        trade = self.trade_at_end.search(key)
        return store, (self.trades or {}).get(trade.group(), "") if trade else ""

    def other_business(self, a: str, b: str) -> str:
        """'建材 / 科技' when keys `a` and `b` name two stores or two trades, else ''."""
        store_a, trade_a = self.business(a)
        store_b, trade_b = self.business(b)
        if store_a and store_b and store_a != store_b:
            return f"{store_a} / {store_b}"
        if trade_a and trade_b and trade_a != trade_b:
            return f"{trade_a} / {trade_b}"
        return ""

    def place_at_start(self, text: str) -> tuple[str, int] | None:
        """The place `text` starts with and the length it takes (suffix included), or None."""
        for size in (4, 3, 2):
            head = text[:size]
            if head in self.province:
                end = size
                for suffix in PLACE_SUFFIXES:
                    if text.startswith(suffix, size):
                        end += len(suffix)
                        break
                return head, end
        return None

    def place_of(self, text: str) -> str | None:
        """The place `text` is (北京, 北京市, 广东省), or None."""
        for suffix in PLACE_SUFFIXES:
            if text.endswith(suffix) and text[: -len(suffix)] in self.province:
                return text[: -len(suffix)]
        if text in self.province:
            return text
        return (self.latin_places or {}).get(text)

    def compatible(self, a: str, b: str) -> bool:
        """Two places can be one customer's: equal, one missing, or a city and its province."""
        if not a or not b or a == b:
            return True
        return self.province.get(a) == b or self.province.get(b) == a


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> NameVocabulary:
    """The vocabulary in `path` (default: schemas/names.toml). Raises SpecError naming the entry."""
    path = path or data_dir("schemas") / "names.toml"
    raw = read_toml(path, SpecError, "name vocabulary")

    def words(key: str) -> list[str]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise SpecError(f"{path}: {key} must be a list of words")
        return [fold(v) for v in value]

    places = raw.get("places", {})
    if not isinstance(places, dict):
        raise SpecError(f"{path}: [places] must be a table of province = [cities]")
    province: dict[str, str] = {}
    for name, cities in places.items():
        if not isinstance(cities, list) or not all(isinstance(c, str) and c for c in cities):
            raise SpecError(f"{path}: places.{name} must be a list of city names")
        province.setdefault(fold(name), fold(name))
        for city in cities:
            province.setdefault(fold(city), fold(name))
    forms = words("legal_forms")
    latin = sorted((f for f in forms if f.isascii()), key=len, reverse=True)
    latin_pattern = re.compile(
        r"(?:[\s,.&]*\b(?:" + "|".join(map(re.escape, latin)) + r")\b\.?)+\s*$" if latin else r"$^"
    )
    chinese = sorted((f for f in forms if not f.isascii()), key=len, reverse=True)
    families = raw.get("trades", {})
    if not isinstance(families, dict) or not all(
        isinstance(v, list) and all(isinstance(w, str) and w for w in v) for v in families.values()
    ):
        raise SpecError(f"{path}: [trades] must be a table of family = [trade words]")
    trades = {fold(w): fold(family) for family, members in families.items() for w in members}
    latin_families = raw.get("latin_trades", {})
    if not isinstance(latin_families, dict) or not all(
        fold(family) in trades.values()
        and isinstance(v, list)
        and all(isinstance(w, str) and w for w in v)
        for family, v in latin_families.items()
    ):
        raise SpecError(f"{path}: [latin_trades] must map families of [trades] to lists of words")
    latin_trades = {fold(w): fold(f) for f, members in latin_families.items() for w in members}
    latin_places = raw.get("latin_places", {})
    if not isinstance(latin_places, dict) or not all(
        isinstance(v, str) and fold(v) in province for v in latin_places.values()
    ):
        raise SpecError(f"{path}: [latin_places] must map spellings to places of [places]")
    return NameVocabulary(
        legal_forms=tuple(chinese),
        trailing_forms=re.compile(
            r"(.+?)(?:" + "|".join(map(re.escape, chinese)) + r")+" if chinese else r"$^"
        ),
        inner_forms=re.compile(
            r"(?:" + "|".join(map(re.escape, chinese)) + r")+" if chinese else r"$^"
        ),
        latin_forms=latin_pattern,
        branch_words=tuple(sorted(words("branch_words"), key=len, reverse=True)),
        bracket_words=frozenset(words("bracket_words")),
        organisation_words=re.compile(
            "|".join(map(re.escape, words("organisation_words"))) or "$^"
        ),
        surnames=tuple(sorted(words("surnames"), key=len, reverse=True)),
        province=province,
        latin_forms_words=frozenset(latin),
        generic_words=frozenset(words("generic_words")),
        stop_words=frozenset(words("stop_words")),
        latin_places={compact(fold(k)): fold(v) for k, v in latin_places.items()},
        trades=trades,
        latin_trades=latin_trades,
        trade_at_end=re.compile(
            "(?:" + "|".join(map(re.escape, sorted(trades, key=len, reverse=True))) + ")$"
            if trades
            else r"$^"
        ),
    )


def fold(text: str) -> str:
    """NFKC, 繁→简, case-folded, spaces collapsed: how names and contacts are compared."""
    folded = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", to_simplified(folded).casefold()).strip()


def fold_many(texts: Sequence[str]) -> list[str]:
    """`fold` of each text, converting 繁→简 in one call (far faster than one call per text)."""
    if not texts:
        return []
    spaced = [_SPACES.sub(" ", unicodedata.normalize("NFKC", t)) for t in texts]
    simplified = to_simplified("\n".join(spaced)).split("\n")
    if len(simplified) != len(texts):  # a conversion that touched the separators: go one by one
        return [fold(t) for t in texts]
    return [s.casefold().strip() for s in simplified]


def compact(text: str) -> str:
    """A folded text without punctuation or spaces (张 伟 → 张伟, a.b-c → abc)."""
    return _NOT_WORD.sub("", text)


# What Arrow (RE2, byte-wise ASCII kernels) folds and compacts exactly as `fold` and `compact`
# do: ASCII, which NFKC leaves alone and whose only word characters are 0-9, A-Z and a-z, and
# CJK ideographs (U+3400-4DBF, U+4E00-9FFF: all assigned, no decomposition, no case, all \w).
IDEOGRAPHS = r"\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}"
_PRINTABLE = rf"^[\x20-\x7e{IDEOGRAPHS}]*$"  # no white space but the space: \s+ is " +"
_ASCII_OR_IDEOGRAPHS = rf"^[\x00-\x7f{IDEOGRAPHS}]*$"


def fold_array(texts: Any) -> Any:
    """`fold_many` of an Arrow string array without nulls, as a large_string array: a text of
    printable ASCII and CJK ideographs is folded in Arrow (spaces collapsed, ASCII lower-cased,
    trimmed; 繁→简 in one opencc call for those holding an ideograph: no opencc entry holds
    ASCII), every other text by fold_many. At a million names fold_many's NFKC and regular
    expression per name took seconds."""
    return _folded(texts)[0]


def fold_and_compact(texts: Any) -> tuple[Any, Any]:
    """fold_array of each text and compact_array of that (told which folded texts are ASCII or
    ideographs already)."""
    folded, known = _folded(texts)
    return folded, compact_array(folded, known)


def _folded(texts: Any) -> tuple[Any, np.ndarray]:
    """fold_array, and which folded texts are ASCII or ideographs alone."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from crmkit.text import arrow

    texts = texts.cast(pa.large_string())
    plain = arrow.flags(pc.match_substring_regex(texts, _PRINTABLE))
    spaced = texts
    if pc.any(pc.match_substring(texts, "  ")).as_py():
        spaced = pc.replace_substring_regex(texts, " +", " ")
    chinese = plain & ~arrow.flags(pc.string_is_ascii(texts))
    known = plain.copy()
    at = np.flatnonzero(chinese)
    if len(at):
        converted = _simplified(spaced.take(pa.array(at)))
        if converted is None:  # a conversion that touched the separators: fold_many does it
            plain &= ~chinese
            known = plain.copy()
        else:
            # 繁→简 made of a text something Arrow cannot fold exactly: casefold, strip
            odd = ~arrow.flags(pc.match_substring_regex(converted, _PRINTABLE))
            converted = _patched(converted, odd, lambda t: [s.casefold().strip() for s in t])
            spaced = pc.replace_with_mask(spaced, arrow.mask(chinese), converted)
            known[at[odd]] = False
    lowered = pc.utf8_trim(pc.ascii_lower(spaced), characters=" ")
    return _patched(lowered, ~plain, fold_many, texts), known


def compact_array(texts: Any, known: np.ndarray | None = None) -> Any:
    """`compact` of each text of an Arrow string array without nulls (large_string): in Arrow
    for ASCII and CJK ideographs (`known`: which texts are, if known), by `compact` for other
    text."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from crmkit.text import arrow

    texts = texts.cast(pa.large_string())
    if known is None:
        odd = ~arrow.flags(pc.match_substring_regex(texts, _ASCII_OR_IDEOGRAPHS))
    else:
        odd = np.zeros(len(texts), dtype=bool)
        unknown = np.flatnonzero(~known)
        if len(unknown):
            checked = pc.match_substring_regex(texts.take(pa.array(unknown)), _ASCII_OR_IDEOGRAPHS)
            odd[unknown] = ~arrow.flags(checked)
    # Most names hold nothing to take out: replace in those that do only.
    dropped = rf"[^0-9A-Za-z{IDEOGRAPHS}]"
    holding = arrow.flags(pc.match_substring_regex(texts, dropped)) & ~odd
    done = texts
    if holding.any():
        made = pc.replace_substring_regex(texts.filter(arrow.mask(holding)), dropped + "+", "")
        done = pc.replace_with_mask(texts, arrow.mask(holding), made)
    return _patched(done, odd, lambda t: [compact(s) for s in t], texts)


def _patched(
    done: Any, odd: np.ndarray, make: Callable[[list[str]], list[str]], texts: Any = None
) -> Any:
    """`done`, with what `make` makes of the `texts` (default: `done`) where `odd`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from crmkit.text import arrow

    if not odd.any():
        return done
    source = done if texts is None else texts
    made = make(source.filter(arrow.mask(odd)).to_pylist())
    return pc.replace_with_mask(done, arrow.mask(odd), pa.array(made, type=pa.large_string()))


def _simplified(texts: Any) -> Any:
    """`to_simplified` of each text (large_string, no new lines in them: spaces are collapsed),
    in one call over the texts joined by new lines; None when the conversion touched them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    whole = pa.LargeListArray.from_arrays(pa.array([0, len(texts)], pa.int64()), texts)
    joined = pc.binary_join(whole, pa.scalar("\n", pa.large_string()))[0].as_py()
    split = pc.split_pattern(pa.array([to_simplified(joined)], pa.large_string()), "\n")
    parts = split.flatten()
    return parts if len(parts) == len(texts) else None
