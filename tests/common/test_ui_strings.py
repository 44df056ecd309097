"""The page modules' words (static/js/i18n.js): every `t("…")` under static/ is listed in
common.ui_strings, so that it is extracted, translated and written into every page."""

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from common.ui_strings import UI_STRINGS, ui_strings_translated

CALL = re.compile(r'\bt\("((?:[^"\\]|\\.)*)"')


def _calls() -> dict[str, str]:
    found = {}
    for path in sorted(Path(settings.BASE_DIR, "static").rglob("*.js")):
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found[match.group(1).replace('\\"', '"')] = path.name
    return found


def test_every_string_a_page_module_translates_is_listed():
    calls = _calls()
    assert len(calls) > 50
    assert {text: where for text, where in calls.items() if text not in UI_STRINGS} == {}


def test_the_list_holds_no_string_the_modules_no_longer_say():
    assert set(UI_STRINGS) - set(_calls()) == set()


def test_the_page_carries_them_in_its_language():
    page = Template("{% load ui_strings %}{% ui_strings %}")
    with translation.override("es"):
        assert ui_strings_translated()["Camera off."] == "Cámara apagada."
        assert 'id="ui-strings"' in page.render(Context())
    with translation.override("en"):
        assert ui_strings_translated()["Camera off."] == "Camera off."


def test_a_translation_keeps_the_placeholders_the_module_fills():
    with translation.override("es"):
        for text, translated in ui_strings_translated().items():
            assert set(re.findall(r"\{\w+\}", translated)) == set(re.findall(r"\{\w+\}", text))
