"""Name keys: what two spellings of one customer's name share, and the place set aside as evidence.

北京星辰科技有限公司, 星辰科技(北京)有限公司 and 星辰科技 share the key 星辰科技; the first two
also carry the place 北京, so that 上海星辰科技有限公司 (same key, place 上海) stays apart. The
vocabulary (legal forms, places, surnames) is data: schemas/names.toml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from crmkit.spec.names import (
    PLACE_SUFFIXES,
    NameVocabulary,
    compact,
    compact_array,
    fold_many,
    load_vocabulary,
)
from crmkit.text import arrow

_BRACKET = re.compile(r"[(\[{【〔「『]([^)\]}】〕」』]*)[)\]}】〕」』]")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]")
_APOSTROPHE = re.compile(r"['’`]")
_LATIN_HEAD = re.compile(r"[a-z]+(?=[\u3400-\u9fff])")
# What sends a name down key_of's general path: an opening bracket or a Latin letter.
_PLAIN = re.compile(r"[a-z(\[{【〔「『]")


@dataclass(frozen=True)
class NameKey:
    """The key a name is matched by, the place set aside, and whether it looks like a person's."""

    key: str
    place: str
    personal: bool
    words: str = ""  # a Latin name's words, sorted, generic words aside (see _latin_key)


def _strip_forms(text: str, vocab: NameVocabulary) -> str:
    """`text` without the legal forms it ends with (only those: what follows a form is kept)."""
    # A text that does not end as a form ends cannot end with one: no regular expression then.
    if text[-1:] not in _ends_of(vocab).form_ends:
        return text
    found = vocab.trailing_forms.fullmatch(text)
    return found.group(1) if found else text


@dataclass(frozen=True)
class _Ends:
    """What a vocabulary's words end and start with, to skip a regular expression that cannot
    match (key_of runs once per distinct name: a million of them at 1M rows)."""

    form_ends: frozenset[str]  # last characters of the legal forms
    branch_ends: frozenset[str]  # last characters of the branch words
    place_heads: frozenset[str]  # first two characters of the places
    plain_ok: bool  # every Latin legal form holds a letter a-z (see keys_of)
    ascii_places: dict[str, str]  # place_of of every ASCII text that is a place


_ENDS: dict[int, tuple[NameVocabulary, _Ends]] = {}


def _ends_of(vocab: NameVocabulary) -> _Ends:
    found = _ENDS.get(id(vocab))
    if found is None or found[0] is not vocab:
        ends = _Ends(
            frozenset(f[-1] for f in vocab.legal_forms),
            frozenset(w[-1] for w in vocab.branch_words),
            frozenset(p[:2] for p in vocab.province),
            all(_LATIN.search(f) for f in vocab.latin_forms_words),
            {
                **(vocab.latin_places or {}),
                **{p: p for p in vocab.province if p.isascii()},
            },
        )
        found = _ENDS[id(vocab)] = (vocab, ends)
    return found[1]


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
    if not 2 <= len(name) <= 4 or not _CJK.fullmatch(name):
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
    key, place, personal, words, _ = key_parts(folded, vocab)
    return NameKey(key, place, personal, words)


def key_parts(folded: str, vocab: NameVocabulary) -> tuple[str, str, bool, str, str]:
    """key_of's key, place, personal and words of a folded name, and the name compacted
    (`compact(folded)`), as a plain tuple: made once per distinct name."""
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
        return (*_latin_key(" ".join(kept), places, vocab), compact(folded))
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
    leading, text = _leading_places(text, vocab)
    text = _strip_forms(text, vocab)
    whole = compact(folded)
    place = _most_specific(leading + places, vocab)
    return text or whole, place, _is_person(whole, vocab), "", whole


def _leading_places(text: str, vocab: NameVocabulary) -> tuple[list[str], str]:
    """The places `text` starts with, and the rest: one place (北京…), or a province and one of
    its cities (广东省深圳市…); a second place of another province is more likely part of the
    brand (成都信阳本广告). A place is taken only when two characters (legal forms aside) are
    left."""
    heads = _ends_of(vocab).place_heads
    leading: list[str] = []
    while len(leading) < 2 and text[:2] in heads:
        found = vocab.place_at_start(text)
        if found is None:
            break
        rest = text[found[1] :]
        if len(_strip_forms(rest, vocab)) < 2:
            break
        if leading and not (
            vocab.province[leading[0]] == leading[0] and vocab.province[found[0]] == leading[0]
        ):
            break
        leading.append(found[0])
        text = rest
    return leading, text


