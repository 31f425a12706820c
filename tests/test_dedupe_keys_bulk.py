"""keys_of (most names at once, in Arrow) gives each name the key key_parts gives it alone."""

from __future__ import annotations

import pytest

from crmkit.dedupe.names import key_parts, keys_of
from crmkit.spec.names import fold_many, load_vocabulary

NAMES = [
    "北京星辰科技有限公司",
    "上海星辰科技有限公司",
    "星辰科技(北京)有限公司",
    "广东省深圳市腾宇科技股份有限公司",
    "成都信阳本广告有限公司",
    "海尔集团青岛冰箱厂",
    "中国移动通信集团北京",
    "华为技术有限公司北京分公司",
    "招商银行上海分行",
    "公司有限公司",
    "有限公司",
    "集团有限公司",
    "北京",
    "北京市",
    "北京公司",
    "张伟",
    "欧阳娜娜",
    "张伟工作室",
    "Hong Kong腾宇中餐厅",
    "Sunrise Hotel (Shanghai) Co., Ltd.",
    "The Lotus Jade Garden",
    "",
    "  ",
    "-",
    "宁波亨磊西餐厅",
    "锐洲 科技",
]


@pytest.mark.parametrize("name", NAMES)
def test_bulk_key_equals_the_key_of_one_name(name: str) -> None:
    vocab = load_vocabulary()
    folded = fold_many([name])
    assert keys_of(folded, vocab) == [key_parts(folded[0], vocab)]


def test_bulk_keys_of_many_names_keep_their_order() -> None:
    vocab = load_vocabulary()
    folded = fold_many(NAMES)
    assert keys_of(folded, vocab) == [key_parts(n, vocab) for n in folded]
    assert [k[:3] for k in keys_of(fold_many(NAMES[:3]), vocab)] == [
        ("星辰科技", "北京", False),
        ("星辰科技", "上海", False),
        ("星辰科技", "北京", False),
    ]
