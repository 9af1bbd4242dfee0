"""Extra version sources at the core: the entries of `[calver].version_sources`, each kind of
source checked and planned, and every problem a source can have, with its code, line and fix."""

from __future__ import annotations

from typing import Dict, List, Optional

import pytest

from pants_calver.core.errors import SettingError
from pants_calver.core.problems import Problem
from pants_calver.core.text import apply_edits, decode
from pants_calver.core.versions import extra_sources, repo_sources, source_specs
from pants_calver.core.versions.extra_sources import ExtraFile, check, plan, read
from pants_calver.core.versions.formats import text_pattern
from pants_calver.core.versions.version import CalVersion, Scheme

SCHEME = Scheme()
OLD = CalVersion.parse("23.09.6")
NEW = CalVersion.parse("23.09.7rc1")
ROOT = {"": (OLD, "VERSION has `23.09.6`")}


def source(entry: str, content: Optional[bytes], **raw: object) -> ExtraFile:
    return read(source_specs.parse_entry(entry, raw), entry, content)


def problems(file: ExtraFile, versions: Dict = ROOT) -> List[tuple]:
    return [(p.location, p.code, p.message) for p in check([file], versions, SCHEME)]


def bumped(file: ExtraFile, sync: bool = False) -> tuple:
    edits, found = plan(file, NEW, OLD, SCHEME, sync, "VERSION has `23.09.6`")
    assert file.content is not None
    return apply_edits(decode(file.content), edits).encode(), [(p.location, p.code) for p in found]


# The entries


@pytest.mark.parametrize(
    "entry, raw, message",
    [
        pytest.param("/etc/x", {"key": "v"}, "`/etc/x` is an absolute path", id="absolute"),
        pytest.param("a.json", "v", "`a.json` must be a table", id="not-a-table"),
        pytest.param("a.json", {"keys": "v", "colour": 1}, "unknown field `colour`", id="unknown-field"),
        pytest.param(
            "a.json", {}, "must give one of `pattern`, `patterns`, `key`, `keys` (got none)", id="none"
        ),
        pytest.param("a.json", {"key": "v", "pattern": "{display}"}, "(got `pattern`, `key`)", id="both"),
        pytest.param("a.json", {"keys": []}, "`keys` must be a non-empty string or list", id="empty-list"),
        pytest.param("D", {"pattern": "ARG V={version}"}, "`{version}` is no placeholder", id="placeholder"),
        pytest.param("D", {"pattern": "V={major:02}"}, "`{major}` takes no `:` or `!`", id="format-spec"),
        pytest.param("D", {"pattern": "V=1.2.3"}, "has no placeholder", id="no-placeholder"),
        pytest.param(
            "D", {"pattern": "V={display}", "format": "json"}, "`value` and `format` go with", id="pf"
        ),
        pytest.param("a.json", {"key": "a..b"}, "`a..b` is no key path", id="key-path"),
        pytest.param("a.json", {"key": "v", "format": "ini"}, "`format` is `ini`", id="format"),
        pytest.param("a.cfg", {"key": "v"}, "the format cannot be told from the file name", id="extension"),
        pytest.param("a.json", {"key": "v", "distribution": 3}, "`distribution` must be a string", id="dist"),
    ],
)
def test_a_bad_entry_is_one_line_naming_the_option_and_the_entry(
    entry: str, raw: object, message: str
) -> None:
    with pytest.raises(SettingError) as e:
        source_specs.parse({entry: raw})
    assert str(e.value).startswith("[calver].version_sources")
    assert message in str(e.value) and "\n" not in str(e.value)


def test_entries_read_in_order_with_their_defaults() -> None:
    specs = source_specs.parse(
        {
            "chart/Chart.yaml": {"keys": ["version", "appVersion"]},
            "Dockerfile": {"pattern": "ARG V={normalized}", "distribution": "backend.ai-client"},
            "spec/api": {"key": 'info."x.y"', "value": "v{display}", "format": "json"},
        }
    )
    assert [(s.files, s.patterns, s.keys, s.value, s.format_of(s.files)) for s in specs] == [
        ("chart/Chart.yaml", (), ("version", "appVersion"), "{normalized}", "yaml"),
        ("Dockerfile", ("ARG V={normalized}",), (), "{normalized}", ""),
        ("spec/api", (), ('info."x.y"',), "v{display}", "json"),
    ]
    assert specs[1].distribution == "backend.ai-client"


