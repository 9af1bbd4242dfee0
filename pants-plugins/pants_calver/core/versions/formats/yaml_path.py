"""A string value of a YAML file, placed by its key path, with no Pants import.

PyYAML (which Pants ships) places every node: its composer gives each node's start and end in
the text. The value is read by `yaml.safe_load` (the oracle); it is placed when the path leads,
through mappings written in this file, to a one-line scalar that no alias shares. A value that
an anchor lends to other places, that a merge key (`<<`) brings in, or that spans lines is
reported: rewriting it would change more than the one value, or more than one line.
"""

from __future__ import annotations

import json
from typing import Any, Union
from collections.abc import Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pants_calver.core.versions.formats.key_path import (
    UNPLACEABLE,
    UNREADABLE,
    Placed,
    Unplaced,
    lookup,
    not_a_string,
    show_key,
)


def load(text: str) -> Any:
    return yaml.safe_load(text)


def _uses(root: Node) -> dict[int, int]:
    """How many times each node is reached from `root`: more than once for an anchored node that
    aliases name elsewhere (the composer gives an alias the anchored node itself)."""
    counts: dict[int, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        counts[id(node)] = counts.get(id(node), 0) + 1
        if counts[id(node)] > 1:
            continue
        if isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return counts


def _walk(root: Node, path: Sequence[str]) -> Union[list[Node], Unplaced]:
    """The nodes from the root's value along `path`, or why the path is not written out here."""
    nodes, node = [], root
    for depth, segment in enumerate(path):
        where = f"`{show_key(path[: depth + 1])}`"
        pairs = [
            (key, value)
            for key, value in (node.value if isinstance(node, MappingNode) else [])
            if isinstance(key, ScalarNode) and key.value == segment
        ]
        if not pairs:
            message = f"{where} comes from a merge key (`<<`), not written here; write it out in place"
            return Unplaced(UNPLACEABLE, node.start_mark.index, message)
        if len(pairs) > 1:
            message = f"the file has the key {where} {len(pairs)} times; keep one"
            return Unplaced(UNPLACEABLE, pairs[-1][0].start_mark.index, message)
        node = pairs[0][1]
        nodes.append(node)
    return nodes


def _span(text: str, node: Node) -> tuple[int, int]:
    """The scalar's own characters: its span without an anchor (`&a`) or tag (`!!str`) before it."""
    start, end = node.start_mark.index, node.end_mark.index
    while text[start] in "&!":
        while start < end and text[start] not in " \t\r\n":
            start += 1
        while start < end and text[start] in " \t\r\n":
            start += 1
    return start, end


def _documents(text: str) -> int:
    """How many documents a valid YAML stream holds (0 when it is not valid)."""
    try:
        return sum(1 for _ in yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return 0


def place(text: str, path: Sequence[str]) -> Placed | Unplaced:
    """The string at `path` in a YAML document `text`, or why it cannot be placed exactly."""
    try:
        value = lookup(load(text), path)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        if _documents(text) > 1:
            message = (
                "the file holds several YAML documents (`---`); a key is placed in single-document "
                "YAML only: use a `pattern` instead"
            )
            return Unplaced(UNPLACEABLE, 0, message)
        reason = " ".join(str(e).split())
        return Unplaced(UNREADABLE, 0, f"the file cannot be read as YAML ({reason}); fix its syntax")
    if isinstance(value, Unplaced):
        return value
    nodes = _walk(root, path)
    if isinstance(nodes, Unplaced):
        return nodes
    what, node = f"`{show_key(path)}`", nodes[-1]
    uses = _uses(root)
    shared = next((n for n in nodes if uses[id(n)] > 1), None)
    if shared is not None:
        message = (
            f"{what} stands in an anchored node that an alias (`*name`) uses elsewhere, so rewriting "
            "it would change those places too; write the value out in place"
        )
        return Unplaced(UNPLACEABLE, shared.start_mark.index, message)
    if not isinstance(value, str):
        return not_a_string(what, value, node.start_mark.index)
    if (
        not isinstance(node, ScalarNode)
        or node.style in ("|", ">")
        or node.start_mark.line != node.end_mark.line
    ):
        message = f"{what} spans more than one line; write it on one line, as `x.y.z`"
        return Unplaced(UNPLACEABLE, node.start_mark.index, message)
    start, end = _span(text, node)
    written = text[start:end]
    quote = written[:1] if written[:1] in "\"'" else ""
    if (yaml.safe_load(written) if quote else written) != value or node.value != value:
        return Unplaced(UNPLACEABLE, start, f"{what} cannot be placed exactly; edit it by hand")
    return Placed(value, start, end, quote)


def literal(value: str, quote: str) -> str:
    """The YAML scalar of `value` in the style it had (a plain one is checked by the oracle)."""
    if quote == '"':
        return json.dumps(value, ensure_ascii=False)
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    return value