def _most_specific(places: list[str], vocab: NameVocabulary) -> str:
    """The most specific of a name's places: the last city over its province."""
    if not places:
        return ""
    place = next((p for p in reversed(places) if vocab.province.get(p) != p), "")
    return place or places[-1]


@dataclass(frozen=True)
class KeyColumns:
    """key_parts of many names as columns: Arrow large_string arrays, personal numpy bools."""

    key: Any  # key, place and words: the name at i's at rows[i]
    place: Any
    personal: np.ndarray  # personal and whole: in the names' order
    words: Any
    whole: Any
    rows: np.ndarray


def key_columns(folded: Any, vocab: NameVocabulary, whole: Any = None) -> KeyColumns:
    """key_parts of each folded name of an Arrow string array without nulls, most of them in
    Arrow kernels over all names at once (a Python look per name was most of a million-row
    dedupe's pooling): a bracket holding a place is set aside, then a name of Chinese text
    loses its trailing legal forms and leading places and is told a person's by regular
    expressions (RE2) over the column, and a name of ASCII words is keyed over the words of
    all such names. Only names with more to untangle (another bracket, a legal form inside, a
    branch word at the end, a Latin legal form or place stuck to Chinese text) take key_parts'
    way, one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    folded = folded.cast(pa.large_string())
    count = len(folded)
    whole = compact_array(folded) if whole is None else whole
    texts, bracket, latin, held = _arrow_brackets(folded, vocab)
    compacted = whole
    if held.any():
        inside = arrow.mask(held)
        compacted = pc.replace_with_mask(whole, inside, compact_array(texts.filter(inside)))
    rest = np.ones(count, dtype=bool)
    if not _ends_of(vocab).plain_ok:
        rest[:] = True
        alone = np.zeros(count, dtype=bool)
    else:
        alone = ~latin & arrow.flags(pc.match_substring_regex(texts, _CHINESE_ALONE))
        alone &= ~_latin_head_places(compacted, vocab)
    at = np.flatnonzero(alone)
    stripped, inside, branch = _arrow_forms(compacted.take(pa.array(at)), vocab)
    simple = ~(inside | branch)
    at, stripped = at[simple], stripped.filter(arrow.mask(simple))
    wholes = whole.take(pa.array(at))
    text, place = _arrow_leading_places(stripped, vocab)
    place = _most_specific_of_two(place, bracket.take(pa.array(at)), vocab)
    personal = np.zeros(count, dtype=bool)
    personal[at] = _arrow_persons(wholes, vocab)
    rest[at] = False
    ascii_words = np.flatnonzero(
        rest & latin & arrow.flags(pc.match_substring_regex(texts, f"^{_NOT_OPENING}$"))
    )
    taken = pa.array(ascii_words)
    latin_keys, latin_place, latin_words, odd = _arrow_latin_keys(
        texts.take(taken), compacted.take(taken), bracket.take(taken), vocab
    )
    rest[ascii_words[~odd]] = False
    others = np.flatnonzero(rest)
    parts = [key_parts(name, vocab) for name in folded.take(pa.array(others)).to_pylist()]
    personal[others] = [p[2] for p in parts]
    # Each column: the Chinese names' values, the Latin names', then the others'; `rows`
    # tells where each name's are.
    rows = np.empty(count, dtype=np.int64)
    rows[np.concatenate([at, ascii_words[~odd], others])] = np.arange(count)
    done = arrow.mask(~odd)

    def column(simple_values: Any, latin_values: Any, number: int) -> Any:
        made = pa.array([p[number] for p in parts], type=pa.large_string())
        return pa.concat_arrays([simple_values, latin_values.filter(done), made])

    empty = pa.scalar("", pa.large_string())
    return KeyColumns(
        key=column(pc.if_else(pc.equal(text, ""), wholes, text), latin_keys, 0),
        place=column(place, latin_place, 1),
        personal=personal,
        words=column(pa.repeat(empty, len(at)), latin_words, 3),
        whole=whole,
        rows=rows,
    )


_OPENING = "(\\[{【〔「『"
_CLOSING = ")\\]}】〕」』"
_NOT_BRACKET = f"[^{_OPENING}{_CLOSING}]*"
# ASCII but the opening brackets ( [ {
_NOT_OPENING = r"[\x00-\x27\x29-\x5a\x5c-\x7a\x7c-\x7f]*"
_IDEOGRAPH = r"[\x{3400}-\x{9fff}]"
_NOT_IDEOGRAPH = r"[^\x{3400}-\x{9fff}]*"
# What key_parts keys as Chinese text with nothing more than _strip_forms, _leading_places and
# _is_person to do once inner forms and branch words are ruled out: no opening bracket, and no
# Latin letter or else an end no Latin legal form can match (an ideograph).
_CHINESE_ALONE = f"^[^{_OPENING}a-z]*$|^[^{_OPENING}]*{_IDEOGRAPH}$"


def _arrow_brackets(folded: Any, vocab: NameVocabulary) -> tuple[Any, Any, np.ndarray, np.ndarray]:
    """What key_parts' look at brackets makes of a name with one bracket (星辰科技(北京)有限公司,
    sunrise hotel (shanghai) co, 宏嘉家具(朝阳店)): the place it holds, set aside, or else
    what it holds (compacted) kept, unless a bracket word or legal form; the text kept ("" or
    " " joined, as key_parts joins it for a Chinese or a Latin key) and the place; other names
    as they are, place ''. And which names it keys as Latin ones (a letter in the name, no
    ideograph in the text kept), and which had their bracket taken out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(folded)
    empty = pa.scalar("", pa.large_string())
    space = pa.scalar(" ", pa.large_string())
    one = np.flatnonzero(
        arrow.flags(
            pc.match_substring_regex(
                folded, f"^{_NOT_BRACKET}[{_OPENING}]{_NOT_BRACKET}[{_CLOSING}]{_NOT_BRACKET}$"
            )
        )
    )
    pattern = (
        f"^(?P<before>{_NOT_BRACKET})[{_OPENING}](?P<inner>{_NOT_BRACKET})[{_CLOSING}]"
        f"(?P<after>{_NOT_BRACKET})$"
    )
    parts = pc.extract_regex(folded.take(pa.array(one)), pattern)
    inner = compact_array(parts.field("inner"))
    distinct = pc.unique(inner)
    found = [vocab.place_of(i) for i in distinct.to_pylist()]
    kept_inner = [
        place is None and i not in vocab.bracket_words and _strip_forms(i, vocab) == i
        for i, place in zip(distinct.to_pylist(), found, strict=True)
    ]
    which = pc.index_in(inner, value_set=distinct)
    place = pc.fill_null(pc.take(pa.array(found, pa.large_string()), which), "")
    held = pc.if_else(pc.take(pa.array(kept_inner, pa.bool_()), which), inner, empty)
    before, after = parts.field("before"), parts.field("after")
    kept = pc.binary_join_element_wise(before, held, after, empty)
    latin = arrow.flags(
        pc.match_substring_regex(folded, f"^{_NOT_IDEOGRAPH}[a-z]{_NOT_IDEOGRAPH}$")
    )
    has_letter = arrow.flags(pc.match_substring_regex(folded.take(pa.array(one)), "[a-z]"))
    latin_kept = has_letter & ~arrow.flags(pc.match_substring_regex(kept, _IDEOGRAPH))
    latin[one] = latin_kept
    spaced = pc.if_else(
        pc.equal(held, ""),
        pc.binary_join_element_wise(before, after, space),
        pc.binary_join_element_wise(before, held, after, space),
    )
    in_one = np.zeros(count, dtype=bool)
    in_one[one] = True
    at = arrow.mask(in_one)
    texts = pc.replace_with_mask(folded, at, pc.if_else(arrow.mask(latin_kept), spaced, kept))
    places = pc.replace_with_mask(pa.repeat(empty, count), at, place)
    return texts, places, latin, in_one


