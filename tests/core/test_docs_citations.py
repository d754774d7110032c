"""Citations of the design documents resolve, and the repository names nothing outside itself.

Code, tests and documents cite ``docs/<name>.md`` with section numbers (``§2``, ``§1.5–1.10``,
``§8.5/8.6``, ``§1.5, §6``); every cited file must exist and every cited number must open a
heading of that file (``## 2. …``, ``### 1.10 …``). The repository stands on its own, so no
tracked file names a machine path or a folder beside the checkout."""

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CITING_SUFFIXES = {".py", ".md", ".html"}
SKIPPED_DIRS = {".venv", "node_modules", ".git", "mutants", "staticfiles"}

DOC_PATH = re.compile(r"\bdocs/[A-Za-z0-9_./-]+?\.md\b")
NUMBER = r"\d+(?:\.\d+)*"
# "RFC 7644 §3.5.2" is a section of another document, not of the cited one.
SECTION = re.compile(
    rf"(?<!RFC )(?<!RFC \d{{4}} )§\s?({NUMBER})((?:\s*[–-]\s*{NUMBER}|/{NUMBER})*)"
)
# A citation's scope ends where its sentence or bracket does, or at the next cited document.
SCOPE_END = re.compile(r'\n\s*\n|"""|\.(?=\s|$)|docs/')
COMMENT_LEADER = re.compile(r"\n[ \t]*(?:#|//|\*)?[ \t]*")
# Built from parts so that this file does not match its own rule. Not "/home/": the product's
# own home page lives at that URL path.
MACHINE_PATHS = ("/" + "work/", "/" + "root/", ".." + "/shared")


def tracked_files(root):
    """The repository's files as git knows them, or a walk of the tree outside a checkout."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, text=True
        ).stdout
        paths = [root / name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [
            path
            for path in root.rglob("*")
            if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(root).parts)
        ]
    return [path for path in paths if path.is_file()]


def read_text(path):
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def citation_scope(text, start):
    """The text after a cited path that its section numbers belong to (brackets balanced)."""
    depth = 0
    end = min(len(text), start + 400)
    for index in range(start, end):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return text[start:index]
        elif SCOPE_END.match(text, index) and not (char == "." and depth > 0):
            return text[start:index]
    return text[start:end]


def expand(first, rest):
    """``1.2–1.4`` → 1.2, 1.3, 1.4; ``1.10.5–6`` → 1.10.5, 1.10.6; ``8.5/8.6`` → both."""
    numbers = [first]
    for sep, other in re.findall(rf"(\s*[–-]\s*|/)({NUMBER})", rest):
        previous = numbers[-1].split(".")
        parts = other.split(".")
        if len(parts) < len(previous):  # a short end: the last parts of the start change
            parts = previous[: len(previous) - len(parts)] + parts
        if sep.strip() in {"–", "-"} and parts[:-1] == previous[:-1]:
            low, high = int(previous[-1]), int(parts[-1])
            stem = ".".join(previous[:-1])
            numbers += [f"{stem}.{n}" if stem else str(n) for n in range(low + 1, high)]
        numbers.append(".".join(parts))
    return numbers


def citations(text):
    """(document, section numbers) for every ``docs/….md`` cited in a text."""
    for match in DOC_PATH.finditer(text):
        scope = COMMENT_LEADER.sub(" ", citation_scope(text, match.end()))
        sections = []
        for section in SECTION.finditer(scope):
            sections += expand(section.group(1), section.group(2))
        yield match.group(0), sections


def heading_numbers(markdown):
    numbers = set()
    for line in markdown.splitlines():
        heading = re.match(rf"#+\s+({NUMBER})(?!\.?\d)", line)
        if heading:
            numbers.add(heading.group(1))
    return numbers


def dangling_citations(root, files):
    problems = []
    for path in files:
        if path.suffix not in CITING_SUFFIXES:
            continue
        text = read_text(path)
        if text is None:
            continue
        where = path.relative_to(root)
        for document, sections in citations(text):
            target = root / document
            if not target.is_file():
                problems.append(f"{where}: {document} does not exist")
                continue
            known = heading_numbers(target.read_text(encoding="utf-8"))
            problems += [
                f"{where}: {document} has no section {number}"
                for number in sections
                if number not in known
            ]
    return sorted(set(problems))


def machine_paths(root, files):
    found = []
    for path in files:
        text = read_text(path)
        if text is None:
            continue
        found += [f"{path.relative_to(root)}: {bad}" for bad in MACHINE_PATHS if bad in text]
    return found


def test_every_cited_document_and_section_exists():
    assert dangling_citations(REPO, tracked_files(REPO)) == []


def test_no_tracked_file_names_a_path_outside_the_repository():
    assert machine_paths(REPO, tracked_files(REPO)) == []


@pytest.mark.parametrize(
    ("citing_text", "expected"),
    [
        ("see DOC/guide.md §2", []),
        ("see DOC/guide.md §3", ["code.py: DOC/guide.md has no section 3"]),
        ("(DOC/missing.md)", ["code.py: DOC/missing.md does not exist"]),
        ("DOC/guide.md §1.1–1.3", ["code.py: DOC/guide.md has no section 1.3"]),
        ("DOC/guide.md §1.1, §1.2/1.4", ["code.py: DOC/guide.md has no section 1.4"]),
        ("DOC/guide.md §1.2.5–7", ["code.py: DOC/guide.md has no section 1.2.7"]),
        ("# DOC/guide.md\n# §1.2.6 and RFC 7644 §3.5.2", []),
        ("DOC/guide.md §2 (notes). RFC §9 is another document", []),
        ("DOC/guide.md §2; DOC/guide.md §9", ["code.py: DOC/guide.md has no section 9"]),
    ],
)
def test_a_dangling_citation_is_detected(tmp_path, citing_text, expected):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# Guide\n## 1. One\n### 1.1 A\n### 1.2 B\n#### 1.2.5 C\n#### 1.2.6 D\n## 2. Two\n"
    )
    # The examples say DOC/ so that this file does not cite documents that do not exist.
    (tmp_path / "code.py").write_text(citing_text.replace("DOC/", "docs/"))
    files = [tmp_path / "code.py", tmp_path / "docs" / "guide.md"]
    assert dangling_citations(tmp_path, files) == [e.replace("DOC/", "docs/") for e in expected]


def test_a_machine_path_is_detected(tmp_path):
    leaked = tmp_path / "notes.md"
    leaked.write_text("Background in " + MACHINE_PATHS[0] + "shared/DESIGN.md\n")
    assert machine_paths(tmp_path, [leaked]) == ["notes.md: " + MACHINE_PATHS[0]]
