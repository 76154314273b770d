"""What a review of the mediation flow found, each now refused or right: dates at the edges of the
calendar (a 400, never a 500), the agreement's effective date and what it allows, the domicile rule, the
moment acceptance completes when the lead withdraws a silent invitation, two judges opening a mediation on
one filing, and a session past the mediation's end."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from courts.legal_calendar import COURT_TZ
from mediation.models import Mediation, MediationParty
from mediation.services import confirmations, mediations
from mediation.services.mediations import Origin, invitation_accept, invitation_cancel
from tests.cases.conftest import deliver_pending, submit
from tests.conftest import requires_postgres
from tests.mediation.conftest import accepted, agree, open_headline, schedule, tribunal

pytestmark = pytest.mark.django_db


def test_dates_at_the_edges_of_the_calendar_are_bad_input(api_as, fenhu_judge, xitang_judge, client):
    mediation = accepted(fenhu_judge, xitang_judge)
    schedule(mediation, fenhu_judge)
    fenhu = api_as(fenhu_judge)
    parties = list(mediation.parties.values_list("pk", flat=True))
    for query in ("starts_to=9999-12-31", "starts_from=0001-01-01"):
        response = fenhu.get(f"/api/mediation-sessions/?{query}")
        assert response.status_code == 400, query
    response = fenhu.post(
        f"/api/mediations/{mediation.pk}/agree/",
        {
            "terms": "一、付款",
            "signatures": [
                {"party": p, "signed_at": "0001-01-01T00:00:00", "method": "handwritten"} for p in parties
            ],
            "effective_on": "9999-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"signatures.0.signed_at", "effective_on"} <= set(response.json()["fields"])
    client.force_login(fenhu_judge)
    for week in ("9999-12-31", "0001-01-01", "0001-01-03"):
        assert client.get(f"/mediations/calendar/fenhu/?week={week}").status_code == 200


def test_an_agreement_takes_effect_at_most_30_days_after_the_last_signature(fenhu_judge, xitang_judge):
    mediation = accepted(fenhu_judge, xitang_judge)
    schedule(mediation, fenhu_judge)
    with pytest.raises(ValidationError) as refused:
        agree(
            mediation,
            fenhu_judge,
            effective_on=timezone.localdate() + dt.timedelta(days=31),
            payments=[],
            amount=None,
        )
    assert "effective_on" in refused.value.message_dict
    agreement = agree(
        mediation,
        fenhu_judge,
        effective_on=timezone.localdate() + dt.timedelta(days=30),
        payments=[],
        amount=None,
    )
    assert agreement.effective_on == timezone.localdate() + dt.timedelta(days=30)


def test_the_parties_apply_only_once_the_agreement_is_in_effect(fenhu_judge, xitang_judge, courts):
    mediation = accepted(fenhu_judge, xitang_judge)
    schedule(mediation, fenhu_judge)
    effective = timezone.localdate() + dt.timedelta(days=5)
    agree(mediation, fenhu_judge, effective_on=effective, payments=[], amount=None)
    parties = list(mediation.parties.values_list("pk", flat=True))
    with pytest.raises(ValidationError) as refused:
        confirmations.confirmation_apply(
            mediation_id=mediation.pk, actor=fenhu_judge, court=courts["wujiang"], applicants=parties
        )
    assert effective.isoformat() in refused.value.message_dict["mediation"][0]


def test_a_street_named_after_a_district_is_no_domicile(fenhu_judge, xitang_judge, courts):
    """上海市静安区吴江路 is in Shanghai, not in Wujiang: only the district with its 区/县 counts."""
    mediation = accepted(fenhu_judge, xitang_judge)
    MediationParty.objects.filter(mediation=mediation).update(address="上海市静安区吴江路169号")
    assert (
        confirmations.domicile_courts(
            MediationParty.objects.filter(mediation=mediation), list(courts.values())
        )
        == set()
    )
    MediationParty.objects.filter(mediation=mediation, role="plaintiff").update(
        address="上海市青浦区朱家角镇"
    )
    assert confirmations.domicile_courts(
        MediationParty.objects.filter(mediation=mediation), list(courts.values())
    ) == {courts["qingpu"].pk}


def test_withdrawing_a_silent_invitation_starts_the_30_days_then(fenhu_judge, xitang_judge, zhujiajiao_judge):
    mediation, _code = open_headline(fenhu_judge, invited=("xitang", "zhujiajiao"))
    deliver_pending()
    xitang = mediation.invitations.get(tribunal__code="xitang")
    invitation_accept(invitation_id=xitang.pk, actor=xitang_judge)
    deliver_pending()
    long_ago = timezone.now() - dt.timedelta(days=40)
    type(xitang).objects.filter(pk=xitang.pk).update(answered_at=long_ago)  # Xitang answered 40 days ago
    invitation_cancel(mediation_id=mediation.pk, actor=fenhu_judge, tribunal=tribunal("zhujiajiao"))
    mediation.refresh_from_db()
    assert mediation.state == "accepted"
    assert mediation.accepted_at > timezone.now() - dt.timedelta(minutes=1)
    assert mediation.expires_on > timezone.localdate()


def test_a_session_after_the_mediations_end_is_refused(fenhu_judge, xitang_judge):
    mediation = accepted(fenhu_judge, xitang_judge)
    late = dt.datetime.combine(mediation.expires_on + dt.timedelta(days=7), dt.time(10), COURT_TZ)
    with pytest.raises(ValidationError) as refused:
        schedule(mediation, fenhu_judge, start=late, off_hours_reason="周末")
    assert mediation.expires_on.isoformat() in refused.value.message_dict["starts_at"][0]


@pytest.fixture
def diverted_to_wujiang(courts):
    from cases.services.filings import filing_divert_to_mediation
    from tests.conftest import make_staff

    window = make_staff("qingpu.window", "qingpu", ["window_clerk"])
    clerk = make_staff("wujiang.filing", "wujiang", ["filing_clerk"])
    filing, _code = submit(window, courts, jurisdiction_court="wujiang")
    deliver_pending()
    filing_divert_to_mediation(filing_id=filing.pk, actor=clerk)
    deliver_pending()
    return filing


@requires_postgres()
def test_two_judges_opening_a_mediation_on_one_filing_at_once_get_one(
    transactional_db, diverted_to_wujiang, fenhu_judge, fenhu_judge_2
):
    barrier = threading.Barrier(2)

    def open_it(judge):
        try:
            barrier.wait(timeout=10)
            return mediations.mediation_open(
                actor=judge,
                lead_tribunal=tribunal("fenhu"),
                invited_tribunals=[tribunal("xitang")],
                origin=Origin(filing_id=diverted_to_wujiang.pk),
                consent=True,
            )
        except ValidationError as refusal:
            return refusal
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(open_it, [fenhu_judge, fenhu_judge_2]))
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 1 and "filing" in refused[0].message_dict
    assert Mediation.objects.filter(origin_filing=diverted_to_wujiang).count() == 1


def test_the_clock_of_a_mediation_that_failed_stops_there(fenhu_judge, xitang_judge):
    from mediation.elapsed import elapsed_for

    mediation = accepted(fenhu_judge, xitang_judge)
    mediations.mediation_fail(mediation_id=mediation.pk, actor=fenhu_judge, reason="被告拒绝调解")
    later = elapsed_for(mediation, now=timezone.now() + dt.timedelta(days=10))
    assert later.stopped_at is not None and later.ended_at is None
    assert later.steps[-1].key == "stopped"
    assert later.seconds < 60  # not the ten days since