def _latin_head_places(texts: Any, vocab: NameVocabulary) -> np.ndarray:
    """Which compacted texts start with Latin letters that are a place, stuck to an ideograph
    (hongkong腾宇中餐厅): key_parts' Latin head."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = np.zeros(len(texts), dtype=bool)
    if not vocab.latin_places:
        return found
    at = np.flatnonzero(arrow.flags(pc.match_substring_regex(texts, f"^[a-z]+{_IDEOGRAPH}")))
    heads = pc.extract_regex(texts.take(pa.array(at)), f"^(?P<head>[a-z]+){_IDEOGRAPH}")
    keys = pa.array(list(vocab.latin_places), pa.large_string())
    found[at] = arrow.flags(pc.is_in(heads.field("head"), value_set=keys))
    return found


def _most_specific_of_two(leading: Any, bracket: Any, vocab: NameVocabulary) -> Any:
    """_most_specific(leading + [bracket]) of each name, given the place its leading places
    come to (the last, see _arrow_leading_places; '' when none) and its bracket's place ('' when
    none): the bracket's when it is a city, or no other is one, else the leading one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.array(list(vocab.province), type=pa.large_string())
    provinces = pa.array(list(vocab.province.values()), type=pa.large_string())

    def city(places: Any) -> Any:
        # as _most_specific's province.get(p) != p: a place of no province counts as a city
        known = pc.take(provinces, pc.index_in(places, keys))
        return pc.fill_null(pc.not_equal(known, places), True)

    take_bracket = pc.or_(pc.equal(leading, ""), pc.or_(city(bracket), pc.invert(city(leading))))
    chosen = pc.if_else(take_bracket, bracket, leading)
    return pc.if_else(pc.equal(bracket, ""), leading, chosen)


