"""`core/git/trailers.py`: what `git interpret-trailers --parse` reads in a message, and where."""

from __future__ import annotations

from pants_calver.core.git import trailers
from pants_calver.core.git.trailers import Paragraph, Reading, Trailer

import pytest


def reading(*found: Trailer, subject_end=1, paragraph=None, block=None, divider=None, scissors=None, end=0):
    return Reading(tuple(found), subject_end, paragraph, block, divider, scissors, end)


@pytest.mark.parametrize(
    "message, expected",
    [
        pytest.param(
            "Fix\n\nKey: v\n  more\n-Other :x\n",
            reading(
                Trailer("Key", "v more", 3, 4),
                Trailer("-Other", "x", 5, 5),
                paragraph=Paragraph(3, 5, (), False, True),
                block=(3, 5),
                end=5,
            ),
            id="continuation-and-dash-key",
        ),
        pytest.param(
            "Fix\n\nA: b\x85c\u2028d\rB: \x0bv\x0c \r\n",
            reading(
                Trailer("A", "b\x85c\u2028d\rB: \x0bv\x0c", 3, 3),
                paragraph=Paragraph(3, 3, (), False, True),
                block=(3, 3),
                end=3,
            ),
            id="only-newline-ends-a-line",
        ),
        pytest.param(
            "\n\nKey: v\n",
            reading(
                Trailer("Key", "v", 3, 3),
                subject_end=0,
                paragraph=Paragraph(3, 3, (), False, True),
                block=(3, 3),
                end=3,
            ),
            id="no-subject",
        ),
        pytest.param("Fix\nKey: v", reading(subject_end=2, end=2), id="all-subject"),
        pytest.param(
            "Fix\n\nA: b\n--- \nC: d\n",
            reading(
                Trailer("A", "b", 3, 3),
                paragraph=Paragraph(3, 3, (), False, True),
                block=(3, 3),
                divider=4,
                end=3,
            ),
            id="divider",
        ),
        pytest.param(
            f"Fix\n\nA: b\n# comment\n\n{trailers.SCISSORS}C: d\n",
            reading(
                Trailer("A", "b", 3, 3),
                paragraph=Paragraph(3, 3, (), False, True),
                block=(3, 3),
                scissors=6,
                end=3,
            ),
            id="comments-and-scissors",
        ),
        pytest.param(
            f"Fix\n---\n{trailers.SCISSORS}",
            reading(subject_end=1, divider=2, end=1),
            id="scissors-after-the-divider",
        ),
        pytest.param(
            "Fix\n\nSigned-off-by: A\n(cherry picked from commit 1)\nx\n y\nz\nw\nv\nu\n",
            reading(
                Trailer("Signed-off-by", "A", 3, 3),
                paragraph=Paragraph(3, 10, (5, 6, 7, 8, 9, 10), True, True),
                block=(3, 10),
                end=10,
            ),
            id="a-quarter-with-git-lines",
        ),
        pytest.param(
            "Fix\n\nSigned-off-by: A\nx\ny\nz\nw\n",
            reading(paragraph=Paragraph(3, 7, (4, 5, 6, 7), True, False), end=7),
            id="under-a-quarter",
        ),
    ],
)
def test_read_says_what_git_reads_and_where(message: str, expected: Reading) -> None:
    assert trailers.read(message) == expected


def test_parse_output_is_what_interpret_trailers_prints() -> None:
    assert trailers.parse_output(trailers.read("Fix\n\nKey:\nB  :  v w \n").trailers) == "Key: \nB: v w\n"