# Text patterns


def test_each_placeholder_stands_for_its_part() -> None:
    template = "{display} {normalized} {branch} {major} {minor} {patch} {pre} {dev}"
    version = CalVersion.parse("24.03.1rc2.dev3")
    assert text_pattern.render(template, source_specs.values(version, SCHEME)) == (
        "24.03.1rc2.dev3 24.3.1rc2.dev3 24.03 24 3 1 rc2 .dev3"
    )
    assert text_pattern.render("{{{major}}}", source_specs.values(version, SCHEME)) == "{24}"


@pytest.mark.parametrize(
    "text, found",
    [
        pytest.param("V=23.9.6\n", ["V=23.9.6"], id="plain"),
        pytest.param("V=23.9.6rc1.dev2 # x\n", ["V=23.9.6rc1.dev2"], id="whole-version"),
        pytest.param("XV=23.9.6\n", ["V=23.9.6"], id="any-text-before-literal"),
        pytest.param("V=23.9.6-slim\n", ["V=23.9.6"], id="a-suffix-stays"),
        pytest.param("V=23.9.6.\n", ["V=23.9.6"], id="sentence-end"),
        pytest.param("V=23.9.6x\n", [], id="not-a-version-end"),
    ],
)
def test_a_pattern_takes_the_whole_version(text: str, found: List[str]) -> None:
    matches = text_pattern.find(text, "V={normalized}")
    assert [text[m.start : m.end] for m in matches] == found


def test_a_pattern_finds_every_site_of_every_file_line_end() -> None:
    content = b"# release = '1.0.0'\r\nrelease = '23.09.6'\r\nversion = '23.09'\rrelease = '23.09.5'\n"
    file = source("docs/conf.py", content, patterns=["release = '{display}'", "version = '{branch}'"])
    assert [(s.line, s.found) for s in file.sites] == [
        (1, "release = '1.0.0'"),
        (2, "release = '23.09.6'"),
        (4, "release = '23.09.5'"),
        (3, "version = '23.09'"),
    ]
    assert problems(file)[0][:2] == ("docs/conf.py:1", "version-source-mismatch")
    assert problems(file)[1] == (
        "docs/conf.py:4",
        "version-source-mismatch",
        "the pattern `release = '{display}'` reads `release = '23.09.5'`, but VERSION has `23.09.6`; "
        "write `release = '23.09.6'`",
    )
    assert bumped(file, sync=True)[0] == (
        b"# release = '23.09.7rc1'\r\nrelease = '23.09.7rc1'\r\nversion = '23.09'\rrelease = '23.09.7rc1'\n"
    )


def test_a_multi_line_pattern_matches_any_line_end() -> None:
    file = source("a.txt", b"[app]\r\nversion: 23.9.6\r\n", pattern="[app]\nversion: {normalized}")
    assert [(s.line, s.found) for s in file.sites] == [(1, "[app]\r\nversion: 23.9.6")]
    assert bumped(file) == (b"[app]\r\nversion: 23.9.7rc1\r\n", [])


def test_a_bump_rewrites_only_the_placeholders() -> None:
    content = b'\xef\xbb\xbfFROM python\r\nARG VERSION=23.9.6\r\nLABEL v="23.09.6" b=23.09  \n'
    file = source(
        "Dockerfile", content, patterns=["ARG VERSION={normalized}", 'LABEL v="{display}" b={branch}']
    )
    assert problems(file) == []
    assert bumped(file) == (
        b'\xef\xbb\xbfFROM python\r\nARG VERSION=23.9.7rc1\r\nLABEL v="23.09.7rc1" b=23.09  \n',
        [],
    )


def test_a_site_not_at_the_version_before_stops_the_bump_and_sync_moves_it() -> None:
    file = source(
        "Dockerfile", b"ARG VERSION=23.9.6\nARG VERSION=22.3.0\n", pattern="ARG VERSION={normalized}"
    )
    content, found = bumped(file)
    assert found == [("Dockerfile:2", "version-source-mismatch")]
    assert bumped(file, sync=True) == (b"ARG VERSION=23.9.7rc1\nARG VERSION=23.9.7rc1\n", [])
    _, [problem] = plan(file, NEW, OLD, SCHEME, False, "VERSION has `23.09.6`")
    assert problem.message == (
        "the pattern `ARG VERSION={normalized}` reads `ARG VERSION=22.3.0`, not `ARG VERSION=23.9.6` "
        "(VERSION has `23.09.6`); fix it by hand or run with --sync first"
    )


