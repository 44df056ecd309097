"""The translation catalogues' completeness (README, "Languages"): which entries of a gettext
.po file still need a translator — untranslated (an empty msgstr, or one plural form empty)
or fuzzy (msgmerge's guess, which gettext never shows). Obsolete entries (`#~`, strings the
code no longer has) and the header do not count.

A small reader of the .po format, enough for the files makemessages writes: comments, flags,
msgid / msgid_plural / msgstr[n] with continuation lines."""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def po_entries(path: Path) -> list[PoEntry]:
    """Every entry of the file but the header, in file order."""
    entries: list[PoEntry] = []
    entry, target = PoEntry(), None

    def close() -> None:
        nonlocal entry, target
        if entry.msgid or entry.msgstr or entry.obsolete:
            entries.append(entry)
        entry, target = PoEntry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _string(line[len("msgid_plural ") :]), "msgid_plural"
        elif line.startswith("msgid "):
            if entry.msgstr:  # no blank line between two entries
                close()
            entry.msgid, target = _string(line[len("msgid ") :]), "msgid"
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr[") : line.index("]")])
            entry.msgstr[index], target = _string(line[line.index("]") + 1 :]), index
        elif line.startswith("msgstr "):
            entry.msgstr[0], target = _string(line[len("msgstr ") :]), 0
        elif line.startswith('"') and target is not None:
            if isinstance(target, int):
                entry.msgstr[target] += _string(line)
            else:
                setattr(entry, target, getattr(entry, target) + _string(line))
    close()
    return [e for e in entries if e.msgid or e.obsolete]


def _string(text: str) -> str:
    return ast.literal_eval(text.strip())


def entries_needing_work(entries: list[PoEntry]) -> list[tuple[str, PoEntry]]:
    """(why, entry) for every live entry that is missing or fuzzy."""
    found = []
    for entry in entries:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            found.append(("fuzzy", entry))
        elif not entry.translated:
            found.append(("missing", entry))
    return found
