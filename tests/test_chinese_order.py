"""Name order by strokes, per RULES.md §2, and by pinyin."""

from __future__ import annotations

import pytest

from huiwu.chinese import NameOrderMode, pinyin_key, stroke_key, unknown_characters

A, B = NameOrderMode.surname, NameOrderMode.full_name


def by_strokes(names: list[str], mode: NameOrderMode = A) -> list[str]:
    return sorted(names, key=lambda name: stroke_key(name, mode))


def test_the_worked_example_follows_the_national_rule_not_cldr() -> None:
    """RULES §2.4: 丁 王 文 方 | 叶 田 史 司 | 刘 孙 | 李 | 林 欧 周 (CLDR gives 丁 文 方 王 …)."""
    shuffled = list("周欧林李孙刘司史田叶方文王丁")

    assert "".join(by_strokes(shuffled)) == "丁王文方叶田史司刘孙李林欧周"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("王小宁", "文小宁"),  # same count (4): 横 before 点
        ("林静", "欧强"),  # same count and first stroke: the second stroke decides
        ("丁小宁", "王小宁"),  # fewer strokes first
        ("欧阳少东", "洪少东"),  # a compound surname is not summed: 欧 (8) before 洪 (9)
        ("李一鸣", "李大鸣"),  # same surname: the next character decides
    ],
)
def test_a_pair_is_ordered_by_rule_in_both_modes(first: str, second: str) -> None:
    for mode in (A, B):
        assert by_strokes([second, first], mode) == [first, second]


def test_single_given_names_depend_on_the_mode() -> None:
    names = ["田大利", "田富", "高大富", "高富"]

    assert by_strokes(names, A) == ["田富", "田大利", "高富", "高大富"]
    assert by_strokes(names, B) == ["田大利", "田富", "高大富", "高富"]


def test_the_printed_glyph_counts() -> None:
    """叶 has 5 strokes, 葉 13 (R2.4): the character as printed decides."""
    assert by_strokes(["葉明", "叶明", "王明"]) == ["王明", "叶明", "葉明"]


def test_identical_names_keep_their_input_order() -> None:
    registered = [("王芳", 1), ("丁一", 2), ("王芳", 3)]

    ordered = sorted(registered, key=lambda person: stroke_key(person[0]))

    assert ordered == [("丁一", 2), ("王芳", 1), ("王芳", 3)]


def test_minority_name_separators_are_ignored_and_unknown_characters_flagged() -> None:
    assert stroke_key("阿依古丽·买买提") == stroke_key("阿依古丽买买提")
    assert unknown_characters("王芳") == []
    assert unknown_characters("王𠀾") == ["𠀾"]
    assert by_strokes(["王𠀾", "王一"]) == ["王一", "王𠀾"]


def test_pinyin_order_with_strokes_between_homophones() -> None:
    names = ["张伟", "安然", "周强", "章伟", "李一鸣"]

    assert sorted(names, key=pinyin_key) == ["安然", "李一鸣", "张伟", "章伟", "周强"]