# Key paths


def test_key_sources_of_each_format_are_checked_at_their_line() -> None:
    chart = source(
        "Chart.yaml",
        b"apiVersion: v2\nversion: 23.9.6\nappVersion: '23.9.5'\n",
        keys=["version", "appVersion"],
    )
    package = source("package.json", b'{\n  "name": "ui",\n  "version": "23.9.6"\n}\n', key="version")
    project = source(
        "p.toml", b"[tool.app]\nversion = '23.09.6'\n", key="tool.app.version", value="{display}"
    )
    assert problems(chart) == [
        (
            "Chart.yaml:3",
            "version-source-mismatch",
            "`appVersion` reads `23.9.5`, but VERSION has `23.09.6`; write `23.9.6`",
        )
    ]
    assert problems(package) == problems(project) == []
    assert bumped(chart, sync=True) == (b"apiVersion: v2\nversion: 23.9.7rc1\nappVersion: '23.9.7rc1'\n", [])
    assert bumped(project)[0] == b"[tool.app]\nversion = '23.09.7rc1'\n"


def test_a_source_of_an_independent_distribution_follows_its_version() -> None:
    file = source(
        "sdk/package.json", b'{"version": "24.3.1"}', key="version", distribution="backend.ai-client"
    )
    own = {
        **ROOT,
        "backend-ai-client": (CalVersion.parse("24.3.2"), "backend.ai-client's version is `24.3.2`"),
    }
    assert problems(file, own) == [
        (
            "sdk/package.json:1",
            "version-source-mismatch",
            "`version` reads `24.3.1`, but backend.ai-client's version is `24.3.2`; write `24.3.2`",
        )
    ]
    assert [p[1] for p in problems(file)] == ["version-source-unversioned"]


CANNOT = [
    pytest.param("a.yaml", b"x: 1\n", "version", "a.yaml", "version-source-unmatched", id="yaml-no-key"),
    pytest.param(
        "a.json", b'{"a": {"b": 1}}', "a.version", "a.json", "version-source-unmatched", id="json-no-key"
    ),
    pytest.param("a.toml", b"[a]\nb = 1\n", "a.c", "a.toml", "version-source-unmatched", id="toml-no-key"),
    pytest.param(
        "a.yaml", b"b: &x 1.0.0\nc: *x\n", "b", "a.yaml:1", "version-source-unplaceable", id="yaml-alias"
    ),
    pytest.param(
        "a.yaml",
        b"base: &b\n  v: 1.0.0\nx:\n  <<: *b\n",
        "x.v",
        "a.yaml:4",
        "version-source-unplaceable",
        id="merge",
    ),
    pytest.param(
        "a.yaml", b"v: |\n  1.0.0\n", "v", "a.yaml:1", "version-source-unplaceable", id="yaml-block"
    ),
    pytest.param(
        "a.yaml", b"v: '1.0.0\n  rc1'\n", "v", "a.yaml:1", "version-source-unplaceable", id="yaml-folded"
    ),
    pytest.param("a.yaml", b"v: [1.0.0]\n", "v.0", "a.yaml", "version-source-unplaceable", id="yaml-array"),
    pytest.param("a.yaml", b"v: 1.5\n", "v", "a.yaml:1", "version-source-unplaceable", id="yaml-number"),
    pytest.param("a.yaml", b"v: 1\nv: 2\n", "v", "a.yaml:2", "version-source-unplaceable", id="yaml-twice"),
    pytest.param("a.yaml", b"v: [\n", "v", "a.yaml", "version-source-unreadable", id="yaml-syntax"),
    pytest.param(
        "a.json", b'{"v": "1", "v": "2"}', "v", "a.json:1", "version-source-unplaceable", id="json-twice"
    ),
    pytest.param(
        "a.json", b'{"a": [{"v": "1"}]}', "a.v", "a.json", "version-source-unplaceable", id="json-array"
    ),
    pytest.param("a.json", b'{"v": 1}', "v", "a.json:1", "version-source-unplaceable", id="json-number"),
    pytest.param("a.json", b'{"v": ', "v", "a.json", "version-source-unreadable", id="json-syntax"),
    pytest.param(
        "a.toml", b'v = """\n1.0.0"""\n', "v", "a.toml:1", "version-source-unplaceable", id="toml-multi"
    ),
    pytest.param(
        "a.toml", b"[[p]]\nv = '1'\n", "p.v", "a.toml", "version-source-unplaceable", id="toml-array"
    ),
    pytest.param("a.toml", b"v = 1\n", "v", "a.toml:1", "version-source-unplaceable", id="toml-number"),
    pytest.param("a.toml", b"v = \n", "v", "a.toml", "version-source-unreadable", id="toml-syntax"),
]


