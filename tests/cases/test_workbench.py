"""The home page as a workbench (issue 14, item 11): what I owe, most urgent first, with counts per kind
and a clear overdue mark; what came back for me; "nothing waiting" when there is nothing; notices marked
read one by one or all at once, and read by themselves once the work they are about is finished."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Filing
from cases.services.filings import filing_register
from courts.models import Notification
from tests.cases.conftest import deliver_pending, make_case, submit
from tests.cases.test_request_pages import send_service
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def rows(page: str, section: str) -> list[str]:
    if f'data-testid="{section}"' not in page:
        return []
    part = page.split(f'data-testid="{section}"')[1].split("</section>")[0]
    prefix = "owed-" if section == "owed" else "back-"
    return [
        chunk.split('"')[0]
        for chunk in part.split(f'data-testid="{prefix}')[1:]
        if not chunk.startswith(("count", "kinds", "overdue"))
    ]


def test_with_nothing_waiting_the_desk_says_so_quietly(client, courts):
    clerk = make_staff("jiashan.filing", "jiashan", ["filing_clerk"])
    client.force_login(clerk)
    page = html(client.get("/"))
    assert 'data-testid="nothing-waiting"' in page
    assert 'data-testid="owed"' not in page and 'data-testid="came-back"' not in page


def test_what_is_owed_comes_overdue_first_then_by_due_time_with_counts_per_kind(client, courts):
    window = make_staff("wujiang.window", "wujiang", ["window_clerk"])
    qingpu = make_staff("qingpu.both", "qingpu", ["filing_clerk", "officer"])
    later, _code = submit(window, courts)
    sooner, _code = submit(window, courts)
    late, _code = submit(window, courts)
    deliver_pending()
    now = timezone.now()
    Filing.objects.filter(pk=later.pk).update(decision_due_at=now + dt.timedelta(days=6))
    Filing.objects.filter(pk=sooner.pk).update(decision_due_at=now + dt.timedelta(days=2))
    Filing.objects.filter(pk=late.pk).update(decision_due_at=now - dt.timedelta(days=1), overdue=True)
    case = make_case("jiashan")
    # Jiashan asks Qingpu to serve (send_service entrusts the court it is given as "jiashan").
    request = send_service(
        make_staff("jiashan.judge", "jiashan", ["judge"]), case, courts | {"jiashan": courts["qingpu"]}
    )
    deliver_pending()
    client.force_login(qingpu)
    page = html(client.get("/"))
    owed = rows(page, "owed")
    assert owed[:3] == [late.receipt_number, sooner.receipt_number, later.receipt_number]
    assert request.reference in owed
    kinds = page.split('data-testid="owed-kinds"')[1].split("</p>")[0]
    assert "跨域立案 3" in kinds and "委托送达 1" in kinds
    assert 'data-testid="owed-overdue"' in page


def test_notices_are_marked_read_one_by_one_or_all_at_once(client, received, qingpu_clerk, wujiang_clerk):
    other = Notification.objects.create(
        recipient=qingpu_clerk, court=received.jurisdiction_court, title="另一条"
    )
    theirs = Notification.objects.create(
        recipient=wujiang_clerk, court=received.collaborating_court, title="不是你的"
    )
    first = Notification.objects.filter(recipient=qingpu_clerk).exclude(pk=other.pk).get()
    client.force_login(qingpu_clerk)
    assert f'data-testid="notice-{first.pk}"' in html(client.get("/"))
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 302
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404  # not theirs: not found
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=qingpu_clerk, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_a_notice_about_work_now_finished_is_read_by_itself(received, qingpu_clerk):
    """The filing clerk was told the filing arrived; once it is registered, that notice is read."""
    notice = Notification.objects.get(recipient=qingpu_clerk, url=f"/filings/{received.pk}/")
    assert notice.read_at is None
    filing_register(filing_id=received.pk, actor=qingpu_clerk)
    notice.refresh_from_db()
    assert notice.read_at is not None
