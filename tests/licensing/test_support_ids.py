from __future__ import annotations

import re

import pytest

from supportdesk.licensing import support_ids


def test_generated_ids_are_typable_and_random() -> None:
    codes = {support_ids.generate() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(
            r"SID-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code
        )


def test_the_alphabet_has_no_lookalikes() -> None:
    assert len(support_ids.ALPHABET) == 32
    assert set("ILOU") & set(support_ids.ALPHABET) == set()


@pytest.mark.parametrize(
    "typed",
    [
        "SID-7K3M-Q9PX-2WZ4",
        "sid-7k3m-q9px-2wz4",
        "7K3M Q9PX 2WZ4",
        "7k3mq9px2wz4",
        " SID 7K3M-Q9PX-2WZ4 ",
    ],
)
def test_people_may_type_it_their_way(typed: str) -> None:
    assert support_ids.normalise(typed) == "SID-7K3M-Q9PX-2WZ4"


def test_o_reads_as_zero_and_i_and_l_as_one() -> None:
    assert support_ids.normalise("SID-O0IL-1111-0000") == "SID-0011-1111-0000"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "SID",
        "SID-7K3M-Q9PX",
        "SID-7K3M-Q9PX-2WZ4-AAAA",
        "SID-UUUU-0000-0000",
        "SID-7K3M-Q9PX-2WZ!",
    ],
)
def test_what_cannot_be_a_support_id(typed: str) -> None:
    assert support_ids.normalise(typed) is None
