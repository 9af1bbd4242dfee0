"""The one problem type and its one printer (goals/output.py): the shape follows the problem's
fields (a file and line, a commit, or neither), never the goal that prints it."""

from __future__ import annotations

import json

import pytest

from pants_calver.core.problems import Problem
from pants_calver.goals.output import OutputFormat, problem_annotation, problem_document, problem_lines

IN_FILE = Problem("a/BUILD", 3, "pin-mismatch", "pins 1.0%; pin 2.0", "==1.0", "==2.0")
WHOLE_FILE = Problem("VERSION", 0, "version-invalid", "is empty; write a version")
IN_COMMIT = Problem.in_commit("abc1234", "Fix a leak", "trailers-missing", "has no backport trailers\nat all")
NOWHERE = Problem("", 0, "downgrade-undoes-more", "`alembic downgrade a` would undo b: undo it by hand.")


def brackets(text: str) -> str:
    return f"[{text}]"


@pytest.mark.parametrize(
    "problem, text",
    [
        pytest.param(IN_FILE, "[a/BUILD:3]: pins 1.0%; pin 2.0", id="file-and-line"),
        pytest.param(WHOLE_FILE, "[VERSION]: is empty; write a version", id="whole-file"),
        pytest.param(IN_COMMIT, "[abc1234] Fix a leak: has no backport trailers\nat all", id="commit"),
        pytest.param(NOWHERE, "`alembic downgrade a` would undo b: undo it by hand.", id="no-location"),
    ],
)
def test_text_marks_the_location(problem: Problem, text: str) -> None:
    assert problem_lines(OutputFormat.text, [problem], brackets) == [text]
    assert problem.text() == text.replace("[", "").replace("]", "")


@pytest.mark.parametrize(
    "problem, annotation",
    [
        pytest.param(
            IN_FILE,
            "::error file=a/BUILD,line=3,title=pin-mismatch::pins 1.0%25; pin 2.0",
            id="file-and-line",
        ),
        pytest.param(
            WHOLE_FILE,
            "::error file=VERSION,line=1,title=version-invalid::is empty; write a version",
            id="whole-file",
        ),
        pytest.param(
            IN_COMMIT,
            "::error title=trailers-missing::abc1234 Fix a leak: has no backport trailers%0Aat all",
            id="commit",
        ),
        pytest.param(
            NOWHERE,
            "::error title=downgrade-undoes-more::`alembic downgrade a` would undo b: undo it by hand.",
            id="no-location",
        ),
    ],
)
def test_github_annotation(problem: Problem, annotation: str) -> None:
    assert problem_annotation(problem) == annotation
    assert problem_lines(OutputFormat.github, [problem]) == [annotation]


def test_json_keys_in_the_order_reports_print_them() -> None:
    assert json.dumps(problem_document(IN_FILE)) == json.dumps(
        {
            "path": "a/BUILD",
            "line": 3,
            "code": "pin-mismatch",
            "message": "pins 1.0%; pin 2.0",
            "found": "==1.0",
            "expected": "==2.0",
        }
    )
    assert json.dumps(problem_document(IN_COMMIT)) == json.dumps(
        {
            "sha": "abc1234",
            "subject": "Fix a leak",
            "code": "trailers-missing",
            "message": "has no backport trailers\nat all",
        }
    )
    assert json.dumps(problem_document(NOWHERE)) == json.dumps(
        {"code": "downgrade-undoes-more", "message": NOWHERE.message, "found": "", "expected": ""}
    )


def test_every_problem_has_a_code() -> None:
    with pytest.raises(ValueError, match="a Problem needs a code"):
        Problem("a/BUILD", 1, "", "no code")
    with pytest.raises(ValueError, match="a Problem needs a code"):
        Problem.in_commit("abc1234", "Fix", "", "no code")
