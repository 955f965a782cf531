"""The project's documents link only to what the repository holds: no dead link, none into ``../shared``.

Every relative link of README.md and docs/*.md (Markdown ``[text](target)``, images, and HTML
``src``/``href``) must name a file or folder inside the repository, and a ``#fragment`` into a
Markdown file must name one of its headings. docs/cli.md must name every command of ``wastematch``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from web.cli import main

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""(?:src|href)=["']([^"']+)["']""")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def links(text: str) -> list[str]:
    """The link targets of a Markdown text, code blocks and inline code left out."""
    prose = INLINE_CODE.sub("", FENCE.sub("", text))
    return MARKDOWN_LINK.findall(prose) + HTML_LINK.findall(prose)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE)}


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_resolves_inside_the_repository(document: Path):
    dead = []
    for target in links(document.read_text(encoding="utf-8")):
        if is_external(target):
            continue
        path_part, _, fragment = target.partition("#")
        resolved = (document.parent / path_part).resolve() if path_part else document
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            dead.append(f"{target}: {'outside the repository' if not resolved.is_relative_to(REPO) else 'missing'}")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            dead.append(f"{target}: no heading #{fragment} in {resolved.name}")
    assert not dead, f"{document.relative_to(REPO)}: " + "; ".join(dead)


def test_the_link_reader_finds_what_it_must():
    text = ("See [rules](docs/rules.md#the-checks), ![x](a.png) and <img src=\"b.png\">; "
            "not `[code](c.md)` nor\n```\n[fenced](d.md)\n```\n")
    assert links(text) == ["docs/rules.md#the-checks", "a.png", "b.png"]
    assert slug("The chemical survey (`wastematch.survey.v1`)") == "the-chemical-survey-wastematchsurveyv1"
    assert slug("Reference data (wastematch catalog)") == "reference-data-wastematch-catalog"


def test_no_document_points_into_shared():
    for document in DOCUMENTS:
        assert "](../shared" not in document.read_text(encoding="utf-8"), document


def test_the_cli_page_names_every_command():
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])
        elif not re.search(r"\b" + re.escape(" ".join(path)) + r"\b", text) and \
                not re.search(r"\b" + re.escape(path[-1]) + r"\b", text):
            missing.append(" ".join(path))

    walk(main, [])
    assert not missing, f"docs/cli.md does not name: {missing}"


def test_the_interchange_examples_are_valid_documents():
    from marketplace.schemas.interchange import DocumentSchema
    from marketplace.schemas.survey import SurveyDocumentSchema

    text = (REPO / "docs" / "interchange.md").read_text(encoding="utf-8")
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]
    assert [e["format"] for e in examples] == ["wastematch.v1", "wastematch.survey.v1"]
    DocumentSchema().load(examples[0])
    SurveyDocumentSchema().load(examples[1])
