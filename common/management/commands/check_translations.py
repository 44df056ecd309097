"""Fail when a language's catalogue lacks a translation (bin/test runs it before the tests).

    python manage.py check_translations                # every language but English
    python manage.py check_translations --locale es
    python manage.py check_translations --no-extract   # the .po files as they are

It first runs makemessages, so that a string added to a template or to the code and not yet
in the catalogue counts as missing, then puts the .po files back as they were: a check leaves
the working tree alone (run makemessages yourself to bring a catalogue up to date)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from common.translations import entries_needing_work, po_entries

# What makemessages must not read: tools, tests, installed packages, generated files.
EXTRACT_IGNORE = ["tests", "bench", "var", "staticfiles", "media", "node_modules", "docs"]


class Command(BaseCommand):
    help = "Fail when a string of a language's catalogue is untranslated or fuzzy."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale", "-l", action="append", help="A language to check (default: all but en)."
        )
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="Check the .po files as they are, without makemessages first.",
        )
        parser.add_argument("--po", type=Path, help="Check this one .po file (no makemessages).")

    def handle(self, *args, **options):
        if options["po"]:
            self._check({options["po"].name: options["po"]})
            return
        locales = options["locale"] or [
            code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
        ]
        files = {code: self._po_file(code) for code in locales}
        missing = [str(path) for path in files.values() if not path.exists()]
        if missing:
            raise CommandError(f"No catalogue: {', '.join(missing)} (run makemessages -l xx).")
        if options["no_extract"]:
            self._check(files)
            return
        kept = {path: path.read_bytes() for path in files.values()}
        try:
            call_command(
                "makemessages", locale=locales, ignore_patterns=EXTRACT_IGNORE, verbosity=0
            )
            self._check(files)
        finally:
            for path, content in kept.items():
                path.write_bytes(content)

    def _po_file(self, code: str) -> Path:
        return Path(settings.LOCALE_PATHS[0]) / code / "LC_MESSAGES" / "django.po"

    def _check(self, files: dict[str, Path]) -> None:
        problems = []
        for code, path in files.items():
            for why, entry in entries_needing_work(po_entries(path)):
                where = entry.references[0] if entry.references else "?"
                problems.append(f"{code}: {why} — {entry.msgid[:70]!r} ({where})")
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(
                f"{len(problems)} string(s) need a translation: translate them in the .po "
                "file (README, “Languages”), then run compilemessages."
            )
        self.stdout.write(f"Translations complete: {', '.join(files)}.")
