"""Scoring pairs column-wise (session 8): the shortcuts that skip work per pair decide exactly
as the work they skip — sounds alike in arrays, names that cannot reach a threshold, union-find
over Python ints — and a pair kept by other evidence still shows its true score."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from crmkit.dedupe import build_pool, find_duplicates
from crmkit.dedupe.clusters import close_pairs
from crmkit.dedupe.rules import _hopeless, _Rows, describe_all
from crmkit.dedupe.sound import sound_alike_pairs, sounds_alike
from crmkit.io import read_table
from crmkit.spec.config import DedupeConfig
from crmkit.spec.fields import load_specs

from .conftest import write_csv

HEADERS = ["客户名称", "联系人姓名", "联系电话"]
SPECS = load_specs(())


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def test_sound_alike_pairs_answers_as_sounds_alike_pair_by_pair() -> None:
    # homophones (张伟 / 张薇 too: wei), a polyphone's two readings (重 zhong/chong), a letter
    # read like a character (a / 啊), other lengths, equal texts, empty and missing texts, a
    # character outside the BMP, another surname
    a = [
        "王静",
        "刘洋",
        "重庆",
        "a",
        "张伟",
        "王静",
        "王静",
        "",
        None,
        "王静",
        "𠀀静",
        "陈思",
        "张伟",
    ]
    b = [
        "王晶",
        "刘阳",
        "虫庆",
        "啊",
        "张薇",
        "王静x",
        "王静",
        "",
        "王晶",
        None,
        "𠀀晶",
        "陈丝",
        "李伟",
    ]
    expected = [
        x is not None and y is not None and sounds_alike(x, y) for x, y in zip(a, b, strict=True)
    ]
    assert expected == [
        True, True, True, True, True, False, False, False, False, False, True, True, False,
    ]  # fmt: skip
    assert sound_alike_pairs(_objects(a), _objects(b)).tolist() == expected


def test_sound_alike_pairs_on_many_random_pairs() -> None:
    chars = "王汪静晶京刘柳洋阳杨张章伟薇威重虫中行航星兴a1"
    rng = random.Random(8)
    a = ["".join(rng.choices(chars, k=rng.randint(1, 4))) for _ in range(3000)]
    b = [
        "".join(rng.choice((c, rng.choice(chars))) for c in x) if rng.random() < 0.8 else "王"
        for x in a
    ]
    expected = [sounds_alike(x, y) for x, y in zip(a, b, strict=True)]
    assert 50 < sum(expected) < 2950  # the test sees pairs of both kinds
    assert sound_alike_pairs(_objects(a), _objects(b)).tolist() == expected


def _rows(keys: list[str]) -> _Rows:
    records = pd.DataFrame(
        {
            "key": keys,
            "person": False,
            "contact": None,
            "words": "",
            "whole": keys,
            "place": "",
        }
    )
    return _Rows(records)


def test_a_pair_called_hopeless_never_reaches_the_floor() -> None:
    # 星 and 晟 share a bit of the character sets (their codes are 64 apart), 科科 repeats one
    assert ord("晟") - ord("星") == 64
    words = ["星辰科技", "星光科技", "晟辰科技", "科科技", "辰星技科", "星", "", "ab", "ba", "abc"]
    keys = words + ["".join(random.Random(n).choices("星辰科技晟光ab", k=n % 7)) for n in range(60)]
    rows = _rows(keys)
    left, right = (
        np.array(side) for side in zip(*itertools.combinations(range(len(keys)), 2), strict=True)
    )
    scores = np.array([fuzz.ratio(keys[a], keys[b]) for a, b in zip(left, right, strict=True)])
    for floor in (50, 75, 85, 100):
        hopeless = _hopeless(rows, left, right, floor)
        assert not (hopeless & (scores >= floor)).any()
        assert hopeless.sum() > 0
    # 星辰科技 / 星光科技 share three characters of eight: 75 at most, 75 exactly
    at = np.flatnonzero((left == 0) & (right == 1))
    assert scores[at] == [75.0]
    assert _hopeless(rows, left[at], right[at], 85).tolist() == [True]
    assert _hopeless(rows, left[at], right[at], 75).tolist() == [False]


def _dedupe(tmp_path: Path, rows: list[list[Any]], **config: int) -> Any:
    path = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    table = read_table(path, specs=[SPECS["customers"]])
    return find_duplicates(build_pool([table]), DedupeConfig(**config))


def test_a_pair_kept_by_its_edits_shows_its_true_score(tmp_path: Path) -> None:
    # One contact, names one character apart: ratio 75 (below contact_name_min 85, so not
    # worked out at first), merged by contact_max_edits = 1; the pair says 75, not 0.
    rows = [
        ["北京星辰科技有限公司", "周明", "010-62345678"],
        ["北京星光科技有限公司", "周明", "021-51234567"],
    ]
    found = _dedupe(tmp_path, rows, contact_max_edits=1)
    pairs = found.pairs
    assert pairs[["left", "right", "rule", "decision"]].values.tolist() == [
        [0, 1, "contact", "auto"]
    ]
    assert pairs["score"].tolist() == [75.0]
    assert pairs["edits"].tolist() == [1]
    assert describe_all(pairs) == ["same contact, names 75"]
    # without edits the pair is not kept at all
    assert len(_dedupe(tmp_path, rows).pairs) == 0


def test_close_pairs_by_hand() -> None:
    # rows 0-1-2 and 3-4 join; 2-3 would put 0 with 4, which a person kept apart: blocked.
    # 4-5 would put row 3's place (2) with row 5's (1): blocked for places; 6 joins 5.
    left = np.array([0, 1, 3, 2, 4, 5])
    right = np.array([1, 2, 4, 3, 5, 6])
    places = np.array([-1, -1, -1, 2, -1, 1, -1])
    found = close_pairs(
        7,
        left,
        right,
        np.arange(6),
        apart=[(0, 4)],
        places=places,
        compatible=lambda a, b: a == b,
    )
    assert found.number.tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert found.joined_by.tolist() == [0, 0, 1, 2, 2, 5, 5]
    assert found.blocked == [3, 4]
    assert found.place_blocked == [4]
    # the order given as a list of ints: the same clusters
    again = close_pairs(7, left, right, [0, 1, 2, 3, 4, 5], [(0, 4)], places, lambda a, b: a == b)
    assert again.number.tolist() == found.number.tolist()
    assert again.blocked == [3, 4]
