"""The translation check (common/translations.py, `manage.py check_translations`): a missing
or fuzzy translation fails it; the shipped Spanish catalogue passes."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from common.translations import entries_needing_work, po_entries

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
DONE = '#: templates/base.html:3\nmsgid "Sign out"\nmsgstr "Cerrar sesión"\n\n'
LONG = (
    '#: templates/monitoring/interview_detail.html:9\nmsgid ""\n"Nothing is recorded "\n'
    '"until you agree."\nmsgstr ""\n"No se graba nada "\n"hasta que acepte."\n\n'
)
PLURAL = (
    'msgid "%(days)s day"\nmsgid_plural "%(days)s days"\nmsgstr[0] "%(days)s día"\n'
    'msgstr[1] "%(days)s días"\nmsgstr[2] "%(days)s días"\n\n'
)


def _po(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "django.po"
    path.write_text(HEADER + "".join(entries), encoding="utf-8")
    return path


def test_a_complete_catalogue_passes(tmp_path, capsys):
    path = _po(tmp_path, DONE, LONG, PLURAL)
    assert [e.msgid for e in po_entries(path)] == [
        "Sign out",
        "Nothing is recorded until you agree.",
        "%(days)s day",
    ]
    call_command("check_translations", po=path)
    assert "Translations complete" in capsys.readouterr().out


def test_a_missing_translation_fails_the_check(tmp_path, capsys):
    path = _po(tmp_path, DONE, '#: templates/base.html:9\nmsgid "Your data"\nmsgstr ""\n\n')
    with pytest.raises(CommandError, match="1 string"):
        call_command("check_translations", po=path)
    assert "missing — 'Your data' (templates/base.html:9)" in capsys.readouterr().err


def test_a_fuzzy_translation_fails_the_check(tmp_path):
    fuzzy = '#: templates/base.html:9\n#, fuzzy\nmsgid "Your data"\nmsgstr "Sus dato"\n\n'
    path = _po(tmp_path, DONE, fuzzy)
    ((why, entry),) = entries_needing_work(po_entries(path))
    assert why == "fuzzy" and entry.msgid == "Your data"
    with pytest.raises(CommandError):
        call_command("check_translations", po=path)


def test_a_plural_with_one_form_left_empty_is_missing(tmp_path):
    path = _po(tmp_path, PLURAL.replace('msgstr[2] "%(days)s días"', 'msgstr[2] ""'))
    assert [why for why, _ in entries_needing_work(po_entries(path))] == ["missing"]


def test_strings_the_code_no_longer_has_do_not_count(tmp_path):
    obsolete = '#~ msgid "Old words"\n#~ msgstr ""\n\n'
    call_command("check_translations", po=_po(tmp_path, DONE, obsolete))


def test_the_shipped_spanish_catalogue_is_complete():
    call_command("check_translations", locale=["es"], no_extract=True)
    path = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
    assert len(po_entries(path)) > 300
