"""The parsers are the oracles of the key editors: on generated YAML, JSON and TOML files (comments,
anchors and aliases, flow and block styles, quoting styles, CRLF, a byte-order mark), every
declared key is placed, and after a bump the parser reads the same document except the declared
keys, while every byte outside the version literals stays as it was. For TOML, tomli (pytest's
own dependency, not the plugin's) reads the result too, as a second oracle beside `toml`.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Dict, List, Tuple

import toml
import tomli  # pants: no-infer-dep
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pants_calver.core.text import apply_edits, decode, encode
from pants_calver.core.versions import extra_sources
from pants_calver.core.versions.formats import json_path, key_path, toml_path, yaml_path
from pants_calver.core.versions.source_specs import SourceSpec
from pants_calver.core.versions.version import CalVersion, Scheme

NEW = CalVersion.parse("24.03.0rc1")
OLD = CalVersion.parse("23.09.6")
VERSIONS = st.sampled_from(["23.9.6", "23.09.6", "1.0.0", "v23.9.6", "23.9.6.dev2"])
KEYS = st.sampled_from(["a", "b", "name", "version", "app.v", "x-y", "k1"])


ANCHORS = itertools.count()


class Mark:
    """A leaf that holds a version: the key paths to it are the declared keys."""

    def __init__(self, text: str) -> None:
        self.text = text


LEAVES = st.one_of(
    st.integers(-5, 99),
    st.booleans(),
    st.text(alphabet="abc xyz#:'\"\\.-", max_size=8),
    st.lists(st.integers(0, 9), max_size=3),
    VERSIONS.map(Mark),
)
TREES = st.recursive(LEAVES, lambda kids: st.dictionaries(KEYS, kids, min_size=1, max_size=4), max_leaves=10)
ROOTS = st.dictionaries(KEYS, TREES, min_size=1, max_size=5)


def marks(tree: Any, path: Tuple[str, ...] = ()) -> List[Tuple[Tuple[str, ...], str]]:
    if isinstance(tree, Mark):
        return [(path, tree.text)]
    if isinstance(tree, dict):
        return [found for key, value in tree.items() for found in marks(value, path + (key,))]
    return []


def finish(lines: List[str], draw: Any) -> str:
    """Lines joined with LF or CRLF, with or without a byte-order mark."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return ("\ufeff" if draw(st.booleans()) else "") + newline.join(lines) + newline


def yaml_scalar(value: Any, draw: Any) -> str:
    if isinstance(value, Mark):
        style = draw(st.sampled_from(["plain", "single", "double", "anchored"]))
        quoted = {"single": f"'{value.text}'", "double": f'"{value.text}"'}
        anchored = f"&v{next(ANCHORS)} {value.text}"  # An anchor no alias uses: the value is its own.
        return quoted.get(style, anchored if style == "anchored" else value.text)
    if isinstance(value, str):
        return json.dumps(value) if draw(st.booleans()) else "'" + value.replace("'", "''") + "'"
    if isinstance(value, list):
        return json.dumps(value)
    return json.dumps(value)


def yaml_flow(tree: Dict[str, Any], draw: Any) -> str:
    items = [
        f"{key}: {yaml_flow(value, draw) if isinstance(value, dict) else yaml_scalar(value, draw)}"
        for key, value in tree.items()
    ]
    return "{" + ", ".join(items) + "}"


def yaml_block(tree: Dict[str, Any], indent: int, draw: Any) -> List[str]:
    lines, pad = [], " " * indent
    for key, value in tree.items():
        if draw(st.booleans()):
            lines.append(f"{pad}# {key}: 9.9.9 a comment")
        comment = " # c: 1.2.3" if draw(st.booleans()) else ""
        if isinstance(value, dict) and draw(st.booleans()):
            lines.append(f"{pad}{key}:{comment}")
            lines += yaml_block(value, indent + 2, draw)
        elif isinstance(value, dict):
            lines.append(f"{pad}{key}: {yaml_flow(value, draw)}{comment}")
        elif isinstance(value, list) and value and draw(st.booleans()):
            lines.append(f"{pad}{key}:{comment}")
            lines += [f"{pad}- {item}" for item in value]
        else:
            lines.append(f"{pad}{key}: {yaml_scalar(value, draw)}{comment}")
    return lines


@st.composite
def yaml_files(draw: Any) -> Tuple[str, Any]:
    tree = draw(ROOTS)
    lines = yaml_block(tree, 0, draw)
    if draw(st.booleans()):  # An anchor that an alias uses, away from the declared keys.
        lines[:0] = ["zz_anchor: &shared {q: 1, r: [1, 2]}", "zz_alias: *shared"]
    return finish(lines, draw), tree


def toml_value(value: Any, draw: Any) -> str:
    if isinstance(value, Mark):
        return f"'{value.text}'" if draw(st.booleans()) else f'"{value.text}"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v, draw)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[\n  " + ",  # c\n  ".join(str(i) for i in value) + "\n]" if value else "[]"
    if isinstance(value, str) and "'" not in value and draw(st.booleans()):
        return f"'{value}'"
    return json.dumps(value)


def toml_key(key: str) -> str:
    return f'"{key}"' if "." in key else key


