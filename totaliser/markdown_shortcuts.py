"""Shortcuts through Python-Markdown that change nothing in its output.

Python-Markdown tries every one of its rules on every piece of a story:
seventeen block rules on each paragraph, fifteen inline patterns on each
piece of text, and tree processors that walk the whole document looking for
syntax the story may not use at all. Most tries fail, and a failed try costs
a method call and a regular-expression search. Each rule here is skipped
when the text lacks something every match of it needs (``[`` for a link,
``>`` for a quotation, ``{`` for an attribute list): testing ``"[" in text``
is far quicker than the search it saves. Together these halve the time of
converting a typical story.

Each shortcut is used only for a rule this module knows: by its class and,
where it has one, by its exact regular expression, so a rule changed by a new
version of Python-Markdown is simply tried as before. tests/test_markup.py
compares the output with plain Python-Markdown's on many texts.
"""

from __future__ import annotations

from typing import Any

# Where Python-Markdown registers its inline treeprocessor (markdown/treeprocessors.py).
INLINE_PRIORITY = 20

# Texts one of which a piece of text must hold for an inline pattern (known by
# its class and regular expression) to match anywhere in it: each is a
# literal part of every match of that expression, or of what it looks ahead at.
_INLINE_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("BacktickInlineProcessor", r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)"): ("`",),
    ("EscapeInlineProcessor", r"\\(.)"): ("\\",),
    ("FootnoteInlineProcessor", r"\[\^([^\]]*)\]"): ("[^",),
    ("ReferenceInlineProcessor", r"(?<!\!)\["): ("[",),
    ("LinkInlineProcessor", r"(?<!\!)\["): ("[",),
    ("ImageInlineProcessor", r"\!\["): ("![",),
    ("ImageReferenceInlineProcessor", r"\!\["): ("![",),
    ("ShortReferenceInlineProcessor", r"(?<!\!)\["): ("[",),
    ("ShortImageReferenceInlineProcessor", r"\!\["): ("![",),
    ("AutolinkInlineProcessor", r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"): ("://",),
    ("AutomailInlineProcessor", r"<([^<> !]+@[^@<> ]+)>"): ("@",),
    ("SubstituteTagInlineProcessor", r"  \n"): ("  \n",),
    (
        "HtmlInlineProcessor",
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
        r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""",
    ): ("<",),
    ("HtmlInlineProcessor", r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)"): ("&",),
    ("DelimiterProcessor", r"\*|_"): ("*", "_"),
}


def inline_needs(pattern: Any) -> tuple[str, ...] | None:
    """What a piece of text must hold for ``pattern`` to match in it; None
    for a pattern this module does not know (it is searched every time)."""
    return _INLINE_NEEDS.get((type(pattern).__name__, pattern.getCompiledRegExp().pattern))


def quick_inline(md: Any) -> Any:
    """Python-Markdown's inline processor, skipping the patterns that cannot
    match a piece of text: by what the text lacks, or else by a search that
    finds nothing (a pattern that does not match leaves the text exactly as
    it was). Python-Markdown's own calls each pattern's method, which costs
    far more than the search. None where this version of Python-Markdown
    lacks the two methods it builds on."""
    from markdown import util
    from markdown.inlinepatterns import InlineProcessor as InlinePattern
    from markdown.treeprocessors import InlineProcessor

    try:
        current = md.treeprocessors["inline"]
    except KeyError:
        return None
    if type(current) is not InlineProcessor or not hasattr(InlineProcessor, "_InlineProcessor__applyPattern"):
        return None

    def quick_test(pattern: Any) -> tuple[tuple[str, ...] | None, Any]:
        # An old-style pattern is always applied.
        if not isinstance(pattern, InlinePattern):
            return None, None
        return inline_needs(pattern), pattern.getCompiledRegExp().search

    class QuickInlineProcessor(InlineProcessor):
        def run(self, tree: Any, ancestors: Any = None) -> Any:
            # A snapshot per story: looking a pattern up in the registry by
            # position is itself a slow call.
            self._patterns = [(pattern, *quick_test(pattern)) for pattern in self.inlinePatterns]
            return super().run(tree, ancestors)

        def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
            if isinstance(data, util.AtomicString):
                return data
            patterns = self._patterns
            apply_pattern = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
            count = len(patterns)
            start = 0
            while patternIndex < count:
                pattern, needs, search = patterns[patternIndex]
                if start == 0:
                    if needs is not None:
                        for needed in needs:
                            if needed in data:
                                break
                        else:
                            patternIndex += 1  # noqa: N806 - the name of the method it replaces
                            continue
                    if search is not None and search(data) is None:
                        patternIndex += 1  # noqa: N806
                        continue
                data, matched, start = apply_pattern(pattern, data, patternIndex, start)
                if not matched:
                    patternIndex += 1  # noqa: N806
            return data

    return QuickInlineProcessor(md)


# For each block rule (known by its class and regular expression): texts one
# of which a block must start with, and texts one of which it must hold, for
# the rule to take the block; None where there is no such condition. The
# rules whose test always passes (footnotes, abbreviations, references)
# decline a block in ``run``, without changing anything, unless their
# expression matches it.
_BLOCK_NEEDS: dict[tuple[str, str | None], tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = {
    # An HTML block stashed by the preprocessor: a placeholder, which starts with STX.
    ("MarkdownInHtmlProcessor", None): (("\x02",), None),
    ("ListIndentProcessor", None): (("    ",), None),
    ("DefListIndentProcessor", None): (("    ",), None),
    ("CodeBlockProcessor", None): (("    ",), None),
    # A table's header row has a pipe.
    ("TableProcessor", None): (None, ("|",)),
    ("HashHeaderProcessor", r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"): (None, ("#",)),
    ("SetextHeaderProcessor", r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): (None, ("\n=", "\n-")),
    (
        "HRProcessor",
        r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$",
    ): (None, ("-", "_", "*")),
    ("SaneOListProcessor", r"^[ ]{0,3}\d+\.[ ]+(.*)"): ((" ", *"0123456789"), (". ",)),
    ("SaneUListProcessor", r"^[ ]{0,3}[*+-][ ]+(.*)"): ((" ", "*", "+", "-"), ("* ", "+ ", "- ")),
    ("OListProcessor", r"^[ ]{0,3}\d+\.[ ]+(.*)"): ((" ", *"0123456789"), (". ",)),
    ("UListProcessor", r"^[ ]{0,3}[*+-][ ]+(.*)"): ((" ", "*", "+", "-"), ("* ", "+ ", "- ")),
    ("DefListProcessor", r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)"): (None, (": ",)),
    ("BlockQuoteProcessor", r"(^|\n)[ ]{0,3}>[ ]?(.*)"): (None, (">",)),
    ("FootnoteBlockProcessor", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): (None, ("[^",)),
    # (Matched line by line: "*[" may start any line of the block.)
    ("AbbrBlockprocessor", r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$"): (None, ("*[",)),
    (
        "ReferenceProcessor",
        r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
    ): (None, ("]:",)),
}
# The rules without a regular expression, by the module that defines them:
# their conditions above were read from that module's code.
_BLOCK_MODULES = {
    "MarkdownInHtmlProcessor": "markdown.extensions.md_in_html",
    "ListIndentProcessor": "markdown.blockprocessors",
    "DefListIndentProcessor": "markdown.extensions.def_list",
    "CodeBlockProcessor": "markdown.blockprocessors",
    "TableProcessor": "markdown.extensions.tables",
}


def block_needs(processor: Any) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """(texts a block must start with one of, texts it must hold one of) for
    ``processor`` to take it; (None, None) for a rule this module does not know."""
    kind = type(processor)
    name = kind.__name__
    # HRProcessor searches with SEARCH_RE (its RE is the same expression, as text).
    expression = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
    if name in _BLOCK_MODULES:
        # The indent of four spaces above is Python-Markdown's tab length.
        if kind.__module__ != _BLOCK_MODULES[name] or expression is not None or processor.tab_length != 4:
            return None, None
        return _BLOCK_NEEDS[(name, None)]
    pattern = getattr(expression, "pattern", None)
    return _BLOCK_NEEDS.get((name, pattern), (None, None)) if isinstance(pattern, str) else (None, None)


def quick_blocks(md: Any) -> None:
    """Make ``md``'s block parser skip the rules that cannot take a block.

    Python-Markdown's parser tries each rule in order on a block until one
    takes it; a paragraph is tried by all seventeen. The rules that cannot
    take it are skipped here without calling them, in the same order, so
    the same rule takes each block."""
    from markdown.blockparser import BlockParser

    parser = md.parser
    if type(parser) is not BlockParser:
        return

    def rules_of(parser: BlockParser) -> list[tuple[Any, tuple[str, ...] | None, tuple[str, ...] | None]]:
        return [(processor, *block_needs(processor)) for processor in parser.blockprocessors]

    class QuickBlockParser(BlockParser):
        _rules: list[tuple[Any, tuple[str, ...] | None, tuple[str, ...] | None]]

        def parseDocument(self, lines: Any) -> Any:  # noqa: N802 - the method it replaces
            self._rules = rules_of(self)  # once a story: the registry may have changed
            return super().parseDocument(lines)

        def parseBlocks(self, parent: Any, blocks: list[str]) -> None:  # noqa: N802
            # As BlockParser.parseBlocks, with the skips.
            rules = self._rules
            while blocks:
                for processor, starts, holds in rules:
                    block = blocks[0]
                    if starts is not None and not block.startswith(starts):
                        continue
                    if holds is not None:
                        for needed in holds:
                            if needed in block:
                                break
                        else:
                            continue
                    # run() returns False when it declines after all (True or None when it took the block).
                    if processor.test(parent, block) and processor.run(parent, blocks) is not False:
                        break

    parser.__class__ = QuickBlockParser
    # For a parse that does not start with parseDocument.
    parser._rules = rules_of(parser)  # type: ignore[attr-defined]


# Tree processors that only act on text holding a character: attribute lists
# ("{: .class}"), and the unescaping of backslash escapes, whose placeholders
# come only from a backslash in the story.
_TREE_NEEDS = {
    ("AttrListTreeprocessor", "markdown.extensions.attr_list"): "{",
    ("UnescapeTreeprocessor", "markdown.treeprocessors"): "\\",
}
# Before every preprocessor (the highest of Python-Markdown's own is 30).
_SOURCE_PRIORITY = 1000


def skip_idle_tree_processors(md: Any) -> None:
    """Skip the tree processors that have nothing to do in a story: one that
    acts only on a character the story's source does not hold (every text in
    the tree comes from the source, or from Python-Markdown's placeholders,
    which hold neither "{" nor a backslash). Each stays the same object, in
    the same place (other parts of Python-Markdown read its attributes), of a
    subclass that checks first."""
    from markdown.preprocessors import Preprocessor

    source = {"text": ""}

    class SourceNote(Preprocessor):
        def run(self, lines: list[str]) -> list[str]:
            source["text"] = "\n".join(lines)
            return lines

    def skipping(kind: Any, needed: str) -> type:
        def run(self: Any, root: Any) -> Any:
            if needed not in source["text"]:
                return None
            return kind.run(self, root)

        return type(f"Skipping{kind.__name__}", (kind,), {"run": run, "needs": needed})

    wrapped = False
    for processor in md.treeprocessors:
        kind = type(processor)
        needed = _TREE_NEEDS.get((kind.__name__, kind.__module__))
        if needed is not None:
            processor.__class__ = skipping(kind, needed)
            wrapped = True
    if wrapped:
        md.preprocessors.register(SourceNote(md), "totaliser_source", _SOURCE_PRIORITY)


def install(md: Any) -> None:
    """Every shortcut, on a Markdown object with its extensions registered."""
    quick = quick_inline(md)
    if quick is not None:
        md.treeprocessors.register(quick, "inline", INLINE_PRIORITY)
    quick_blocks(md)
    skip_idle_tree_processors(md)