@pytest.mark.parametrize("path, content, key, location, code", CANNOT)
def test_a_key_that_cannot_be_placed_exactly_is_a_problem(
    path: str, content: bytes, key: str, location: str, code: str
) -> None:
    file = source(path, content, key=key)
    [(where, found_code, message)] = problems(file)
    assert (where, found_code) == (location, code)
    assert message.startswith(f"`{key}` should read `23.9.6`, but ")
    _, stopped = bumped(file, sync=True)
    assert stopped == [(location, code)]


def test_a_multi_document_yaml_file_says_to_use_a_pattern_not_to_fix_its_syntax() -> None:
    file = source("k8s.yaml", b"---\nversion: 23.9.6\n---\nkind: Service\n", key="version")
    assert problems(file) == [
        (
            "k8s.yaml",
            "version-source-unplaceable",
            "`version` should read `23.9.6`, but the file holds several YAML documents (`---`); a key is "
            "placed in single-document YAML only: use a `pattern` instead",
        )
    ]
    # One document, even after a `---`, is read as before.
    assert problems(source("one.yaml", b"---\nversion: 23.9.6\n", key="version")) == []


def test_a_plain_yaml_value_the_rewrite_would_turn_into_a_number_is_a_problem() -> None:
    file = source("a.yaml", b"branch: 23.09.6-x\n", key="branch", value="{branch}.6-x")
    assert bumped(file, sync=True) == (b"branch: 23.09.6-x\n", [])
    branch = source(
        "a.yaml", b"branch: '23.08'\nplain: 23.08x\n", keys=["branch", "plain"], value="{branch}x"
    )
    content, found = bumped(branch, sync=True)
    assert found == [] and content == b"branch: '23.09x'\nplain: 23.09x\n"
    number = source("b.yaml", b"b: v23.08\n", key="b", value="{branch}")
    assert problems(number)[0][1] == "version-source-mismatch"
    _, [problem] = plan(number, NEW, OLD, SCHEME, True, "")
    assert (problem.location, problem.code) == ("b.yaml:1", "version-source-unplaceable")
    assert (
        "would change what the YAML parser reads elsewhere, or not as a string; quote the value"
        in problem.message
    )


@pytest.mark.parametrize(
    "entry, raw, message",
    [
        pytest.param(
            "chart/Chart.yaml", {"key": "version"}, "the file is missing; create it, or remove", id="file"
        ),
        pytest.param(
            "web/*/package.json", {"key": "version"}, "no file matches `web/*/package.json`", id="glob"
        ),
    ],
)
def test_a_missing_file_is_a_problem(entry: str, raw: Dict, message: str) -> None:
    [(where, code, text)] = problems(source(entry, None, **raw))
    assert (where, code) == (entry, "version-source-missing")
    assert text.startswith("`version` should read `23.9.6`, but ") and message in text


def test_a_missing_file_is_one_problem_whatever_it_should_hold() -> None:
    keys = source("chart/Chart.yaml", None, keys=["version", "appVersion"])
    assert problems(keys) == [
        (
            "chart/Chart.yaml",
            "version-source-missing",
            "`version` and `appVersion` should read `23.9.6`, but the file is missing; create it, or remove "
            "`chart/Chart.yaml` from [calver].version_sources",
        )
    ]
    patterns = source("Dockerfile", None, patterns=["ARG V={normalized}", "LABEL v={display}"])
    assert problems(patterns) == [
        (
            "Dockerfile",
            "version-source-missing",
            "the pattern `ARG V={normalized}` and the pattern `LABEL v={display}`: the file is missing; "
            "create it, or remove `Dockerfile` from [calver].version_sources",
        )
    ]
    assert [p.code for p in bumped_problems(patterns)] == ["version-source-missing"]


