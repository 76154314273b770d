"""Every page in both languages (issue 14, item 9): rendered in Chinese, no English sentence of the
project's catalogue shows (an untranslated message); rendered in English, no Chinese translation of it
shows (a string rendered in the wrong language, e.g. a list joined with 、)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from cases.services.filings import filing_register
from mediation.models import Confirmation
from mediation.services import confirmations
from tests.cases.conftest import deliver_pending, make_case, submit
from tests.cases.test_request_pages import send_preservation, send_service
from tests.conftest import make_staff
from tests.mediation.conftest import accepted, agree, schedule

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(re.findall(r'^"(.*)"$', line.strip())[0] for line in lines).replace('\\"', '"')


def catalogue() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every singular entry of the project's Chinese catalogue."""
    pairs = []
    for block in CATALOGUE.read_text().split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if any(line.startswith("msgid_plural") for line in lines):
            continue
        text = "\n".join(lines)
        ids = re.search(r'^msgid (".*?)(?=^msgstr)', text, re.S | re.M)
        strs = re.search(r'^msgstr (".*)', text, re.S | re.M)
        if ids and strs:
            pairs.append((_unquote(ids.group(1).splitlines()), _unquote(strs.group(1).splitlines())))
    return pairs


def _plain(message: str) -> bool:
    return not re.search(r"%\(|%[sd]|\{\{|<|\n", message)


ENGLISH = sorted(
    {msgid for msgid, msgstr in catalogue() if msgstr and msgstr != msgid and _plain(msgid)}
    # Sentences and labels long enough not to occur by chance inside other words or data.
    & {msgid for msgid, _msgstr in catalogue() if len(msgid) >= 14 and " " in msgid},
    key=len,
    reverse=True,
)
CHINESE = sorted(
    {
        msgstr
        for _msgid, msgstr in catalogue()
        if _plain(msgstr) and len(msgstr) >= 5 and re.search(r"[一-鿿]", msgstr)
    },
    key=len,
    reverse=True,
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


@pytest.fixture
def scene(courts):
    """Something on every page: a filing and its case with a service and a preservation request, and a
    joint mediation with a session, an agreement and a registered confirmation."""
    people = {
        "window": make_staff("wujiang.window", "wujiang", ["window_clerk"]),
        "qingpu": make_staff("qingpu.filing", "qingpu", ["filing_clerk", "judge"]),
        "officer": make_staff("jiashan.officer", "jiashan", ["officer"]),
        "fenhu": make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu"),
        "xitang": make_staff("xitang.judge", "jiashan", ["judge"], "xitang"),
        "wujiang_filing": make_staff("wujiang.filing", "wujiang", ["filing_clerk"]),
    }
    filing, _code = submit(people["window"], courts)
    open_filing, _code = submit(people["window"], courts)
    deliver_pending()
    case = filing_register(filing_id=filing.pk, actor=people["qingpu"])
    other_case = make_case("qingpu")
    service = send_service(people["qingpu"], other_case, courts)
    preservation = send_preservation(people["qingpu"], other_case, courts)
    mediation = accepted(people["fenhu"], people["xitang"])
    session = schedule(mediation, people["fenhu"])
    deliver_pending()
    agree(mediation, people["fenhu"])
    parties = list(mediation.parties.values_list("pk", flat=True))
    confirmation = confirmations.confirmation_apply(
        mediation_id=mediation.pk, actor=people["fenhu"], court=courts["wujiang"], applicants=parties
    )
    deliver_pending()
    confirmations.confirmation_register(confirmation_id=confirmation.pk, actor=people["wujiang_filing"])
    pages = {
        "window": [
            "/",
            "/filings/",
            "/filings/new/",
            f"/filings/{open_filing.pk}/",
            f"/filings/{filing.pk}/receipt/",
        ],
        "qingpu": [
            "/",
            f"/filings/{open_filing.pk}/",
            "/cases/",
            f"/cases/{case.pk}/",
            f"/cases/{other_case.pk}/",
            f"/cases/{other_case.pk}/service-requests/new/",
            f"/cases/{other_case.pk}/preservation-requests/new/",
            "/requests/",
            f"/requests/service/{service.pk}/",
            f"/requests/preservation/{preservation.pk}/",
            "/calendar/",
        ],
        "officer": ["/", f"/requests/service/{service.pk}/", f"/requests/preservation/{preservation.pk}/"],
        "fenhu": [
            "/",
            "/mediations/",
            "/mediations/new/",
            "/mediations/invitations/",
            f"/mediations/{mediation.pk}/",
            "/mediations/calendar/fenhu/?week=" + session.starts_at.date().isoformat(),
            "/mediations/feed/",
            "/confirmations/",
            f"/confirmations/{Confirmation.objects.get().pk}/",
        ],
        "wujiang_filing": ["/", f"/confirmations/{confirmation.pk}/"],
        None: ["/status/", "/accounts/login/"],
    }
    return people, pages


def rendered(client, scene, language: str):
    people, pages = scene
    for who, urls in pages.items():
        client.logout()
        if who is not None:
            client.force_login(people[who])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            yield who, url, visible_text(response.content.decode())


def test_no_page_shows_an_english_message_of_the_catalogue_in_chinese(client, scene):
    assert len(ENGLISH) > 100  # the catalogue was read
    leftovers = [
        (who, url, message)
        for who, url, text in rendered(client, scene, "zh-hans")
        for message in ENGLISH
        if message in text
    ]
    assert not leftovers


def test_no_page_shows_a_chinese_message_of_the_catalogue_in_english(client, scene):
    assert len(CHINESE) > 100
    leftovers = [
        (who, url, message)
        for who, url, text in rendered(client, scene, "en")
        for message in CHINESE
        if message in text
    ]
    assert not leftovers
