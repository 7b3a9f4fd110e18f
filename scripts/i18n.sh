#!/bin/sh
# Regenerate the English catalogue of the web pages and compile it.
# The msgids are the Chinese source text. After running this, translate every entry it
# lists as untranslated in src/jifen/web/locale/en/LC_MESSAGES/django.po, then run it
# again so that the committed .mo matches the .po (tests/web/test_language.py checks both).
# Needs GNU gettext (apt-get install gettext); users and tests only need the .mo.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
export DJANGO_SETTINGS_MODULE=jifen.settings PYTHONPATH="$root/src"
admin="$root/.venv/bin/django-admin"
po=locale/en/LC_MESSAGES/django.po
cd "$root/src/jifen/web"
"$admin" makemessages -l en --no-obsolete --no-wrap
# msgmerge guesses a translation for a new msgid from a similar old one ("fuzzy"); for
# short Chinese labels the guess is usually wrong, so drop it and leave the entry empty.
msgattrib --clear-fuzzy --empty --clear-previous --no-wrap -o "$po" "$po"
"$admin" compilemessages -l en
msgfmt --check --statistics -o /dev/null "$po"
left=$(msgattrib --untranslated --no-wrap "$po" | grep -c '^msgid "[^"]' || true)
if [ "$left" -gt 0 ]; then
    msgattrib --untranslated --no-wrap "$po" | grep '^msgid "[^"]' >&2
    echo "$po: $left entries to translate" >&2
    exit 1
fi
