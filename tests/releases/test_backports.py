"""`core/releases/backports.py`: the cherry-pick trailer rule, judged on commits as git reads them."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pytest

from pants_calver.core.errors import SettingError
from pants_calver.core.git import trailers
from pants_calver.core.git.log import Commit
from pants_calver.core.releases.backports import BackportRules, check_commit, compile_patterns
from pants_calver.core.repo_paths import glob_pattern

# A full commit id for commits made up here (the parser requires one; these checks never read it).
OID = "abc1234000000000000000000000000000000000"

RULES = BackportRules(
    branch="23.09",
    main_branch="main",
    release_files=frozenset({"VERSION", "requirements.txt"}),
    release_globs=(glob_pattern("CHANGELOG.md"), glob_pattern("changes/**")),
    exempt_subjects=compile_patterns("exempt", [r"^Revert "]),
)


def commit(*trailer_lines: str, message: str = "", paths=("src/a.py",), subject="Fix") -> Commit:
    """A commit whose message is `message`, or the subject and, after a blank line, `trailer_lines`."""
    message = message or "\n".join([subject, "", *trailer_lines] if trailer_lines else [subject]) + "\n"
    return Commit.from_message(OID, "abc1234", subject, message, tuple(paths))


GOOD = ("Backported-From: main", "Backported-To: 23.09")
ARABIC_INDIC_23_09 = "\u0662\u0663.\u0660\u0669"


@pytest.mark.parametrize(
    "subject, message, exempt",
    [
        # `[check-backports].exempt_subjects` patterns are searched anywhere in the subject...
        pytest.param("Bump the hotfix release", "", True, id="searched-anywhere"),
        pytest.param("hotfix", "", True, id="whole-subject"),
        pytest.param('Revert "Fix"', "", True, id="anchored-at-start"),
        # ...as written: an anchor still anchors, and only the subject is searched.
        pytest.param('Reapply Revert "Fix"', "", False, id="anchor-holds"),
        pytest.param("Fix", "Fix\n\nThe hotfix path.\n", False, id="body-not-searched"),
    ],
)
def test_exempt_subjects_are_searched_in_the_subject(subject: str, message: str, exempt: bool) -> None:
    rules = replace(RULES, exempt_subjects=compile_patterns("exempt", [r"^Revert ", "hotfix"]))
    problem = check_commit(commit(message=message, subject=subject), rules)
    assert (problem.code if problem else None) == (None if exempt else "trailers-missing")


@pytest.mark.parametrize(
    "change, code",
    [
        pytest.param(commit(*GOOD), None, id="good"),
        pytest.param(commit("BACKPORTED-FROM: main (24.09)", "backported-to:23.9"), None, id="any-case"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.03", GOOD[1]), None, id="one-of-several-targets"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.03, 23.09"), None, id="comma-separated-targets"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.03 23.09 (and 24.03)"), None, id="space-separated"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.03,23.09"), None, id="comma-alone"),
        pytest.param(commit("Backported-From: main, develop", GOOD[1]), None, id="from-first-word"),
        pytest.param(commit(paths=("VERSION", "CHANGELOG.md", "changes/1.md")), None, id="release-commit"),
        pytest.param(commit(paths=("VERSION", "src/a.py")), "trailers-missing", id="release-and-code"),
        pytest.param(commit(paths=()), "trailers-missing", id="empty-commit-is-no-release"),
        pytest.param(commit(subject='Revert "Fix"'), None, id="exempt-subject"),
        pytest.param(commit(), "trailers-missing", id="no-trailers"),
        pytest.param(
            commit(message="Fix\n\nBackported-From: main\nBackported-To: 23.09\n\nMore.\n"),
            "trailers-not-final",
            id="not-final",
        ),
        pytest.param(commit(GOOD[1]), "trailer-missing", id="to-only"),
        pytest.param(commit(GOOD[0]), "trailer-missing", id="from-only"),
        pytest.param(commit("Backported-From: mainline", GOOD[1]), "from-not-main", id="other-source"),
        pytest.param(commit("Backported-From: develop, main", GOOD[1]), "from-not-main", id="main-not-first"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.10"), "to-other-branch", id="other-target"),
        pytest.param(commit(GOOD[0], "Backported-To: 2309"), "to-other-branch", id="typo"),
        pytest.param(commit(GOOD[0], "Backported-To:"), "to-other-branch", id="empty-target"),
        pytest.param(commit(GOOD[0], "Backported-To: (23.09)"), "to-other-branch", id="target-in-a-note"),
        pytest.param(
            commit(GOOD[0], "Backported-To: 23.09;"), "to-other-branch", id="semicolon-is-no-separator"
        ),
        pytest.param(
            commit(GOOD[0], f"Backported-To: {ARABIC_INDIC_23_09}"), "to-other-branch", id="arabic-digits"
        ),
        # Characters git keeps in a value (it trims only spaces, tabs, CR and LF) and
        # `str.split` would take for white space.
        pytest.param(commit(GOOD[0], "Backported-To: 23.09\x0b"), None, id="ascii-vt-separates"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.09\x1c"), "to-other-branch", id="x1c-does-not"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.09\u2028"), "to-other-branch", id="u2028-does-not"),
        pytest.param(commit(GOOD[0], "Backported-To: 23.03\x8523.09"), "to-other-branch", id="nel-does-not"),
    ],
)
def test_check_commit(change: Commit, code: Optional[str]) -> None:
    problem = check_commit(change, RULES)
    assert (problem.code if problem else None) == code
    if problem:
        assert (problem.commit, problem.subject) == (change.sha, change.subject)


def test_no_word_names_a_branch_that_is_no_release_branch() -> None:
    rules = BackportRules(branch="feature", main_branch="main", release_files=frozenset())
    problem = check_commit(commit(GOOD[0], "Backported-To: feature"), rules)
    assert problem is not None and problem.code == "to-other-branch"


END = ". End the message with `Backported-From: main` and `Backported-To: 23.09`, after one blank line"
NOT_READ = "has Backported-From/Backported-To lines that git does not read as trailers: "
PARAGRAPH_RULE = (
    "git reads a paragraph as trailers only when every line is one (or a quarter are, one being "
    "`Signed-off-by:` or `(cherry picked from commit`)"
)


@pytest.mark.parametrize(
    "message, code, text",
    [
        pytest.param(
            "Fix\nBackported-From: main\nBackported-To: 23.09\n",
            "trailers-not-final",
            f"{NOT_READ}lines 2-3 are in the first paragraph, which git reads as the subject, never as trailers{END}",
            id="in-the-subject",
        ),
        pytest.param(
            "Fix\n\nBackported-From: main\nBackported-To: 23.09\n\nThanks to the reviewers.\n",
            "trailers-not-final",
            f"{NOT_READ}lines 3-4 are not in the last paragraph (line 6), the only one git reads trailers from{END}",
            id="in-an-earlier-paragraph",
        ),
        pytest.param(
            "Fix\n\nSee the ticket.\nBackported-From: main\nBackported-To: 23.09\n",
            "trailers-not-final",
            f"{NOT_READ}lines 4-5 are in the last paragraph (lines 3-5), but git reads it as text, not trailers: "
            f"line 3 in it is not a trailer, and {PARAGRAPH_RULE}{END}",
            id="last-paragraph-not-trailers",
        ),
        pytest.param(
            "Fix\n\nSigned-off-by: A <a@b>\nBackported-From: main\nx\ny\nz\nw\nv\nu\nt\n",
            "trailers-not-final",
            f"{NOT_READ}line 4 is in the last paragraph (lines 3-11), but git reads it as text, not trailers: "
            f"lines 5-11 in it are not trailers, and {PARAGRAPH_RULE}{END}",
            id="under-a-quarter",
        ),
        pytest.param(
            "Fix\n\nSigned-off-by: A <a@b>\n  Backported-From: main\n\tBackported-To: 23.09\n",
            "trailers-not-final",
            f"{NOT_READ}lines 4-5 start with white space, so git reads them as part of the `Signed-off-by` "
            f"trailer on line 3{END}",
            id="continuation",
        ),
        pytest.param(
            "Fix\n\nSigned-off-by: A <a@b>\nsome text\n Backported-From: main\n",
            "trailers-not-final",
            f"{NOT_READ}line 5 starts with white space after a line that is no trailer, so git reads it as text{END}",
            id="text-among-trailers",
        ),
        pytest.param(
            "Fix\n\n---\n\nBackported-From: main\nBackported-To: 23.09\n",
            "trailers-not-final",
            f"{NOT_READ}lines 5-6 come after the `---` of line 3, where git stops reading (it takes the rest for "
            f"a patch){END}",
            id="after-a-divider",
        ),
        pytest.param(
            f"Fix\n\n{trailers.SCISSORS}Backported-From: main\nBackported-To: 23.09\n",
            "trailers-not-final",
            f"{NOT_READ}lines 4-5 come after the scissors line 3, below which git reads nothing{END}",
            id="after-scissors",
        ),
        pytest.param(
            "Fix\n\nBody\nConflicts:\n\tBackported-From: main\n",
            "trailers-not-final",
            f"{NOT_READ}line 5 is among what git leaves out at the end of a message (comments, a `Conflicts:` "
            f"list){END}",
            id="in-a-conflicts-list",
        ),
        pytest.param(
            "Fix\nBackported-From: main\n\nBackported-To: 23.09\n\nThanks.\n",
            "trailers-not-final",
            f"{NOT_READ}line 2 is in the first paragraph, which git reads as the subject, never as trailers; "
            f"line 4 is not in the last paragraph (line 6), the only one git reads trailers from{END}",
            id="two-places",
        ),
        pytest.param(
            "Fix\n\nBackported-From: main\n\nBackported-To: 23.09\n",
            "trailer-missing",
            "has no `Backported-From: main` trailer that git reads: line 3 is not in the last paragraph (line 5), "
            "the only one git reads trailers from",
            id="from-elsewhere",
        ),
        pytest.param(
            "Fix\n\nBackported-From: main\n",
            "trailer-missing",
            "has no `Backported-To: 23.09` trailer",
            id="to-nowhere",
        ),
        pytest.param(
            "Fix\n\nSigned-off-by: A <a@b>\nBackported-From: develop\nBackported-To: 23.09\n",
            "from-not-main",
            "says `Backported-From: develop` on line 4, but fixes come from main",
            id="from-not-main-on-line-4",
        ),
        pytest.param(
            "Fix\n\nBackported-From: main\nBackported-To: 23.O9\nBackported-To: 23.10\n",
            "to-other-branch",
            "says `Backported-To: 23.O9` on line 4, but this is release branch 23.09",
            id="to-other-branch-on-line-4",
        ),
        pytest.param(
            "Fix\n\nBackported-From: m\udce9in\nBackported-To: 23.09\n",
            "from-not-main",
            "says `Backported-From: m\ufffdin` on line 3, but fixes come from main",
            id="not-utf8-shown-replaced",
        ),
    ],
)
def test_problem_messages_say_where_the_lines_are(message: str, code: str, text: str) -> None:
    problem = check_commit(Commit.from_message(OID, "abc1234", "Fix \udcff", message), RULES)
    assert problem is not None
    assert (problem.code, problem.message, problem.subject) == (code, text, "Fix \ufffd")


def test_compile_patterns_names_the_option() -> None:
    with pytest.raises(SettingError) as error:
        compile_patterns("[check-backports].exempt_subjects", ["ok", "["])
    assert str(error.value) == (
        "[check-backports].exempt_subjects: `[` is not a regular expression "
        "(unterminated character set at position 0)"
    )
