"""The documents a mediation and a confirmation have (courts.documents registers them; templates/pdf/):

- a mediation: its mediation agreement (调解协议书) while an agreement is in force;
- a confirmation: the civil ruling confirming the agreement (民事裁定书, 民特) once it is confirmed.

Both are the parties' own documents: they name the parties with their ID type and the masked number (the
number in full is not needed to tell them apart here, and a printed copy travels), and the address.
"""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.documents import money
from courts.documents.dates import chinese_date
from courts.documents.registry import DocumentKind, Printing, register_kind, register_resource
from courts.legal_calendar import COURT_TZ
from mediation import selectors
from mediation.models import Agreement, Confirmation, Mediation

# The kinds each resource may have, as the API's schema names them.
MEDIATION_DOCUMENTS = ("mediation_agreement",)
CONFIRMATION_DOCUMENTS = ("confirmation_ruling",)

ROLES = {"plaintiff": "申请人", "defendant": "被申请人", "third_party": "第三人"}
ID_TYPES = {
    "resident_id": "公民身份号码",
    "uscc": "统一社会信用代码",
    "passport": "护照号码",
    "permit": "通行证号码",
    "other": "证件号码",
}


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, COURT_TZ).date()


def _party(party) -> dict:
    return {
        "role": ROLES.get(party.role, party.role),
        "name": party.name,
        "id_type": ID_TYPES.get(party.id_type, "证件号码"),
        "id_number": party.id_number_masked,
        "address": party.address,
        "organisation": party.kind == "organisation",
    }


def agreement_in_force(mediation: Mediation) -> Agreement | None:
    return next((a for a in mediation.agreements.all() if a.state == Agreement.State.IN_FORCE), None)


def _mediators(mediation: Mediation) -> list[dict]:
    mediators = []
    if mediation.lead_mediator:
        mediators.append(
            {"tribunal": mediation.lead_tribunal.name_zh, "name": _name(mediation.lead_mediator)}
        )
    for invitation in mediation.invitations.all():
        if invitation.state == "accepted" and invitation.mediator:
            mediators.append({"tribunal": invitation.tribunal.name_zh, "name": _name(invitation.mediator)})
    return mediators


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _payments(agreement: Agreement) -> list[dict]:
    return [
        {"due_cn": chinese_date(payment.due_on), "amount": money(payment.amount)}
        for payment in agreement.payments.all()
    ]


def _terms(agreement: Agreement) -> list[str]:
    return [line.strip() for line in agreement.terms.splitlines() if line.strip()]


def _signed_on(agreement: Agreement) -> dt.date:
    signatures = list(agreement.signatures.all())
    if signatures:
        return _local_date(max(signature.signed_at for signature in signatures))
    return _local_date(agreement.created_at)


def agreement_context(mediation: Mediation, printing: Printing) -> dict:
    agreement = agreement_in_force(mediation)
    assert agreement is not None  # the kind applies only then
    return {
        "mediation": mediation,
        "agreement": agreement,
        "parties": [_party(p) for p in mediation.parties.all()],
        "terms": _terms(agreement),
        "payments": _payments(agreement),
        "amount": money(agreement.amount),
        "claim_amount": money(mediation.claim_amount),
        "effective_cn": chinese_date(agreement.effective_on),
        "mediators": _mediators(mediation),
        "tribunal": mediation.lead_tribunal,
    }


def ruling_context(confirmation: Confirmation, printing: Printing) -> dict:
    agreement = confirmation.agreement
    mediation = confirmation.mediation
    return {
        "confirmation": confirmation,
        "mediation": mediation,
        "agreement": agreement,
        "applicants": [_party(p) for p in confirmation.applicants.all()],
        "terms": _terms(agreement),
        "payments": _payments(agreement),
        "amount": money(agreement.amount),
        "applied_cn": chinese_date(_local_date(confirmation.applied_at)),
        "registered_cn": chinese_date(_local_date(confirmation.registered_at))
        if confirmation.registered_at
        else "",
        "agreement_cn": chinese_date(_signed_on(agreement)),
        "mediator_body": f"{mediation.lead_court.name_zh}{mediation.lead_tribunal.name_zh}",
        "judge": _name(confirmation.decided_by),
    }


def _load_mediation(user, mediation_id: int) -> Mediation:
    try:
        return selectors.mediation_detail(user, mediation_id)
    except Mediation.DoesNotExist:
        raise Http404 from None


def _load_confirmation(user, confirmation_id: int) -> Confirmation:
    try:
        return selectors.confirmation_detail(user, confirmation_id)
    except Confirmation.DoesNotExist:
        raise Http404 from None


def _agreement_date(mediation: Mediation) -> dt.date:
    agreement = agreement_in_force(mediation)
    assert agreement is not None
    return _signed_on(agreement)


KINDS = [
    DocumentKind(
        name="mediation_agreement",
        resource="mediations",
        title="调解协议书",
        label=_("Mediation agreement"),
        template="pdf/mediation_agreement.html",
        applies=lambda mediation: agreement_in_force(mediation) is not None,
        number=lambda mediation: mediation.number,
        court=lambda mediation: mediation.lead_court,
        dated=_agreement_date,
        context=agreement_context,
    ),
    DocumentKind(
        name="confirmation_ruling",
        resource="confirmations",
        title="民事裁定书",
        label=_("Confirmation ruling"),
        template="pdf/confirmation_ruling.html",
        applies=lambda c: c.state == Confirmation.State.CONFIRMED and c.case_id is not None,
        number=lambda c: c.case.number,
        court=lambda c: c.court,
        dated=lambda c: _local_date(c.decided_at or c.updated_at),
        context=ruling_context,
    ),
]


def register() -> None:
    register_resource("mediations", model=Mediation, load=_load_mediation)
    register_resource("confirmations", model=Confirmation, load=_load_confirmation)
    for kind in KINDS:
        register_kind(kind)