def _arrow_latin_keys(
    names: Any, wholes: Any, brackets: Any, vocab: NameVocabulary
) -> tuple[Any, Any, Any, Any]:
    """_latin_key of each ASCII name without brackets (`wholes` compacted, `brackets` the place
    of a bracket set aside, or ''), in Arrow over the words of all names: key, place and words,
    and which names are left to _latin_key (two places of two words each overlap: hong kong
    kong..., where its scan decides)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(names)
    text = pc.replace_substring_regex(names, "['`]", "")
    split = pc.split_pattern_regex(text, "[^0-9A-Za-z]+")
    parent = np.asarray(pc.list_parent_indices(split))
    words = pc.list_flatten(split)
    kept = arrow.flags(pc.not_equal(words, ""))
    parent, words = parent[kept], words.filter(arrow.mask(kept))

    def among(values: frozenset[str]) -> np.ndarray:
        return arrow.flags(pc.is_in(words, value_set=pa.array(sorted(values), pa.large_string())))

    def each(flags: np.ndarray) -> np.ndarray:  # per word: how many words of its name are flags
        return np.bincount(parent, weights=flags, minlength=count)[parent]

    form = among(vocab.latin_forms_words)
    named = ~form | (each(~form) == 0)
    parent, words = parent[named], words.filter(arrow.mask(named))
    places = _ends_of(vocab).ascii_places
    keys = pa.array(list(places), pa.large_string())
    values = pa.array(list(places.values()), pa.large_string())
    single = pc.take(values, pc.index_in(words, value_set=keys))
    size = len(words)
    with_next = np.zeros(size, dtype=bool)
    with_next[:-1] = parent[:-1] == parent[1:]
    nothing = pa.scalar("", pa.large_string())
    pair = pc.binary_join_element_wise(words, pa.concat_arrays([words[1:], words[:1]]), nothing)
    paired = pc.take(values, pc.index_in(pair, value_set=keys))
    pair_at = with_next & arrow.flags(pc.is_valid(paired))
    second = np.zeros(size, dtype=bool)
    second[1:] = pair_at[:-1]
    odd = np.zeros(count, dtype=bool)
    odd[parent[pair_at & second]] = True
    alone = ~pair_at & ~second
    place_at = alone & arrow.flags(pc.is_valid(single))
    core = alone & ~place_at
    lost = each(core) == 0  # no word but places: all words are the key, no place
    core |= lost
    found = np.flatnonzero((pair_at | place_at) & ~lost)
    last = np.full(count, -1, dtype=np.int64)
    np.maximum.at(last, parent[found], found)
    found_place = pc.if_else(arrow.mask(pair_at), paired, single)
    place = brackets
    if len(found):
        place = pc.fill_null(found_place.take(pa.array(np.maximum(last, 0))), "")
        place = pc.if_else(arrow.mask(last >= 0), place, brackets)
    keyed = core & (~among(vocab.stop_words) | (each(core & ~among(vocab.stop_words)) == 0))
    generic = among(vocab.generic_words)
    shown = keyed & (~generic | (each(keyed & ~generic) == 0))

    def joined(flags: np.ndarray, separator: str) -> Any:
        table = pa.table({"name": parent[flags], "word": words.filter(arrow.mask(flags))})
        table = table.sort_by([("name", "ascending"), ("word", "ascending")])
        offsets = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(parent[flags], minlength=count), out=offsets[1:])
        lists = pa.LargeListArray.from_arrays(pa.array(offsets), table["word"].combine_chunks())
        return pc.binary_join(lists, pa.scalar(separator, pa.large_string()))

    key = joined(keyed, "")
    key = pc.if_else(pc.equal(key, ""), wholes, key)
    return key, place, joined(shown, " "), odd


def keys_of(names: Sequence[str], vocab: NameVocabulary) -> list[tuple[str, str, bool, str, str]]:
    """key_parts of each folded name (key_columns, as tuples)."""
    import pyarrow as pa

    columns = key_columns(pa.array(list(names), type=pa.large_string()), vocab)
    rows = pa.array(columns.rows)
    return list(
        zip(
            columns.key.take(rows).to_pylist(),
            columns.place.take(rows).to_pylist(),
            columns.personal.tolist(),
            columns.words.take(rows).to_pylist(),
            columns.whole.to_pylist(),
            strict=True,
        )
    )


def _arrow_forms(texts: Any, vocab: NameVocabulary) -> tuple[Any, np.ndarray, np.ndarray]:
    """Each text without the legal forms it ends with (_strip_forms), whether a legal form is
    left inside it, and whether it ends with a branch word: in Arrow, one call over all texts
    (RE2 keeps the submatch a backtracking engine finds)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(texts)
    if vocab.branch_words:
        words = "|".join(map(re.escape, vocab.branch_words))
        branch = arrow.flags(pc.match_substring_regex(texts, pattern=f"(?:{words})$"))
    else:
        branch = np.zeros(count, dtype=bool)
    if not vocab.legal_forms:
        return texts, np.zeros(count, dtype=bool), branch
    forms = "|".join(map(re.escape, vocab.legal_forms))
    # The legal forms from the leftmost place they run to the end from: what `^(.+?)(?:…)+$`
    # keeps, but for a text of forms alone (RE2 finds this without captures, four times faster)
    stripped = pc.replace_substring_regex(texts, pattern=f"(?:{forms})+$", replacement="")
    emptied = arrow.flags(pc.and_(pc.equal(stripped, ""), pc.not_equal(texts, "")))
    if emptied.any():
        alone = texts.filter(arrow.mask(emptied)).to_pylist()
        made = pa.array([_strip_forms(t, vocab) for t in alone], pa.large_string())
        stripped = pc.replace_with_mask(stripped, arrow.mask(emptied), made)
    inside = arrow.flags(pc.match_substring_regex(stripped, pattern=f"(?:{forms})"))
    return stripped, inside, branch