def toml_pairs(tree: Dict[str, Any], prefix: str, draw: Any) -> List[str]:
    """Key/value lines, a nested table written as an inline table or as dotted keys."""
    lines = []
    for key, value in tree.items():
        name = prefix + toml_key(key)
        if draw(st.booleans()):
            lines.append(f"# {name} = '9.9.9'")
        if isinstance(value, dict) and draw(st.booleans()):
            lines += toml_pairs(value, name + ".", draw)
        else:
            comment = " # c = '1.2.3'" if draw(st.booleans()) else ""
            lines.append(f"{name} = {toml_value(value, draw)}{comment}")
    return lines


@st.composite
def toml_files(draw: Any) -> Tuple[str, Any]:
    tree = draw(ROOTS)
    tables = {k: v for k, v in tree.items() if isinstance(v, dict) and draw(st.booleans())}
    lines = toml_pairs({k: v for k, v in tree.items() if k not in tables}, "", draw)
    if draw(st.booleans()):
        lines.append('zz_text = """\nversion = "9.9.9"\n"""')
    for key, value in tables.items():
        lines += ["", f"[{toml_key(key)}]", *toml_pairs(value, "", draw)]
    return finish(lines, draw), tree


@st.composite
def json_files(draw: Any) -> Tuple[str, Any]:
    tree = draw(ROOTS)
    plain = json.loads(json.dumps(tree, default=lambda mark: mark.text))
    indent = draw(st.sampled_from([None, 1, 2, 4]))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" , ", " : ")]))
    text = json.dumps(plain, indent=indent, separators=separators, ensure_ascii=draw(st.booleans()))
    return finish(text.split("\n"), draw), tree


def bump(text: str, tree: Any, fmt: str) -> Tuple[str, List[Tuple[int, int]], Dict[Tuple[str, ...], str]]:
    """Bump every declared key (with --sync): the new text, the spans of the old literals, and
    the new value of each key."""
    declared = marks(tree)
    spec = SourceSpec("file", keys=tuple(key_path.show_key(p) for p, _ in declared), format=fmt)
    file = extra_sources.read(spec, "file", encode(text))
    assert file.failures == ()
    assert [(site.key, site.found) for site in file.sites] == declared
    edits, problems = extra_sources.plan(file, NEW, OLD, Scheme(), True, "VERSION has `23.09.6`")
    assert problems == []
    spans = sorted((site.spans[0][0], site.spans[0][1]) for site in file.sites)
    return decode(encode(apply_edits(text, edits))), spans, {p: NEW.normalized() for p, _ in declared}


def outside(text: str, spans: List[Tuple[int, int]]) -> List[str]:
    starts = [0] + [end for _, end in spans]
    ends = [start for start, _ in spans] + [len(text)]
    return [text[start:end] for start, end in zip(starts, ends)]


def assert_exact(text: str, new: str, spans: List[Tuple[int, int]], editor: Any, changed: Dict) -> None:
    assert key_path.same_except(editor.load, text, new, changed)
    placed = [editor.place(new, path) for path in changed]
    assert all(isinstance(p, key_path.Placed) and p.value == NEW.normalized() for p in placed)
    new_spans = sorted((p.start, p.end) for p in placed)
    assert outside(new, new_spans) == outside(text, spans)
    # Each literal keeps its quotes (a plain YAML scalar stays plain).
    quotes = [
        (text[old] if text[old] in "\"'" else "", new[start] if new[start] in "\"'" else "")
        for (old, _), (start, _) in zip(spans, new_spans)
    ]
    assert all(before == after for before, after in quotes)


@settings(max_examples=200, deadline=None)
@given(yaml_files())
def test_yaml_bump_changes_only_the_declared_keys(case: Tuple[str, Any]) -> None:
    text, tree = case
    new, spans, changed = bump(text, tree, "yaml")
    assert_exact(text, new, spans, yaml_path, changed)


@settings(max_examples=200, deadline=None)
@given(toml_files())
def test_toml_bump_changes_only_the_declared_keys(case: Tuple[str, Any]) -> None:
    """For every generated file that toml 0.10.2 (the parser Pants ships) reads as tomli does:
    it refuses some valid TOML (inline tables nested three deep) and misreads some (spaces around
    the dots of a dotted key), which the plugin then reports as unreadable or missing."""
    text, tree = case
    try:
        assume(toml_path.load(text) == tomli.loads(text.lstrip("\ufeff")))
    except toml.TomlDecodeError:
        assume(False)
    new, spans, changed = bump(text, tree, "toml")
    assert_exact(text, new, spans, toml_path, changed)
    # tomli reads the same as toml after the bump too.
    assert tomli.loads(new.lstrip("\ufeff")) == toml_path.load(new)


@settings(max_examples=200, deadline=None)
@given(json_files())
def test_json_bump_changes_only_the_declared_keys(case: Tuple[str, Any]) -> None:
    text, tree = case
    new, spans, changed = bump(text, tree, "json")
    assert_exact(text, new, spans, json_path, changed)


def test_yaml_generator_writes_what_yaml_reads() -> None:
    """The generator is itself held to PyYAML once: flow, block, anchors, quoting."""
    text = "a: {b: '1.0.0', c: &v1 23.9.6}\r\nd:\r\n  - 1\r\nzz: &s {q: 1}\r\nzy: *s\r\n"
    assert yaml.safe_load(text) == {
        "a": {"b": "1.0.0", "c": "23.9.6"},
        "d": [1],
        "zz": {"q": 1},
        "zy": {"q": 1},
    }