def bumped_problems(file: ExtraFile) -> list:
    return plan(file, NEW, OLD, SCHEME, False, "VERSION has `23.09.6`")[1]


def test_a_pattern_that_matches_nothing_says_what_to_write() -> None:
    assert problems(source("Dockerfile", b"FROM x\n", pattern="ARG V={normalized}")) == [
        (
            "Dockerfile",
            "version-source-unmatched",
            "the pattern `ARG V={normalized}` should read `ARG V=23.9.6`, but no text in the file matches "
            "it; write it there, or fix the pattern in [calver].version_sources",
        )
    ]


def test_problems_carry_found_and_expected() -> None:
    file = source("Dockerfile", b"ARG V=23.9.5\n", pattern="ARG V={normalized}")
    [problem] = check([file], ROOT, SCHEME)
    assert problem == Problem(
        "Dockerfile", 1, extra_sources.MISMATCH, problem.message, "ARG V=23.9.5", "ARG V=23.9.6"
    )


# Every source of the repo


def test_a_glob_reads_each_file_it_matches_as_pants_matches_it() -> None:
    specs = source_specs.parse(
        {"docs/*/conf.py": {"pattern": 'release = "{display}"'}, "a.json": {"key": "v"}}
    )
    contents = {
        "docs/a/conf.py": b'release = "23.09.6"\n',
        "docs/b/conf.py": b'release = "23.09.5"\n',
        "docs/b/c/conf.py": b'release = "1.0.0"\n',
    }
    files = repo_sources.read_all(specs, contents)
    assert [(f.path, [s.found for s in f.sites], [x.code for x in f.failures]) for f in files] == [
        ("docs/a/conf.py", ['release = "23.09.6"'], []),
        ("docs/b/conf.py", ['release = "23.09.5"'], []),
        ("a.json", [], ["version-source-missing"]),
    ]
    assert sum(len(f.sites) for f in files) == 2


def test_every_source_moves_to_the_version_it_follows() -> None:
    specs = source_specs.parse(
        {
            "Dockerfile": {"pattern": "ARG V={normalized}"},
            "sdk.json": {"key": "v", "distribution": "Backend.AI-client"},
            "other.json": {"key": "v", "distribution": "backend.ai-unknown"},
        }
    )
    contents = {"Dockerfile": b"ARG V=23.9.6\n", "sdk.json": b'{"v": "24.3.0"}', "other.json": b'{"v": "1"}'}
    files = repo_sources.read_all(specs, contents)
    own = CalVersion.parse("24.03.1")
    followed = extra_sources.followed(
        (OLD, "VERSION has `23.09.6`"), {"backend-ai-client": (own, "24.03.1")}, []
    )
    assert [p.code for p in check(files, followed, SCHEME)] == [
        "version-source-mismatch",
        "version-source-unversioned",
    ]
    targets = {"": (NEW, OLD, "VERSION has `23.09.6`"), "backend-ai-client": (own, own, "its own version")}
    edits, found = repo_sources.plan_all(files, targets, SCHEME, sync=True)
    assert {path: [e.new for e in e_] for path, e_ in edits.items()} == {
        "Dockerfile": ["23.9.7rc1"],
        "sdk.json": ['"24.3.1"'],
    }
    assert [(p.location, p.code) for p in found] == [("other.json", "version-source-unversioned")]


def test_two_entries_that_rewrite_the_same_text_otherwise_stop_the_bump() -> None:
    specs = source_specs.parse({"*.txt": {"pattern": "V={normalized}"}, "a.txt": {"pattern": "V={display}"}})
    files = repo_sources.read_all(specs, {"a.txt": b"V=23.9.6\n"})
    edits, found = repo_sources.plan_all(files, {"": (NEW, OLD, "")}, SCHEME, sync=True)
    assert edits == {} and [(p.location, p.code) for p in found] == [
        ("a.txt:1", "version-source-unplaceable")
    ]
