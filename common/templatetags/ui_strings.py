"""`{% ui_strings %}`: the page modules' words in the page's language (common.ui_strings),
written once per page as a json_script the modules read (static/js/i18n.js)."""

from django import template
from django.utils.html import json_script

from common.ui_strings import ui_strings_translated

register = template.Library()


@register.simple_tag
def ui_strings():
    return json_script(ui_strings_translated(), "ui-strings")
