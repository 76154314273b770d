"""The headline case end to end through the API, with a real Celery worker and Redis carrying every piece of
work between the courts (never eager mode): the filing from Jiashan's window to Wujiang, the diversion to
Wujiang's judges, the invitation to Xitang, its answer back to Wujiang, the application for confirmation to
Wujiang's clerks, and the ruling back to Xitang's mediator. Nothing is written into another court's inbox
but by delivery; every delivery is delivered once."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from cases.models import Filing
from courts.models import Delivery, Event, Notification
from mediation.models import Confirmation, Invitation, Mediation
from tests.cases.test_delivery_worker import wait_for
from tests.conftest import make_staff

pytestmark = pytest.mark.worker


def test_the_headline_case_crosses_the_courts_by_delivery(celery_worker, api_as, courts):
    window = api_as(make_staff("jiashan.window", "jiashan", ["window_clerk"]))
    clerk = api_as(make_staff("wujiang.filing", "wujiang", ["filing_clerk"]))
    fenhu_judge = make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    xitang_judge = make_staff("xitang.judge", "jiashan", ["judge"], "xitang")
    fenhu, xitang = api_as(fenhu_judge), api_as(xitang_judge)
    wujiang_judge = api_as(make_staff("wujiang.judge", "wujiang", ["judge"]))

    # The complaint, at Jiashan's window, for the court with jurisdiction: Wujiang.
    response = window.post(
        "/api/filings/",
        {
            "jurisdiction_court": "wujiang",
            "category": "civil_first_instance",
            "cause": "买卖合同纠纷",
            "claim_amount": "1280000.00",
            "parties": [
                {
                    "role": "plaintiff",
                    "kind": "person",
                    "name": "沈建国",
                    "id_number": "320509199001011239",
                    "address": "江苏省苏州市吴江区黎里镇",
                },
                {"role": "defendant", "kind": "organisation", "name": "嘉善县某纺织品有限公司"},
            ],
            "materials": ["起诉状", "证据目录及证据材料"],
            "e_service_consent": True,
            "pre_mediation_consent": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    filing_id = response.json()["id"]
    assert wait_for(lambda: Filing.objects.get(pk=filing_id).state == "received")

    assert clerk.post(f"/api/filings/{filing_id}/divert-to-mediation/", {}, format="json").status_code == 200
    assert wait_for(
        lambda: Notification.objects.filter(recipient=fenhu_judge, url__contains=str(filing_id)).exists()
    )

    response = fenhu.post(
        "/api/mediations/",
        {"lead_tribunal": "fenhu", "invited_tribunals": ["xitang"], "consent": True, "filing": filing_id},
        format="json",
    )
    assert response.status_code == 201, response.json()
    mediation_id = response.json()["id"]
    assert response.json()["number"] == "（2026）苏0509民诉前调1号"
    # In Xitang's inbox within seconds: received by delivery, its judge told.
    assert wait_for(lambda: Invitation.objects.get(mediation_id=mediation_id).state == "received")
    assert wait_for(lambda: Notification.objects.filter(recipient=xitang_judge).exists())
    assert (
        xitang.post(
            f"/api/mediations/{mediation_id}/accept/", {"tribunal": "xitang"}, format="json"
        ).status_code
        == 200
    )
    # The answer crosses back; Wujiang settles the mediation.
    assert wait_for(lambda: Mediation.objects.get(pk=mediation_id).state == "accepted")

    start = timezone.now() + dt.timedelta(seconds=2)
    response = fenhu.post(
        f"/api/mediations/{mediation_id}/sessions/",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "mode": "in_person",
            "tribunal": "fenhu",
            "room": "第一调解室",
            "off_hours_reason": "测试时间不限",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    session_id = response.json()["id"]
    detail = fenhu.get(f"/api/mediations/{mediation_id}/").json()
    parties = [party["id"] for party in detail["parties"]]
    assert [party["name"] for party in detail["parties"]] == ["沈建国", "嘉善县某纺织品有限公司"]
    time.sleep(max(0.0, (start - timezone.now()).total_seconds()) + 0.1)
    response = xitang.post(
        f"/api/mediation-sessions/{session_id}/record/",
        {"minutes": "双方就付款方式达成一致。", "attendance": parties},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = fenhu.post(
        f"/api/mediations/{mediation_id}/agree/",
        {
            "terms": "一、被告于2027年1月31日前支付货款128万元。",
            "amount": "1280000.00",
            "payments": [{"due_on": "2027-01-31", "amount": "1280000.00"}],
            "signatures": [
                {"party": party, "signed_at": timezone.now().isoformat(), "method": "handwritten"}
                for party in parties
            ],
            "effective_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "agreed"

    response = fenhu.post(
        "/api/confirmations/",
        {"mediation": mediation_id, "court": "wujiang", "applicants": parties},
        format="json",
    )
    assert response.status_code == 201, response.json()
    confirmation_id = response.json()["id"]
    assert wait_for(lambda: Notification.objects.filter(url=f"/confirmations/{confirmation_id}/").exists())
    assert clerk.post(f"/api/confirmations/{confirmation_id}/register/").status_code == 200
    response = wujiang_judge.post(f"/api/confirmations/{confirmation_id}/confirm/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "confirmed" and body["case_number"] == "（2026）苏0509民特1号"
    # Xitang's mediator hears of the ruling, by delivery.
    assert wait_for(
        lambda: Notification.objects.filter(
            recipient=xitang_judge, title__contains="（2026）苏0509民特1号"
        ).exists()
    )

    # Complaint to ruling, from the timeline: the filing's submission to the confirmation's ruling.
    submitted = Event.objects.get(subject_type="cases.filing", subject_id=filing_id, action="filing.submit")
    ruled = Event.objects.get(
        subject_type="mediation.confirmation", subject_id=confirmation_id, action="confirmation.confirm"
    )
    assert body["elapsed"] == int((ruled.created_at - submitted.created_at).total_seconds())
    assert sum(step["share"] for step in body["elapsed_detail"]["steps"]) == pytest.approx(1.0)

    # Enforcement from the ruling, in Wujiang's own inbox.
    response = wujiang_judge.post(f"/api/confirmations/{confirmation_id}/start-enforcement/")
    assert response.status_code == 201, response.json()
    enforcement_id = response.json()["id"]
    assert wait_for(lambda: Filing.objects.get(pk=enforcement_id).state == "received")
    enforcement = Filing.objects.get(pk=enforcement_id)
    assert enforcement.category == "enforcement" and enforcement.jurisdiction_court.code == "wujiang"
    assert list(enforcement.parties.values_list("name", flat=True)) == ["沈建国", "嘉善县某纺织品有限公司"]

    # Every piece of work between the courts was delivered, and once.
    assert wait_for(lambda: not Delivery.objects.exclude(state="delivered").exists())
    kinds = list(Delivery.objects.order_by("id").values_list("kind", "court__code"))
    assert ("mediation.invited", "jiashan") in kinds and ("mediation.answered", "wujiang") in kinds
    assert ("confirmation.applied", "wujiang") in kinds and ("confirmation.changed", "jiashan") in kinds
    assert Confirmation.objects.get(pk=confirmation_id).enforcement_filing_id == enforcement_id
    assert Event.objects.filter(subject_type="mediation.invitation", action="invitation.receive").count() == 1