def _arrow_leading_places(texts: Any, vocab: NameVocabulary) -> tuple[Any, Any]:
    """_leading_places of each text (which holds no legal form) and _most_specific of the
    places found, in Arrow: the rest of each text and its place ('' when none). A place is what
    place_at_start finds; a second one only after a province, and of it (a city of it, or
    itself again, which _most_specific then picks); each only when two characters are left."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.array(list(vocab.province), type=pa.large_string())
    provinces = pa.array(list(vocab.province.values()), type=pa.large_string())
    at, first, rest = _arrow_place_at_start(texts, keys)
    after = np.flatnonzero(
        arrow.flags(pc.equal(pc.take(provinces, pc.index_in(first, keys)), first))
    )
    again, second, last = _arrow_place_at_start(rest.take(pa.array(after)), keys)
    of_first = first.take(pa.array(after[again]))
    same = arrow.flags(pc.equal(pc.take(provinces, pc.index_in(second, keys)), of_first))
    twice = np.zeros(len(at), dtype=bool)
    twice[after[again[same]]] = True
    if twice.any():
        rest = pc.replace_with_mask(rest, arrow.mask(twice), last.filter(arrow.mask(same)))
        first = pc.replace_with_mask(first, arrow.mask(twice), second.filter(arrow.mask(same)))
    one = np.zeros(len(texts), dtype=bool)
    one[at] = True
    places = pa.repeat(pa.scalar("", pa.large_string()), len(texts))
    return pc.replace_with_mask(texts, arrow.mask(one), rest), pc.replace_with_mask(
        places, arrow.mask(one), first
    )


def _arrow_place_at_start(texts: Any, keys: Any) -> tuple[np.ndarray, Any, Any]:
    """vocab.place_at_start of each text in Arrow (`keys`: the vocabulary's places): which
    texts start with a place and have two characters left after it and its suffix, and for
    those the place and the rest."""
    import pyarrow as pa
    import pyarrow.compute as pc

    heads = {width: pc.utf8_slice_codeunits(texts, 0, width) for width in (2, 3, 4)}
    size = np.zeros(len(texts), dtype=np.int64)
    for width, head in heads.items():  # the longest place wins, as in place_at_start
        size[arrow.flags(pc.is_in(head, value_set=keys))] = width
    at = np.flatnonzero(size)
    taken = pa.array(at)
    texts, size = texts.take(taken), size[at]
    tails: dict[int, Any] = {}
    after = _sliced(texts, size, tails)
    suffix = np.zeros(len(texts), dtype=np.int64)
    for word in reversed(PLACE_SUFFIXES):  # the first suffix listed wins
        suffix[arrow.flags(pc.starts_with(after, word))] = len(word)
    rest = _sliced(texts, size + suffix, tails)
    place = texts
    for width, head in heads.items():
        place = pc.if_else(arrow.mask(size == width), head.take(taken), place)
    left = np.asarray(pc.utf8_length(rest).to_numpy(zero_copy_only=False)) >= 2
    return at[left], place.filter(arrow.mask(left)), rest.filter(arrow.mask(left))


def _sliced(texts: Any, starts: np.ndarray, tails: dict[int, Any]) -> Any:
    """texts[start:] of each text (characters), from the slices of all texts from each start
    (kept in `tails`; there are few starts)."""
    import pyarrow.compute as pc

    out = texts
    for start in np.unique(starts):
        if start:
            if start not in tails:
                tails[start] = pc.utf8_slice_codeunits(texts, int(start))
            out = pc.if_else(arrow.mask(starts == start), tails[start], out)
    return out


def _arrow_persons(wholes: Any, vocab: NameVocabulary) -> np.ndarray:
    """_is_person of each compacted name, in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    size = np.asarray(pc.utf8_length(wholes).to_numpy(zero_copy_only=False))
    sized = np.flatnonzero((size >= 2) & (size <= 4))  # few names are that short
    persons = np.zeros(len(wholes), dtype=bool)
    wholes, size = wholes.take(pa.array(sized)), size[sized]
    chinese = arrow.flags(pc.match_substring_regex(wholes, r"^[\x{3400}-\x{9fff}]+$"))
    organisation = arrow.flags(pc.match_substring_regex(wholes, vocab.organisation_words.pattern))

    def starts(surnames: list[str]) -> np.ndarray:
        if not surnames:
            return np.zeros(len(wholes), dtype=bool)
        return arrow.flags(
            pc.match_substring_regex(wholes, f"^(?:{'|'.join(map(re.escape, surnames))})")
        )

    double = starts([s for s in vocab.surnames if len(s) == 2])
    single = starts([s for s in vocab.surnames if len(s) == 1])
    # 欧阳 before 欧: a name starting with a two-character surname is told by it alone
    given = np.where(double, (size >= 3) & (size <= 4), single & (size >= 2) & (size <= 3))
    persons[sized] = chinese & ~organisation & given
    return persons


def _latin_key(text: str, places: list[str], vocab: NameVocabulary) -> tuple[str, str, bool, str]:
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
    ascii_places = _ends_of(vocab).ascii_places
    while position < len(named):
        two = "".join(named[position : position + 2]) if position + 1 < len(named) else ""
        place = _latin_place(two, vocab, ascii_places) if two else None
        if place is not None:
            found.append(place)
            position += 2
            continue
        place = _latin_place(named[position], vocab, ascii_places)
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
    return "".join(keyed) or compact(text), places[-1] if places else "", False, " ".join(kept)


def _latin_place(word: str, vocab: NameVocabulary, ascii_places: dict[str, str]) -> str | None:
    """vocab.place_of(word), looked up at once for a word of ASCII letters (no place suffix,
    省 or 市, can end it)."""
    return ascii_places.get(word) if word.isascii() else vocab.place_of(word)


def _place_at_end(text: str, vocab: NameVocabulary) -> tuple[str, int] | None:
    for size in range(min(len(text), 9), 1, -1):
        place = vocab.place_of(text[-size:])
        if place is not None:
            return place, size
    return None


def name_keys(names: Sequence[str], vocab: NameVocabulary | None = None) -> list[NameKey]:
    """The name key of each name."""
    vocab = vocab or load_vocabulary()
    return [NameKey(*parts[:4]) for parts in keys_of(fold_many(names), vocab)]
