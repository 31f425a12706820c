"""Name keys: what two spellings of one customer's name share, and the place set aside as evidence.

北京星辰科技有限公司, 星辰科技(北京)有限公司 and 星辰科技 share the key 星辰科技; the first two
also carry the place 北京, so that 上海星辰科技有限公司 (same key, place 上海) stays apart. The
vocabulary (legal forms, places, surnames) is data: schemas/names.toml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crmkit.spec.names import NameVocabulary, compact, fold_many, load_vocabulary

_BRACKET = re.compile(r"[(\[{【〔「『]([^)\]}】〕」』]*)[)\]}】〕」』]")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]")
_APOSTROPHE = re.compile(r"['’`]")
_LATIN_HEAD = re.compile(r"[a-z]+(?=[\u3400-\u9fff])")


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
