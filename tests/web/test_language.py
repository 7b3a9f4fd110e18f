"""Chinese by default, English on request: the language switch, the pages and the catalogue.

The msgids are the Chinese source text; `locale/en/LC_MESSAGES/django.po` of `jifen.web`
translates them and the committed `.mo` is what Django reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

import jifen.web

pytestmark = pytest.mark.django_db

PO = Path(jifen.web.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def choose(client: Client, language: str, next_url: str = "/login/") -> Any:
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def page(client: Client, name: str, *args: Any) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The default ---------------------------------------------------------------------------


def test_the_login_page_is_chinese_and_offers_english(client) -> None:
    login = page(client, "login")
    assert '<html lang="zh-CN">' in login
    assert "党员积分管理" in login and "开源党员积分管理系统" in login
    assert f'action="{reverse("set_language")}"' in login
    assert 'name="language" value="en"' in login and ">English</button>" in login


def test_a_member_sees_chinese_navigation_without_choosing(personas) -> None:
    home = page(signed_in(personas.alice_user), "home")
    assert '<html lang="zh-CN">' in home
    assert ">积分卡</a>" in home and ">我的申报</a>" in home and "Points card" not in home


# --- Switching -----------------------------------------------------------------------------


def test_choosing_english_returns_to_the_page_and_remembers_it_in_a_cookie(client) -> None:
    response = choose(client, "en", next_url="/login/?next=/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    login = page(client, "login")
    assert '<html lang="en">' in login
    assert "Party Member Points" in login and "open-source points system" in login
    assert "党员积分管理</small>" not in login


def test_the_login_page_switch_works_before_signing_in_and_survives_it(personas) -> None:
    client = Client()
    choose(client, "en")
    client.force_login(personas.alice_user)
    home = page(client, "home")
    assert '<html lang="en">' in home and ">Points card</a>" in home


def test_alices_home_and_card_are_english_after_switching(world) -> None:
    client = signed_in(world.personas.alice_user)
    choose(client, "en", next_url=reverse("my_card"))
    home = page(client, "home")
    assert ">Points card</a>" in home and ">My declarations</a>" in home
    assert "Hello, 王爱丽" in home and "Branch: 甲支部" in home
    card = page(client, "my_card")
    assert '<html lang="en">' in card
    assert "<h1>My points card</h1>" in card and "<dt>Score</dt>" in card
    assert "Publicity period" in card and "2025-04-03 to 2025-04-07" in card
    assert "我的积分卡" not in card and "得分" not in card


def test_sams_workbench_is_english_after_switching(world) -> None:
    client = signed_in(world.personas.sam)
    choose(client, "en", next_url=reverse("workbench"))
    bench = page(client, "workbench")
    assert '<html lang="en">' in bench and ">Workbench</a>" in bench
    assert "Declarations awaiting review" in bench and "<th>Member</th>" in bench
    assert "待审核的申报" not in bench


def test_switching_back_to_chinese_restores_the_chinese_pages(world) -> None:
    client = signed_in(world.personas.sam)
    choose(client, "en", next_url=reverse("workbench"))
    back = choose(client, "zh-hans", next_url=reverse("workbench"))
    assert back.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    bench = page(client, "workbench")
    assert '<html lang="zh-CN">' in bench and "待审核的申报" in bench
    assert "Declarations awaiting review" not in bench


def test_a_language_the_site_does_not_offer_changes_nothing(client) -> None:
    choose(client, "fr")
    assert '<html lang="zh-CN">' in page(client, "login")


def test_the_form_labels_and_refusals_follow_the_language(personas) -> None:
    client = signed_in(personas.alice_user)
    choose(client, "en", next_url=reverse("declare"))
    form = page(client, "declare")
    assert "Date of occurrence" in form and "Evidence" in form and "(required)" in form
    refused = client.post(reverse("declare"), {"occurred_on": "2025-13-45"})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "Enter a valid date as year-month-day, e.g. 2025-02-10" in text
    assert 'value="2025-13-45"' in text


# --- Dates and numbers ---------------------------------------------------------------------


def score_cells(html: str) -> list[str]:
    return re.findall(r"<td>(-?\d+\.\d+)</td>", html)


def test_the_board_writes_dates_the_chinese_way_and_keeps_two_decimals_in_both(world) -> None:
    client = signed_in(world.personas.alice_user)
    chinese = page(client, "publicity_board", world.period.pk)
    assert "2025年4月3日" in chinese
    choose(client, "en")
    english = page(client, "publicity_board", world.period.pk)
    assert "April 3, 2025" in english and "2025年4月3日" not in english
    scores = score_cells(chinese)
    assert scores and all(re.fullmatch(r"-?\d+\.\d\d", s) for s in scores)
    assert score_cells(english) == scores


# --- The templates -------------------------------------------------------------------------

TEMPLATES = Path(jifen.web.__file__).parent / "templates" / "web"
WRAPPED = re.compile(
    r"\{% blocktranslate.*?endblocktranslate %\}|\{% translate \"[^\"]*\"[^%]*%\}"
    r"|_\(\"[^\"]*\"\)|\{#.*?#\}",
    re.S,
)


def test_the_page_templates_leave_no_chinese_text_untranslated() -> None:
    """A new label written straight into one of the pages would stay Chinese in English."""
    bare = {}
    for template in sorted(TEMPLATES.glob("*.html")):
        rest = WRAPPED.sub("", template.read_text(encoding="utf-8"))
        if found := re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", rest):
            bare[template.name] = found
    assert bare == {}


# --- The catalogue -------------------------------------------------------------------------


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def catalogue() -> list[dict[str, Any]]:
    """The entries of the .po, the header left out; wrapped strings joined. A plural's
    translations are `msgstr[0]`, `msgstr[1]`; a singular's is `msgstr`."""
    entries: list[dict[str, Any]] = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        field = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith('"') and field:
                entry[field] += unquote(line[1:-1])
            elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line):
                field = match.group(1).replace("msgstr[", "msgstr").rstrip("]")
                entry[field] = unquote(match.group(2))
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def translations(entry: dict[str, str]) -> list[str]:
    return [entry["msgstr0"], entry["msgstr1"]] if "msgid_plural" in entry else [entry["msgstr"]]


def test_every_entry_of_the_english_catalogue_is_translated_and_none_is_fuzzy() -> None:
    entries = catalogue()
    assert len(entries) > 150
    untranslated = [e["msgid"] for e in entries if not all(translations(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_po() -> None:
    """Django reads the .mo: each msgid must come out as its msgstr, so a .po edited
    without running scripts/i18n.sh fails here."""
    stale = []
    with translation.override("en"):
        for e in catalogue():
            context, msgid = e.get("msgctxt"), e["msgid"]
            if "msgid_plural" in e:
                got = [
                    translation.npgettext(context, msgid, e["msgid_plural"], n)
                    if context
                    else translation.ngettext(msgid, e["msgid_plural"], n)
                    for n in (1, 2)
                ]
            else:
                got = [
                    translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                ]
            if got != translations(e):
                stale.append((msgid, got, translations(e)))
    assert stale == []


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client) -> None:
    from django.urls import reverse

    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-CN"' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="en"' in page.content.decode()
