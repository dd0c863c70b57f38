"""Splitting a content file into YAML front matter and a Markdown body.

The YAML is parsed once into nodes so that every key, however deeply nested,
keeps the line it was written on: error messages point at that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # The C parser is several times faster; fall back where it is missing.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

import re

_TAG = "tag:yaml.org,2002:"


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML as people who are not programmers expect it to read.

    YAML 1.1 (PyYAML's default) turns ``010`` into 8, ``1:30`` into 90,
    ``no`` into false and ``=`` into an error; a date that does not exist
    (2026-13-01) stops the whole file. Here only ``true``/``false`` are
    booleans, numbers are decimal, and an impossible date stays text so that
    the field's own check reports it on the right line.
    """


def _plain_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    replaced = {_TAG + "bool", _TAG + "int", _TAG + "float", _TAG + "value"}
    resolvers = {
        first: [(tag, pattern) for tag, pattern in entries if tag not in replaced]
        for first, entries in _BaseLoader.yaml_implicit_resolvers.items()
    }
    additions = [
        (_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
        # Whole numbers without leading zeros, so "007" is never read as 7 (or 8 as octal).
        (_TAG + "int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), "-+0123456789"),
        (
            _TAG + "float",
            re.compile(
                r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
            ),
            "-+.0123456789",
        ),
    ]
    for tag, pattern, firsts in reversed(additions):
        for first in firsts:
            entries = resolvers.setdefault(first, [])
            # Ints before floats, both before timestamps (a date never matches them).
            entries.insert(0, (tag, pattern))
    return resolvers


_Loader.yaml_implicit_resolvers = _plain_resolvers()


def _construct_timestamp(loader: _BaseLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor(_TAG + "timestamp", _construct_timestamp)

# A key's place in the front matter: ("milestones", 1, "amount").
FieldPath = tuple[str | int, ...]


@dataclass
class SourceFile:
    """A content file's front matter, the line of each field, and its body."""

    data: dict[str, Any]
    lines: dict[FieldPath, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1

    def line_of(self, *path: str | int) -> int:
        """The line of a field, or of its nearest parent; line 1 if absent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


class FrontMatterError(ValueError):
    """The file cannot be read as front matter; carries the line to blame."""

    def __init__(self, line: int, message: str, field: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field


FENCE = "---"


def decode_utf8(raw: bytes) -> str:
    """Decode a content file, naming the line of the first byte that is not UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FrontMatterError(
            line, "the file is not UTF-8 text (save it with UTF-8 encoding)"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FrontMatterError(line, "the file is not a text file (it holds binary data)")
    return text.removeprefix("\ufeff")


def split(text: str) -> SourceFile:
    """Parse a whole content file. Raises FrontMatterError when it cannot."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise FrontMatterError(
            1,
            "no front matter found (start the file with a line of three dashes, ---, "
            "then the fields, then another line of ---)",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            closing = index
            break
    else:
        raise FrontMatterError(
            1, "the front matter is never closed (add a line of three dashes, ---, after the fields)"
        )
    yaml_text = "".join(lines[1:closing])
    body = "".join(lines[closing + 1 :])
    data, line_map = parse_yaml(yaml_text, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            2, "the front matter must be fields written as `name: value`, one a line"
        )
    return SourceFile(data=data, lines=line_map, body=body, body_line=closing + 2)


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[FieldPath, int]]:
    """Parse YAML text, returning the data and the line of every mapping key."""
    try:
        loader = _Loader(text)
    except UnicodeEncodeError:  # a lone surrogate: only possible from a str built in code
        raise FrontMatterError(first_line, "the text holds characters that are not valid Unicode") from None
    node = None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        # Lines are recorded before construction, which folds merge keys
        # (<<: *anchor) into the mapping and would look like duplicates.
        line_map: dict[FieldPath, int] = {}
        _record_lines(node, (), first_line, line_map)
        data = loader.construct_document(node)
    except FrontMatterError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # A bracket or quote left open is only noticed at the end of the
        # front matter; the line where it was opened is the one to fix.
        at_end = mark is not None and mark.index >= len(text.rstrip())
        if at_end and exc.context_mark and mark and exc.context_mark.line < mark.line:
            mark = exc.context_mark
        line = first_line + (mark.line if mark else 0)
        if at_end:  # never past the last written line (the closing ---)
            line = min(line, first_line + max(text.rstrip().count("\n"), 0))
        tabbed = _tab_indented_line(text, exc)
        if tabbed is not None:
            raise FrontMatterError(first_line + tabbed, (
                "this line is indented with a tab, and YAML indents with spaces only "
                "(replace the tab at the start of the line with spaces)"
            )) from None
        problem = exc.problem or exc.context or "it is not valid YAML"
        hint = _yaml_hint(problem, exc.context or "")
        raise FrontMatterError(line, f"not valid YAML: {problem}{hint}") from None
    except yaml.reader.ReaderError as exc:
        # The C parser counts bytes of UTF-8; the pure-Python one characters.
        before = text.encode("utf-8")[: exc.position].count(b"\n") if isinstance(exc.character, int) else text.count("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise FrontMatterError(
            first_line + before,
            f"has an invisible control character (U+{code:04X}) in it: delete it "
            "(it often comes with text copied from another program)",
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"not valid YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # The constructor rejects some well-formed values (a date such as
        # 2024-02-30, an unhashable key).
        line = first_line + (node.start_mark.line if node is not None else 0)
        raise FrontMatterError(line, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, line_map


# What people usually did wrong when YAML says this.
_YAML_HINTS = (
    ("tab", "indent with spaces, not tabs"),
    ("\\t", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "if the value has a colon and a space in it, put the whole value in double quotes"),
    ("quoted scalar", "a quotation mark is never closed"),
    ("did not find expected key", "check this line's indentation; a value that starts with [ or a quotation mark must be wholly in quotes"),
    ("cannot start any token", "a value that starts with @ or ` must be in quotes"),
    ("block sequence entries are not allowed", "put a value that starts with a dash in quotes, or start the list on the next line"),
)


def _tab_indented_line(text: str, exc: yaml.MarkedYAMLError) -> int | None:
    """The line (counted from 0) a tab indents, when that is why the YAML failed.

    YAML's own message ("found character that cannot start any token") never
    says it is a tab, and a tab is invisible in most editors. The line blamed
    is looked at, and the one before it (a mapping is often only found broken
    on the line after the tab)."""
    lines = text.splitlines()
    for mark in (exc.problem_mark, exc.context_mark):
        if mark is None:
            continue
        for number in (mark.line, mark.line - 1):
            if 0 <= number < len(lines):
                line = lines[number]
                indent = line[: len(line) - len(line.lstrip(" \t"))]
                if "\t" in indent and line.strip():
                    return number
    return None


def _yaml_hint(problem: str, context: str) -> str:
    for clue, hint in _YAML_HINTS:
        if clue in problem or clue in context:
            return f" ({hint})"
    return ""


def _record_lines(
    node: yaml.Node, path: FieldPath, first_line: int, out: dict[FieldPath, int]
) -> None:
    # Walk iteratively: deeply nested YAML must not exhaust Python's stack.
    # Aliases make the node graph shared, so each node is walked once only
    # (a "billion laughs" document would otherwise take forever).
    stack: list[tuple[yaml.Node, FieldPath]] = [(node, path)]
    seen: set[int] = set()
    while stack:
        current, where = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _TAG + "merge":
                    child = (*where, key_node.value)
                    line = first_line + key_node.start_mark.line
                    if child in out:
                        # YAML would silently keep the last one: say so instead.
                        raise FrontMatterError(
                            line,
                            f"is written twice (on lines {out[child]} and {line}; keep one of them)",
                            field=_label(child),
                        )
                    out[child] = line
                    stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = (*where, index)
                out.setdefault(child, first_line + item.start_mark.line)
                stack.append((item, child))


def _label(path: FieldPath) -> str:
    """A field's place as written in messages: ``milestones[1].amount``."""
    label = ""
    for part in path:
        if isinstance(part, int):
            label += f"[{part}]"
        else:
            label += ("." if label else "") + part
    return label
