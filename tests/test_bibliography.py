"""The bibliography parses, and every key a chapter cites is in it (the build would fail later)."""

import re
from pathlib import Path

import pybtex.database

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def test_every_cited_key_is_in_references_bib():
    entries = set(pybtex.database.parse_file(ROOT / "references.bib").entries)
    cited = {
        key.strip()
        for chapter in (ROOT / "book").glob("*.md")
        for keys in CITATION.findall(chapter.read_text())
        for key in keys.split(",")
    }
    assert cited, "no citation found: the pattern no longer matches the chapters"
    assert not cited - entries, f"cited but not in references.bib: {sorted(cited - entries)}"
