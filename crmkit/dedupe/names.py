"""Name keys: what two spellings of one customer's name share, and the place set aside as evidence.

北京星辰科技有限公司, 星辰科技(北京)有限公司 and 星辰科技 share the key 星辰科技; the first two
also carry the place 北京, so that 上海星辰科技有限公司 (same key, place 上海) stays apart. The
vocabulary (legal forms, places, surnames) is data: schemas/names.toml.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from crmkit.errors import SpecError
from crmkit.spec.resources import data_dir
from crmkit.spec.tomlfile import read_toml
from crmkit.text.normalize import to_simplified

_PLACE_SUFFIXES = ("特别行政区", "自治区", "地区", "省", "市")
_BRACKET = re.compile(r"[(\[{【〔「『]([^)\]}】〕」』]*)[)\]}】〕」』]")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]")
_APOSTROPHE = re.compile(r"['’`]")
_STORE = re.compile(r"[\u3400-\u9fff]{2}(?:分店|门店|店)$")
_LATIN_HEAD = re.compile(r"[a-z]+(?=[\u3400-\u9fff])")


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
                for suffix in _PLACE_SUFFIXES:
                    if text.startswith(suffix, size):
                        end += len(suffix)
                        break
                return head, end
        return None

    def place_of(self, text: str) -> str | None:
        """The place `text` is (北京, 北京市, 广东省), or None."""
        for suffix in _PLACE_SUFFIXES:
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


@dataclass(frozen=True)
class NameKey:
    """The key a name is matched by, the place set aside, and whether it looks like a person's."""

    key: str
    place: str
    personal: bool
    words: str = ""  # a Latin name's words, sorted, generic words aside (see _latin_key)


def _strip_forms(text: str, vocab: NameVocabulary) -> str:
    """`text` without the legal forms it ends with (only those: what follows a form is kept)."""
    found = vocab.trailing_forms.fullmatch(text)
    return found.group(1) if found else text


def _split_at_form(text: str, vocab: NameVocabulary) -> tuple[str, str | None]:
    """A name with a legal form inside it (海尔集团青岛冰箱厂, 中国移动通信集团北京): the brand
    before the form joined to what follows it, and the place that follows, set aside.

    What follows a legal form (a plant, a branch, a city) is evidence: 海尔集团青岛冰箱厂 and
    海尔集团合肥洗衣机厂 are two customers, 中国移动通信集团北京 and …上海 two branches.
    """
    for found in vocab.inner_forms.finditer(text):
        head, tail = text[: found.start()], text[found.end() :]
        if len(head) < 2 or not tail:
            continue
        place: str | None = None
        at_start = vocab.place_at_start(tail)
        if at_start is not None:
            place, tail = at_start[0], tail[at_start[1] :]
        else:
            at_end = _place_at_end(tail, vocab)
            if at_end is not None:
                place, tail = at_end[0], tail[: -at_end[1]]
        return head + _strip_forms(tail, vocab), place
    return text, None


def _is_person(name: str, vocab: NameVocabulary) -> bool:
    if not _CJK.fullmatch(name) or not 2 <= len(name) <= 4:
        return False
    if vocab.organisation_words.search(name):
        return False
    known = vocab.surname_set
    for size in (2, 1):  # 欧阳 before 欧
        if name[:size] in known:
            return 1 <= len(name) - size <= 2
    return False


def key_of(folded: str, vocab: NameVocabulary) -> NameKey:
    """The name key of a folded name (see `fold`)."""
    places: list[str] = []
    kept: list[str] = []
    position = 0
    for match in _BRACKET.finditer(folded):
        kept.append(folded[position : match.start()])
        inner = compact(match.group(1))
        place = vocab.place_of(inner)
        if place is not None:
            places.append(place)
        elif inner not in vocab.bracket_words and _strip_forms(inner, vocab) == inner:
            kept.append(inner)
        position = match.end()
    kept.append(folded[position:])
    if _LATIN.search(folded) and not _CJK.search("".join(kept)):
        return _latin_key(" ".join(kept), places, vocab)
    text = compact(vocab.latin_forms.sub("", "".join(kept)))
    latin_head = _LATIN_HEAD.match(text)  # Hong Kong腾宇中餐厅: a place in Latin letters
    if latin_head and vocab.latin_places and latin_head.group() in vocab.latin_places:
        places.append(vocab.latin_places[latin_head.group()])
        text = text[latin_head.end() :]
    branch = vocab.branch_at_end.search(text) if vocab.branch_words else None
    if branch is not None:
        stem = text[: branch.start()]
        at_end = _place_at_end(stem, vocab)
        if at_end is not None:
            places.append(at_end[0])
            text = stem[: -at_end[1]]
    text, inner_place = _split_at_form(_strip_forms(text, vocab), vocab)
    if inner_place is not None:
        places.append(inner_place)
    # One leading place (北京…), or a province and one of its cities (广东省深圳市…): a second
    # place of another province is more likely part of the brand (成都信阳本广告).
    leading: list[str] = []
    while len(leading) < 2:
        found = vocab.place_at_start(text)
        if found is None or len(_strip_forms(text[found[1] :], vocab)) < 2:
            break
        if leading and not (
            vocab.province[leading[0]] == leading[0] and vocab.province[found[0]] == leading[0]
        ):
            break
        leading.append(found[0])
        text = text[found[1] :]
    places = leading + places
    text = _strip_forms(text, vocab)
    whole = compact(folded)
    # The most specific place: a city over its province.
    place = next((p for p in reversed(places) if vocab.province.get(p) != p), "")
    place = place or (places[-1] if places else "")
    return NameKey(text or whole, place, _is_person(whole, vocab))


def _latin_key(text: str, places: list[str], vocab: NameVocabulary) -> NameKey:
    """The key of a name in Latin letters: its words sorted (Hotel Sunrise = Sunrise Hotel),
    without legal forms, stop words (the, and) and places, which are set aside — unless nothing
    else is left. `words` is the same without generic words too (restaurant, hotel …): what
    two spellings of one name share (Sunrise / The Sunrise Hotel), compared beside a shared
    phone, e-mail or contact; the key keeps them, so that Amber Cafe and Amber Hotel are not
    the same name on their own."""
    words = [w for w in _NOT_WORD.split(_APOSTROPHE.sub("", text)) if w]
    named = [w for w in words if w not in vocab.latin_forms_words] or words
    core: list[str] = []
    found: list[str] = []
    position = 0
    while position < len(named):
        two = "".join(named[position : position + 2]) if position + 1 < len(named) else ""
        place = vocab.place_of(two) if two else None
        if place is not None:
            found.append(place)
            position += 2
            continue
        place = vocab.place_of(named[position])
        if place is not None:
            found.append(place)
        else:
            core.append(named[position])
        position += 1
    if not core:
        core, found = named, []
    keyed = sorted(w for w in core if w not in vocab.stop_words) or sorted(core)
    kept = sorted(w for w in keyed if w not in vocab.generic_words) or keyed
    places = places + found
    return NameKey(
        "".join(keyed) or compact(text), places[-1] if places else "", False, " ".join(kept)
    )


def _place_at_end(text: str, vocab: NameVocabulary) -> tuple[str, int] | None:
    for size in range(min(len(text), 9), 1, -1):
        place = vocab.place_of(text[-size:])
        if place is not None:
            return place, size
    return None


def name_keys(names: Sequence[str], vocab: NameVocabulary | None = None) -> list[NameKey]:
    """The name key of each name."""
    vocab = vocab or load_vocabulary()
    return [key_of(folded, vocab) for folded in fold_many(names)]
