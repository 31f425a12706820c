"""Score candidate pairs and decide them by documented rules (thresholds in DedupeConfig).

Merged (decision auto), when the two rows' places do not conflict (北京 vs 上海):
- phone:   they share a phone (any of either row's: Pool.phones; extensions aside) and their names score at least phone_name_min
           or are alike (below); at least other_contact_margin more when both name a contact
           and the contacts differ (contacts that sound alike do not differ);
- email:   they share an e-mail and their names score at least email_name_min or are alike
           (idem);
- contact: both are organisations (not individuals: two 张伟 are not one customer because
           their names equal their contacts) with the same contact, and names scoring at
           least contact_name_min or at most contact_max_edits characters apart, or alike
           as a whole (below: not one inside the other) with keys of at least
           contact_edits_min_length characters.
Shown for review, never merged unless a person accepts them:
- place:   one of the above, but the places conflict (北京星辰科技 / 上海星辰科技, one phone);
- business: one of the above, but the names end in two trades or two stores (博晨明建材 /
           博晨明科技, 宇嘉方达(朝阳店) / (海淀店): a group's sister companies, a chain's
           stores on its hotline; names.toml [trades]);
- contacts-differ: a shared landline or hotline (not a mobile, no shared e-mail), names just
           at the threshold and two different contacts (上海浦软科技 / 上海浦软信息技术 on one
           switchboard: sister companies) — unless one name holds the other and no two
           businesses share that phone (then merged by phone); two individuals on one phone
           with names neither alike nor the same (张超 / 张超娜: a family);
- either:  a row merged by the above with two rows of two businesses (a business pair, or
           dissimilar Chinese names on one phone or e-mail) while saying less than either (a
           shorter name, a card in English): 武汉源顺金 beside 源顺金机械 and 源顺金医药;
- phone-only, email-only: a shared phone or e-mail, dissimilar names;
- name-only: organisations whose names score at least review_name_min, nothing else shared
           (a Latin name needs two words besides generic ones: Jade Restaurant is common).

Names are alike (the `evidence` column says which way) when they sound alike (王静 / 王晶, a
pinyin input-method typo: sound.py; sound_alike = 1) or, written in Latin letters, one name's
words are the other's or inside them, order and generic words aside (Lotus / Lotus Jade
Garden; words_name_min); beside a shared phone or e-mail also when one name's key holds the
other's (益瑞 / 益瑞文化传媒: a short name; also with a homophone or two characters swapped in
it, 琳东 / 林东餐饮) or the names are written in two scripts with one contact too (Bright Foods /
海云宇食品), one e-mail too, or a trade word saying the Chinese name's trade (names.toml
[latin_trades]; one saying another trade is never alike).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from crmkit.dedupe.candidates import MatchCodes
from crmkit.dedupe.sound import readings, sound_alike_pairs, sounds_alike, spoken
from crmkit.spec.config import DedupeConfig
from crmkit.spec.names import NameVocabulary, fold

AUTO_RULES = ("phone", "email", "contact")
REVIEW_RULES = (
    "place", "business", "contacts-differ", "phone-only", "email-only", "name-only", "either",
)  # fmt: skip
RULES = AUTO_RULES + REVIEW_RULES


def _same(codes: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return (codes[left] == codes[right]) & (codes[left] >= 0)


class _Rows:
    """The pool records' columns the rules read, as arrays, each made once for all the pairs
    (score_pairs judges its pairs a slice at a time)."""

    def __init__(self, records: pd.DataFrame):
        self.records = records
        key = records["key"]
        self.keys = key.to_numpy(dtype=object)
        self.lengths = key.str.len().fillna(0).to_numpy(dtype=np.int64)
        self.person = records["person"].to_numpy(dtype=bool)
        self.contacts = records["contact"].to_numpy(dtype=object)
        self.latin = (records["words"] != "").to_numpy(dtype=bool)
        # a number for each key's first and last character (equal numbers: equal characters)
        self.ends = [pd.factorize(key.str[:1]), pd.factorize(key.str[-1:])]
        self.first, self.last = (codes for codes, _ in self.ends)

    def texts(self, column: str, rows: np.ndarray) -> np.ndarray:
        """A records column's values at `rows` (pool indices), as Python objects: made for
        those only (the whole column at 1M rows is a million objects)."""
        return self.records[column].iloc[rows].to_numpy(dtype=object)

    @functools.cached_property
    def end_readings(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """_reading_codes of each key's first character, then of its last one."""
        return [_reading_codes(codes, uniques) for codes, uniques in self.ends]

    @functools.cached_property
    def word_codes(self) -> np.ndarray:
        """A number for each row's words (equal numbers: equal words)."""
        return pd.factorize(self.records["words"], use_na_sentinel=False)[0]

    @functools.cached_property
    def whole_codes(self) -> np.ndarray:
        """A number for each row's whole name (equal numbers: equal names)."""
        return pd.factorize(self.records["whole"], use_na_sentinel=False)[0]

    @functools.cached_property
    def characters(self) -> tuple[np.ndarray, np.ndarray]:
        """Each key's characters as a set of 64 bits (a character sets the bit of its code
        modulo 64), and how many of its characters repeat a bit (len - bits set), made from
        the keys' UTF-32 text at once: see _hopeless."""
        texts = self.keys.tolist()
        try:
            joined = "".join(texts)
        except TypeError:  # a missing key
            texts = [key if isinstance(key, str) else "" for key in texts]
            joined = "".join(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        bits = np.left_shift(np.uint64(1), (points & 63).astype(np.uint64))
        sets = np.zeros(len(texts), dtype=np.uint64)
        filled = np.flatnonzero(lengths > 0)
        if len(filled):
            starts = (np.cumsum(lengths) - lengths)[filled]
            sets[filled] = np.bitwise_or.reduceat(bits, starts)
        return sets, lengths - _bit_count(sets)

    @functools.cached_property
    def thin(self) -> np.ndarray:
        """Whether each row's name is in Latin letters of one word besides generic ones."""
        words = self.records["words"]
        return ((words != "") & ~words.str.contains(" ", regex=False)).to_numpy(dtype=bool)


def _compatible_places(
    rows: _Rows, codes: MatchCodes, left: np.ndarray, right: np.ndarray, vocab: NameVocabulary
) -> np.ndarray:
    """False where two rows name places that cannot be one customer's (北京 vs 上海).

    A place one name sets aside but the other holds (成都信阳本广告 vs 信阳本广告) is a brand,
    not a conflict.
    """
    compatible = np.ones(len(left), dtype=bool)
    place = codes.place  # -1: none ("")
    suspect = np.flatnonzero(
        (place[left] >= 0) & (place[right] >= 0) & (place[left] != place[right])
    )
    if not len(suspect):
        return compatible
    a = rows.texts("place", left[suspect])
    b = rows.texts("place", right[suspect])
    verdict: dict[tuple[str, str], bool] = {}
    conflict: list[int] = []
    for i, (pa, pb) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        if (pa, pb) not in verdict:
            verdict[(pa, pb)] = vocab.compatible(pa, pb)
        if not verdict[(pa, pb)]:
            conflict.append(i)
    if conflict:
        at = suspect[conflict]
        held = zip(
            a[conflict],
            b[conflict],
            rows.texts("whole", left[at]),
            rows.texts("whole", right[at]),
            strict=True,
        )
        compatible[at] = [
            pa in right_whole or pb in left_whole for pa, pb, left_whole, right_whole in held
        ]
    return compatible


def _sound_alike(
    texts: np.ndarray, left: np.ndarray, right: np.ndarray, among: np.ndarray
) -> np.ndarray:
    """Positions in `among` whose two texts (None: missing) sound alike."""
    return among[sound_alike_pairs(texts[left[among]], texts[right[among]])]


def _reading_codes(codes: np.ndarray, uniques: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Two reading numbers of each one-character text, given as pd.factorize does (equal
    when they read alike; -1, -2 for none): a character's first and last reading
    (sound.readings), looked up once each."""
    numbers: dict[str, int] = {}
    first = np.empty(len(uniques) + 1, dtype=np.int64)
    second = np.empty(len(uniques) + 1, dtype=np.int64)
    for position, char in enumerate(uniques):
        heard = sorted(readings(char)) if char else [""]
        first[position] = numbers.setdefault(heard[0], len(numbers))
        second[position] = numbers.setdefault(heard[-1], len(numbers))
    first[-1], second[-1] = -1, -2  # a missing character (index -1) reads like nothing
    return first[codes], second[codes]


def _ends_sound_alike(rows: _Rows, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Whether the first and the last characters of two keys may sound alike: a vectorized
    sieve before sounds_alike looks at every character (most pairs differ at an end)."""
    ok = np.ones(len(left), dtype=bool)
    if not len(left):
        return ok
    for first, second in rows.end_readings:
        a1, a2, b1, b2 = first[left], second[left], first[right], second[right]
        ok &= (a1 == b1) | (a1 == b2) | (a2 == b1) | (a2 == b2)
    return ok


def _name_evidence(
    rows: _Rows,
    codes: MatchCodes,
    lengths: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    score: np.ndarray,
    shared: np.ndarray,
    direct: np.ndarray,
    same_contact: np.ndarray,
    same_phone: np.ndarray,
    same_email: np.ndarray,
    config: DedupeConfig,
    vocab: NameVocabulary,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where names sharing a phone or e-mail are alike although they score below 100, where
    they are alike as a whole (they sound alike, or have the same words: not one inside the
    other), where one contact makes them one customer (alike as a whole with keys of
    contact_edits_min_length characters, or a short name of the same city: 上海瑞峰 /
    上海市瑞峰科技), and the words saying how (empty elsewhere): (alike, whole, for_contact,
    evidence).

    `shared`: pairs sharing a phone, an e-mail or a contact; `direct`: a phone or an e-mail,
    beside which one name inside the other (益瑞 / 益瑞文化传媒) and, with one contact too,
    names in two scripts (Bright Foods / 海云宇食品) are alike."""
    shortest = np.minimum(lengths[left], lengths[right])
    alike = np.zeros(len(left), dtype=bool)
    whole_alike = np.zeros(len(left), dtype=bool)
    city_held = np.zeros(len(left), dtype=bool)
    evidence = np.full(len(left), "", dtype=object)
    keys = rows.keys
    latin = rows.latin
    # Names are looked at only where being alike can change the decision (the score alone
    # merges above these): Python loops over a million rows' pairs are the costly step.
    direct_limit = max(config.phone_name_min, config.email_name_min) + config.other_contact_margin
    undecided = score < np.where(direct, direct_limit, config.contact_name_min)
    # Beside one contact alone, alike names count from contact_edits_min_length characters.
    looked = shared & undecided & (direct | (shortest >= config.contact_edits_min_length))
    if config.sound_alike:
        among = np.flatnonzero(looked & (lengths[left] == lengths[right]) & ~latin[left])
        among = among[_ends_sound_alike(rows, left[among], right[among])]
        for position in _sound_alike(keys, left, right, among).tolist():
            alike[position] = whole_alike[position] = True
            evidence[position] = f"names sound alike ({spoken(keys[left[position]])})"
    # Two characters swapped (罗磊英 / 罗英磊, 银龙明 / 银明龙) keep the first or the last one.
    first, last = rows.first, rows.last
    among = np.flatnonzero(
        looked
        & ~alike
        & (lengths[left] == lengths[right])
        & (lengths[left] >= 3)
        & ~latin[left]
        & ((first[left] == first[right]) | (last[left] == last[right]))
    )
    sets = rows.characters[0]
    among = among[sets[left[among]] == sets[right[among]]]  # the same characters
    for position in among.tolist():
        a, b = keys[left[position]], keys[right[position]]
        if sorted(a) == sorted(b):
            alike[position] = whole_alike[position] = True
            evidence[position] = f"the same characters in another order ({b})"
    if config.words_name_min:
        _words_alike(rows, left, right, score, shared, config, alike, whole_alike, evidence)
    person = rows.person
    # Beside one contact only, a short name (上海瑞峰 / 上海市瑞峰科技) needs the same city.
    same_city = (codes.place[left] == codes.place[right]) & (codes.place[left] >= 0)
    chinese = np.flatnonzero(
        (direct | (shared & same_contact & same_city))
        & undecided
        & ~alike
        & ~latin[left]
        & ~latin[right]
        & ~person[left]
        & ~person[right]
    )
    # One key starts like the other (see _held) only where their first characters are the
    # same or read alike: a vectorized sieve before looking at each pair.
    readings_of, other_readings = rows.end_readings[0]
    a1, a2 = readings_of[left[chinese]], other_readings[left[chinese]]
    b1, b2 = readings_of[right[chinese]], other_readings[right[chinese]]
    chinese = chinese[(a1 == b1) | (a1 == b2) | (a2 == b1) | (a2 == b2)]
    for position in chinese.tolist():
        a, b = keys[left[position]], keys[right[position]]
        shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
        holds = _held(shorter, longer, config)
        if holds:
            alike[position] = True
            city_held[position] = not direct[position]
            evidence[position] = holds
    _two_scripts_alike(
        rows,
        left,
        right,
        direct & ~alike,
        same_contact,
        same_phone,
        same_email,
        vocab,
        alike,
        evidence,
    )
    for_contact = (whole_alike & (shortest >= config.contact_edits_min_length)) | city_held
    return alike, whole_alike, for_contact, evidence


def _words_alike(
    rows: _Rows,
    left: np.ndarray,
    right: np.ndarray,
    score: np.ndarray,
    shared: np.ndarray,
    config: DedupeConfig,
    alike: np.ndarray,
    whole_alike: np.ndarray,
    evidence: np.ndarray,
) -> None:
    """Marks (in `alike`, `whole_alike`, `evidence`) the pairs of `shared` whose names in
    Latin letters have the same words, order and generic words aside, or whose words score
    at least words_name_min (one name holds the other: Lotus / Lotus Jade Garden). Words are
    compared as codes; token_set_ratio is worked out only where it can count (other words,
    names scoring below 100)."""
    latin = rows.latin
    among = np.flatnonzero(shared & latin[left] & latin[right])
    if not len(among):
        return
    word_codes = rows.word_codes
    same_words = word_codes[left[among]] == word_codes[right[among]]
    same = among[same_words]
    whole_codes = rows.whole_codes
    same = same[whole_codes[left[same]] != whole_codes[right[same]]]
    alike[same] = whole_alike[same] = score[same] < 100
    evidence[same] = [
        f"same words, order and generic words aside ({x})"
        for x in rows.texts("words", left[same]).tolist()
    ]
    other = among[~same_words]
    other = other[score[other] < 100]
    if not len(other):
        return
    a, b = rows.texts("words", left[other]), rows.texts("words", right[other])
    held = cpdist(a, b, scorer=fuzz.token_set_ratio, workers=1)
    for i in np.flatnonzero(held >= config.words_name_min).tolist():
        x, y = a[i], b[i]
        position = other[i]
        alike[position] = True
        shorter = min(x, y, key=len)
        inside = set(shorter.split()) <= set(max(x, y, key=len).split())
        evidence[position] = (
            f"one name holds the other ({shorter})" if inside else f"names' words score {held[i]:g}"
        )


def _two_scripts_alike(
    rows: _Rows,
    left: np.ndarray,
    right: np.ndarray,
    looked: np.ndarray,
    same_contact: np.ndarray,
    same_phone: np.ndarray,
    same_email: np.ndarray,
    vocab: NameVocabulary,
    alike: np.ndarray,
    evidence: np.ndarray,
) -> None:
    """Marks (in `alike`, `evidence`) the pairs of `looked` with a name in each script alike
    beside one contact, or one e-mail as well as one phone, or a trade word saying the Chinese
    name's trade (Harbor Foods / 峰达食品); never when it says another trade (Harbor Foods /
    峰达物流: [latin_trades]). The names (Arrow text) are taken for those pairs' rows only."""
    latin = rows.latin
    among = np.flatnonzero(looked & (latin[left] != latin[right]))
    if not len(among):
        return
    first_latin = latin[left[among]]
    english = np.where(first_latin, left[among], right[among])
    chinese = np.where(first_latin, right[among], left[among])
    names = rows.records["name"].iloc[english].to_numpy(dtype=object)
    keys = rows.keys
    said_of: dict[str, str] = {}
    trade_of: dict[str, str] = {}
    for i, position in enumerate(among.tolist()):
        name = str(names[i] or "")
        said = said_of.get(name)
        if said is None:
            said = said_of[name] = vocab.latin_trade(fold(name))
        key = keys[chinese[i]]
        trade = trade_of.get(key)
        if trade is None:
            trade = trade_of[key] = vocab.business(key)[1]
        if said and trade and said != trade:
            continue
        if same_contact[position]:
            found = "one contact, names in two scripts"
        elif same_phone[position] and same_email[position]:
            found = "one e-mail too, names in two scripts"
        elif said and said == trade:
            found = f"names in two scripts, one trade ({trade})"
        else:
            continue
        alike[position] = True
        evidence[position] = found


_BITS_OF_BYTE = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.int64)


def _bit_count(values: np.ndarray) -> np.ndarray:
    """How many bits are set in each uint64."""
    if hasattr(np, "bitwise_count"):  # numpy 2
        return np.bitwise_count(values).astype(np.int64)
    return _BITS_OF_BYTE[values.view(np.uint8).reshape(-1, 8)].sum(axis=1)


def _hopeless(rows: _Rows, left: np.ndarray, right: np.ndarray, floor: float) -> np.ndarray:
    """Whether two keys surely score (fuzz.ratio) below `floor`, from their characters alone.

    fuzz.ratio is 200 × LCS / (len a + len b), and the longest common subsequence holds no
    more than the characters both keys have: at most the bits both character sets have
    (Rows.characters) plus the characters either key repeats a bit with. Most pairs met
    beside a contact alone share two characters of five (科技), and no call is needed."""
    sets, repeats = rows.characters
    lengths = rows.lengths
    common = _bit_count(sets[left] & sets[right]) + np.minimum(repeats[left], repeats[right])
    total = lengths[left] + lengths[right]
    return 200 * common < floor * total - 1e-9 * total


def _held(shorter: str, longer: str, config: DedupeConfig) -> str:
    """How the longer key starts with the shorter one ("" if it does not): as written
    (益瑞 / 益瑞文化传媒), with a homophone typed for one of its characters (琳东 / 林东餐饮) or
    with two of its characters after the first swapped (德盛源 / 德源盛科技): a short name
    typed in a hurry."""
    if len(shorter) < 2 or len(shorter) >= len(longer):
        return ""
    if longer.startswith(shorter):
        return f"one name holds the other ({shorter})"
    head = longer[: len(shorter)]
    if config.sound_alike and sounds_alike(shorter, head):
        return f"one name holds the other, sounding alike ({spoken(shorter)})"
    if len(shorter) >= 3 and head[0] == shorter[0] and sorted(shorter) == sorted(head):
        return f"one name holds the other, in another order ({head})"
    return ""


# Candidate pairs scored at a time: each pair's evidence is some twenty arrays of a value per
# pair; 8 million pairs at once (1M rows) took 750 MiB above the pool.
PAIRS_AT_ONCE = 1_000_000


def score_pairs(
    records: pd.DataFrame,
    codes: MatchCodes,
    left: np.ndarray,
    right: np.ndarray,
    config: DedupeConfig,
    vocab: NameVocabulary,
) -> pd.DataFrame:
    """One row per candidate pair: evidence, name score, rule and decision (auto or review).

    Pairs no rule applies to are dropped. Columns: left, right (pool indices), score, edits,
    same_phone, same_email, same_contact, rule, decision, evidence (how names that score
    below 100 are alike, see _name_evidence; empty when the score says it all). Each pair is
    judged on its own, so the pairs are scored PAIRS_AT_ONCE at a time, in order.
    """
    rows = _Rows(records)
    if len(left) <= PAIRS_AT_ONCE:
        pairs = _score_some(rows, codes, left, right, config, vocab)
    else:
        parts = [
            _score_some(
                rows,
                codes,
                left[start : start + PAIRS_AT_ONCE],
                right[start : start + PAIRS_AT_ONCE],
                config,
                vocab,
            )
            for start in range(0, len(left), PAIRS_AT_ONCE)
        ]
        # Slices where no pair is kept have columns of no dtype: left out, they change none.
        kept = [part for part in parts if len(part)] or parts[:1]
        pairs = pd.concat(kept, ignore_index=True)
    # Judged over all pairs at once: a phone's other businesses may be in another slice.
    return _either(rows, _one_company_phone(rows, codes, pairs), vocab)


_HELD = "one name holds the other"
# The evidence of names alike that a lone landline merges beside another contact: a short
# name, a card in English naming the trade.
_LONE_LANDLINE = (_HELD, "names in two scripts, one trade")


def _one_company_phone(rows: _Rows, codes: MatchCodes, pairs: pd.DataFrame) -> pd.DataFrame:
    """The `contacts-differ` pairs of a short name (上海瑞云 / 上海市瑞云化工), or of a card in
    English naming the trade (Harbor Foods / 峰达食品), on a landline that no two businesses
    share merged by their phone: on a switchboard (a phone with two
    dissimilar names, or two trades or stores, written in one script) another contact may
    be another company's (Jade Garden Restaurant / Imperial Jade Garden Lounge on a hotel's);
    elsewhere it is a new contact person of the same company."""
    rule = pairs["rule"].to_numpy(dtype=object)
    evidence = pairs["evidence"].to_numpy(dtype=object)
    same_phone = pairs["same_phone"].to_numpy(dtype=bool)
    held = np.zeros(len(rule), dtype=bool)
    for position in np.flatnonzero(same_phone & (rule == "contacts-differ")).tolist():
        held[position] = str(evidence[position]).startswith(_LONE_LANDLINE)
    held &= ~pairs["same_email"].to_numpy(dtype=bool)
    if not held.any():
        return pairs
    left = pairs["left"].to_numpy(dtype=np.int64)
    right = pairs["right"].to_numpy(dtype=np.int64)
    phone = codes.phone
    latin = rows.latin
    shared = np.zeros(len(rule), dtype=bool)
    for name in ("business", "either", *_DISSIMILAR):
        shared |= rule == name
    shared &= same_phone & (latin[left] == latin[right])
    switchboards = np.union1d(phone[left[shared]], phone[right[shared]])
    lift = held & (phone[left] == phone[right]) & (phone[left] >= 0)
    lift &= ~np.isin(phone[left], switchboards) & ~rows.person[left] & ~rows.person[right]
    if not lift.any():
        return pairs
    rule = rule.copy()
    decision = pairs["decision"].to_numpy(dtype=object).copy()
    evidence = evidence.copy()
    rule[lift] = "phone"
    decision[lift] = "auto"
    evidence[lift] = [
        f"{e}, another contact on a phone no other business shares" for e in evidence[lift]
    ]
    return pairs.assign(rule=rule, decision=decision, evidence=evidence)


_DISSIMILAR = ("phone-only", "email-only")


def _either(rows: _Rows, pairs: pd.DataFrame, vocab: NameVocabulary) -> pd.DataFrame:
    """The pairs `pairs` would merge a row by into two businesses (a `business` pair: a
    group's sister companies, a chain's stores) shown for review instead (rule `either`):
    a short name (武汉源顺金), a card in English or a copy beside the switchboard and the
    purchaser of 源顺金机械 and 源顺金医药 could be either of them, and a person cannot tell
    which from the sheet."""
    left = pairs["left"].to_numpy(dtype=np.int64)
    right = pairs["right"].to_numpy(dtype=np.int64)
    rule = pairs["rule"].to_numpy(dtype=object)
    latin = rows.latin
    # Dissimilar names are two businesses when both are Chinese (a card in English and a
    # Chinese name cannot be compared).
    dissimilar = (rule == _DISSIMILAR[0]) | (rule == _DISSIMILAR[1])
    business = (rule == "business") | (dissimilar & ~latin[left] & ~latin[right])
    keys = rows.keys
    for position in np.flatnonzero(rule == "contacts-differ").tolist():
        # sister companies with two contacts (凯华金辉医药 / 凯华金辉物流)
        business[position] = bool(vocab.other_business(keys[left[position]], keys[right[position]]))
    if not business.any():
        return pairs
    size = max(len(rows.keys), 1)
    apart = np.unique(left[business] * size + right[business])
    firms = np.union1d(left[business], right[business])
    # Merged pairs with a row of some business pair, from each end: (row, partner, pair),
    # where names differ (a row of the very name of one of them is that one).
    merged = np.flatnonzero(
        (pairs["decision"].to_numpy(dtype=object) == "auto") & (pairs["score"].to_numpy() < 100)
    )
    ends = pd.DataFrame(
        {
            "row": np.concatenate((left[merged], right[merged])),
            "partner": np.concatenate((right[merged], left[merged])),
            "pair": np.concatenate((merged, merged)),
        }
    )
    ends = ends[np.isin(ends["partner"].to_numpy(), firms)]
    ends = ends[ends.duplicated("row", keep=False)]  # a row merged with two of them at least
    if not len(ends):
        return pairs
    both = ends.merge(ends, on="row", suffixes=("_a", "_b"))
    both = both[both["partner_a"] < both["partner_b"]]
    code = both["partner_a"].to_numpy(dtype=np.int64) * size + both["partner_b"].to_numpy()
    row, a, b = (both[c].to_numpy(dtype=np.int64) for c in ("row", "partner_a", "partner_b"))
    # The row says less than either business: a shorter name, or a card in English.
    lengths = rows.lengths
    vaguer = ((lengths[row] < lengths[a]) & (lengths[row] < lengths[b])) | (
        latin[row] & ~latin[a] & ~latin[b]
    )
    both = both[np.isin(code, apart) & vaguer]
    if not len(both):
        return pairs
    rule = rule.copy()
    decision = pairs["decision"].to_numpy(dtype=object).copy()
    evidence = pairs["evidence"].to_numpy(dtype=object).copy()
    for pair_a, pair_b, a, b in zip(
        both["pair_a"].tolist(),
        both["pair_b"].tolist(),
        both["partner_a"].tolist(),
        both["partner_b"].tolist(),
        strict=True,
    ):
        for pair in (pair_a, pair_b):
            rule[pair] = "either"
            decision[pair] = "review"
            evidence[pair] = f"{keys[a]} / {keys[b]}"
    return pairs.assign(rule=rule, decision=decision, evidence=evidence)


def _measure(
    into: np.ndarray,
    scorer: Any,
    keys: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    at: np.ndarray,
) -> None:
    """Puts `scorer` (fuzz.ratio, Levenshtein.distance) of the keys of the pairs `at` in
    `into` (both cores for many)."""
    if not len(at):
        return
    workers = -1 if len(at) > 10_000 else 1
    into[at] = cpdist(keys[left[at]], keys[right[at]], scorer=scorer, workers=workers)


def _score_some(
    rows: _Rows,
    codes: MatchCodes,
    left: np.ndarray,
    right: np.ndarray,
    config: DedupeConfig,
    vocab: NameVocabulary,
) -> pd.DataFrame:
    same_phone = codes.same_phone(left, right)
    same_email = _same(codes.email, left, right)
    same_contact = _same(codes.contact, left, right)
    keys = rows.keys
    lengths = rows.lengths
    shortest = np.minimum(lengths[left], lengths[right])
    same_key = _same(codes.key, left, right)
    person = rows.person
    organisations = ~person[left] & ~person[right]
    shared = same_phone | same_email
    # Only pairs some rule can apply to are scored (rapidfuzz is the costly step).
    scored = shared | (same_contact & organisations) | same_key
    score = np.zeros(len(left), dtype=np.float64)
    score[same_key] = 100.0  # one key (an empty one scores 0: below)
    # Beside a contact or a name alone (most pairs) a score counts only from `floor` up:
    # pairs that cannot reach it keep 0 (any score below it decides alike) until kept.
    floor = min(config.contact_name_min, config.review_name_min, 100)
    loose = np.flatnonzero(scored & ~shared & ~same_key)
    guessed = loose[_hopeless(rows, left[loose], right[loose], floor)]
    needed = scored & ~same_key
    needed[guessed] = False
    _measure(score, fuzz.ratio, keys, left, right, np.flatnonzero(needed))
    score[shortest == 0] = 0.0
    similar = score >= config.contact_name_min
    edits = np.full(len(left), -1, dtype=np.int64)
    if config.contact_max_edits > 0:
        _measure(edits, Levenshtein.distance, keys, left, right, np.flatnonzero(scored))
        similar |= (
            (edits >= 0)
            & (edits <= config.contact_max_edits)
            & (shortest >= config.contact_edits_min_length)
        )
    by_contact_only = same_contact & organisations & ~shared
    alike, whole_alike, for_contact, evidence = _name_evidence(
        rows,
        codes,
        lengths,
        left,
        right,
        score,
        shared | by_contact_only,
        shared,
        same_contact,
        same_phone,
        same_email,
        config,
        vocab,
    )
    # Two individuals' contacts are their names: alike names are alike contacts (罗磊英 /
    # 罗英磊); one character apart on one phone may be a sibling (唐博桂 / 唐伟桂).
    contacts_differ = (
        (codes.contact[left] >= 0)
        & (codes.contact[right] >= 0)
        & ~same_contact
        & ~(person[left] & person[right] & whole_alike)
    )
    if config.sound_alike:
        contacts = rows.contacts
        among = np.flatnonzero(contacts_differ & shared)
        contacts_differ[_sound_alike(contacts, left, right, among)] = False
    at_phone = same_phone & ((score >= config.phone_name_min) | alike)
    at_email = same_email & ((score >= config.email_name_min) | alike)
    sisters = contacts_differ & (
        (at_phone & (score < config.phone_name_min + config.other_contact_margin))
        | (at_email & (score < config.email_name_min + config.other_contact_margin))
    )
    # Another contact makes alike names two companies only on a phone several companies
    # may answer (a landline, a hotline: 上海浦软科技 / 上海浦软信息技术 on one switchboard);
    # a mobile is one person's and an e-mail one mailbox: beside them another contact is a
    # new contact person of the same company (深圳宏安 / 深圳宏安教育咨询, one mobile) when the
    # names are alike by some evidence, not only by a score (Silver Plover Restaurant and
    # Skylark Sequoia Restaurant share a word, not a name).
    one_mailbox = same_email | codes.shared_mobile(left, right)
    sisters &= ~(organisations & one_mailbox & alike)
    # Two individuals are their names: on one phone, names neither alike nor the same are
    # two people of one family, whatever the score (张超 / 张超娜, 唐博桂 / 唐伟桂).
    sisters |= contacts_differ & person[left] & person[right] & (at_phone | at_email)
    by_phone = at_phone & ~sisters
    by_email = at_email & ~sisters
    # One contact and names alike as a whole: only for keys of some length (华为 / 华威 share
    # a contact name by chance more often than 诺兰泉商贸 / 诺蓝泉商贸 do). A contact name is
    # too common to merge Thistle Cafe and Kestrel Thistle Restaurant: one name inside the
    # other needs a shared phone or e-mail.
    similar |= for_contact
    by_contact = same_contact & organisations & similar
    # Sister companies and stores of a chain share a phone, a contact, a brand: two names
    # ending in two trades or two stores are two businesses (looked at only where names differ).
    business = np.zeros(len(left), dtype=bool)
    for position in np.flatnonzero((by_phone | by_email | by_contact) & (score < 100)).tolist():
        other = vocab.other_business(keys[left[position]], keys[right[position]])
        if other:
            business[position] = True
            evidence[position] = other
    by_phone &= ~business
    by_email &= ~business
    by_contact &= ~business
    named = organisations & (same_key | (score >= config.review_name_min))
    # A Latin name of one word besides generic ones (Jade Restaurant) is too common to review
    # on its name alone.
    looked = np.flatnonzero(named & ~shared)
    if len(looked):
        named[looked[rows.thin[left[looked]]]] = False
    relevant = by_phone | by_email | by_contact | named | business
    compatible = np.ones(len(left), dtype=bool)
    compatible[relevant] = _compatible_places(rows, codes, left[relevant], right[relevant], vocab)
    conditions = [
        compatible & by_phone,
        compatible & by_email,
        compatible & by_contact,
        ~compatible & (by_phone | by_email | by_contact),
        compatible & business,
        sisters & ~by_contact & ~business,
        same_phone,
        same_email,
        compatible & named,
    ]
    # Rule numbers, named for the kept pairs only: names for 8 million candidate pairs were
    # a 500 MiB array of text at 1M rows.
    number = np.select(conditions, list(range(len(conditions))), default=-1)  # `either`: later
    keep = number >= 0
    kept = number[keep]
    # The pairs kept by some other evidence (a close spelling) get their true score.
    late = np.zeros(len(left), dtype=bool)
    late[guessed] = True
    _measure(score, fuzz.ratio, keys, left, right, np.flatnonzero(late & keep & (shortest > 0)))
    return pd.DataFrame(
        {
            "left": left[keep],
            "right": right[keep],
            "score": np.round(score[keep], 1),
            "edits": edits[keep],
            "same_phone": same_phone[keep],
            "same_email": same_email[keep],
            "same_contact": same_contact[keep],
            "rule": np.array(RULES, dtype=object)[kept],
            "decision": np.array(["auto", "review"], dtype=object)[
                (kept >= len(AUTO_RULES)).astype(np.int64)
            ],
            "evidence": evidence[keep],
        }
    )


_REASONS = {
    "phone": "same phone, names {score:g}",
    "email": "same e-mail, names {score:g}",
    "contact": "same contact, names {score:g}",
    "place": "places differ (names {score:g})",
    "business": "names {score:g}, but another trade or store",
    "contacts-differ": "same phone or e-mail, names only {score:g}, other contacts",
    "phone-only": "same phone, names only {score:g}",
    "email-only": "same e-mail, names only {score:g}",
    "name-only": "names {score:g}, nothing else shared",
    "either": "names {score:g}, but it could be either of two businesses",
    "decision": "accepted by a person (names {score:g})",
}


_WITH_EVIDENCE = {
    "phone": "same phone, {evidence}",
    "email": "same e-mail, {evidence}",
    "contact": "same contact, {evidence}",
    "place": "places differ ({evidence})",
    "business": "names {score:g}, but another trade or store ({evidence})",
    "contacts-differ": "same phone or e-mail, {evidence}, other contacts",
    "either": "names {score:g}, but it could be either of two businesses ({evidence})",
}


def _reason(rule: str, score: float, evidence: object) -> str:
    if isinstance(evidence, str) and evidence and rule in _WITH_EVIDENCE:
        return _WITH_EVIDENCE[rule].format(evidence=evidence, score=score)
    return _REASONS.get(rule, rule).format(score=score)


def describe(pair: pd.Series) -> str:
    """Why a pair matched, in words (a row of score_pairs): same phone, names sound alike
    (wang jing)."""
    return _reason(str(pair["rule"]), float(pair["score"]), pair.get("evidence"))


def describe_all(pairs: pd.DataFrame) -> list[str]:
    """`describe` of every pair."""
    evidence = pairs["evidence"] if "evidence" in pairs else pd.Series("", index=pairs.index)
    return [
        _reason(str(rule), float(score), found)
        for rule, score, found in zip(pairs["rule"], pairs["score"], evidence, strict=True)
    ]
