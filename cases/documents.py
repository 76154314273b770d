"""The documents a filing and a request have (courts.documents registers them; templates/pdf/):

- a filing: its materials receipt (诉讼材料收据), always; its correction notice (补正通知书) once a correction
  was requested (the items stay on the filing after it is corrected);
- a service request: the letter of entrustment (委托送达函) and the service receipt (送达回证);
- a preservation request: the notice to assist (协助执行通知书), one page per bank or registry.

Personal data on them: names always (a court document names its parties); ID numbers masked, as everywhere
(the documents here do not need them in full: a court identifies the recipient by name and address, a bank
the respondent by the account it freezes). The account or certificate of a preservation is printed in full
only for the staff who may see it (the officers who carry it to the bank, the staff who asked), each print
logged as a reveal is; anyone else gets it masked. The query code prints once (receipt_issued).
"""

import datetime as dt
import time

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import permissions, selectors
from cases.models import Filing, PreservationRequest, ServiceRequest
from courts.documents.registry import DocumentKind, Printing, register_kind, register_resource
from courts.documents.rendering import qr_data_uri
from courts.legal_calendar import COURT_TZ
from courts.login_throttle import client_address
from courts.personal_data import personal_data_access_log, seal, unseal

# The kinds each resource may have, as the API schema names them (each kind below says when a record has it).
FILING_DOCUMENTS = ("receipt", "correction_notice")
SERVICE_REQUEST_DOCUMENTS = ("service_letter", "service_receipt")
PRESERVATION_REQUEST_DOCUMENTS = ("preservation_notice",)

# The clear query code, kept in the window's session from the receipt page until the receipt's PDF is
# printed once (cases.views.filings.filing_receipt), for at most this long.
RECEIPT_CODE_SESSION_KEY = "receipt-print-code:{}"
RECEIPT_CODE_SECONDS = 30 * 60

ROLES = {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人"}
ENFORCEMENT_ROLES = {"plaintiff": "申请执行人", "defendant": "被执行人", "third_party": "第三人"}
METHODS = {
    "direct": "直接送达",
    "proxy": "交成年家属或指定代收人签收",
    "left": "留置送达",
    "electronic": "电子送达",
    "post": "邮寄送达",
}
MEASURES = {"seal": "查封", "seize": "扣押", "freeze": "冻结", "other": "其他措施"}
PROPERTY = {
    "bank_deposit": "银行存款",
    "real_estate": "不动产",
    "movable": "动产",
    "equity": "股权",
    "other": "其他财产",
}
# How long a measure holds (Interp 485): bank deposits 1 year, movables 2, real estate 3.
TERM_YEARS = {"bank_deposit": 1, "movable": 2, "real_estate": 3}


def money(amount) -> str:
    return f"{amount:,.2f}" if amount is not None else ""


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, COURT_TZ)


def staff_name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _not_found(load):
    def loader(user, record_id: int):
        try:
            return load(user, record_id)
        except (Filing.DoesNotExist, ServiceRequest.DoesNotExist, PreservationRequest.DoesNotExist):
            raise Http404 from None

    return loader


# --- Filings ----------------------------------------------------------------------------------------------


def _parties(filing: Filing) -> list[dict]:
    roles = ENFORCEMENT_ROLES if filing.category == "enforcement" else ROLES
    return [{"role": roles.get(p.role, p.role), "name": p.name} for p in filing.parties.all()]


def keep_code_for_print(session, filing_id: int, code: str) -> None:
    """The receipt page showed the clear query code: keep it until the receipt's PDF prints it, once, for
    at most RECEIPT_CODE_SECONDS; codes kept for other receipts and never printed are dropped once stale."""
    now = time.time()
    prefix = RECEIPT_CODE_SESSION_KEY.format("")
    # A session is not iterable, only its keys() are.
    for key in [key for key in session.keys() if key.startswith(prefix)]:  # noqa: SIM118
        if session[key].get("until", 0) < now:
            del session[key]
    # Sealed (Fernet, the personal data's keys): the session table is encoded, not encrypted, and a query
    # code is kept nowhere in clear (issue 9, item 2).
    session[RECEIPT_CODE_SESSION_KEY.format(filing_id)] = {
        "sealed": seal(code).ciphertext,
        "until": now + RECEIPT_CODE_SECONDS,
    }


def _receipt_code(filing: Filing, printing: Printing) -> str:
    key = RECEIPT_CODE_SESSION_KEY.format(filing.pk)
    kept = printing.request.session.get(key)
    if kept and kept.get("until", 0) < time.time():
        printing.request.session.pop(key, None)  # too late: the receipt says a window can issue a new one
        return ""
    return unseal(kept.get("sealed", "")) if kept else ""


def receipt_context(filing: Filing, printing: Printing) -> dict:
    status_path = f"/status/?number={filing.receipt_number}"
    return {
        "filing": filing,
        "parties": _parties(filing),
        "materials": filing.materials,
        "received": f"{local(filing.submitted_at):%Y年%m月%d日 %H:%M}",
        "claim_amount": money(filing.claim_amount),
        "query_code": _receipt_code(filing, printing),
        "qr": qr_data_uri(printing.absolute(status_path)),
        "status_url": printing.absolute(status_path),
        "status_url_plain": printing.absolute("/status/"),
        "clerk": staff_name(filing.submitted_by),
    }


def receipt_issued(filing: Filing, printing: Printing) -> None:
    """The code was printed: forget it. Every later print says a window can issue a new one."""
    printing.request.session.pop(RECEIPT_CODE_SESSION_KEY.format(filing.pk), None)


def correction_context(filing: Filing, printing: Printing) -> dict:
    return {
        "filing": filing,
        "parties": _parties(filing),
        # Addressed to those who filed (the plaintiffs, or who applies for enforcement), named as a list.
        "addressees": "、".join(
            party["name"] for party in _parties(filing) if party["role"] in ("原告", "申请执行人")
        ),
        "submitted_cn": _cn(local(filing.submitted_at).date()),
        "items": filing.correction_items,
        "deadline": filing.correction_deadline,
        "deadline_cn": _cn(filing.correction_deadline),
    }


def _cn(day) -> str:
    from courts.documents.dates import chinese_date

    return chinese_date(day) if day else ""


# --- Requests between courts ------------------------------------------------------------------------------


def _case_parties(case) -> list[dict]:
    return [{"role": ROLES.get(p.role, p.role), "name": p.name} for p in case.parties.all()]


def service_letter_context(request: ServiceRequest, printing: Printing) -> dict:
    return {
        "record": request,
        "case": request.case,
        "recipient": request.recipient,
        "documents": list(request.documents.all()),
        "method": METHODS.get(request.method, request.method),
        "contact": staff_name(request.created_by),
        "contact_phone": request.requesting_court.phone,
        "received_cn": _cn(local(request.received_at).date()) if request.received_at else "",
    }


def service_receipt_context(request: ServiceRequest, printing: Printing) -> dict:
    attempts = list(request.attempts.all())
    served = next((a for a in reversed(attempts) if a.result == "served"), None)
    return {
        "record": request,
        "case": request.case,
        "recipient": request.recipient,
        "documents": list(request.documents.all()),
        # What the officers recorded, if service is done; the signatures stay blank for the paper copy.
        "served": served,
        "served_method": METHODS.get(served.method, served.method) if served else "",
        "served_on_cn": _cn(served.served_on) if served and served.served_on else "",
    }


def preservation_notice_context(request: PreservationRequest, printing: Printing) -> dict:
    full = permissions.may_see_accounts(printing.user, request)
    measures = list(request.measures.all())
    if full and any(m.account_cipher for m in measures):
        personal_data_access_log(
            user=printing.user,
            subject=request,
            fields=["account"],
            purpose="document:preservation_notice",
            address=client_address(printing.request),
        )
    term_start = local(request.carried_out_at).date() if request.carried_out_at else None
    pages = []
    for registry in dict.fromkeys(m.registry for m in measures):
        rows = []
        for measure in (m for m in measures if m.registry == registry):
            years = TERM_YEARS.get(measure.property_type)
            ends = measure.term_ends_on
            if ends is None and term_start and years:
                ends = term_start.replace(year=term_start.year + years) - dt.timedelta(days=1)
            rows.append(
                {
                    "measure": MEASURES.get(measure.type, measure.type),
                    "property": PROPERTY.get(measure.property_type, measure.property_type),
                    "account": unseal(measure.account_cipher) if full else measure.account_masked,
                    "amount": money(measure.amount),
                    "from_cn": _cn(term_start),
                    "to_cn": _cn(ends),
                    "years": years,
                }
            )
        pages.append({"registry": registry, "rows": rows})
    return {
        "record": request,
        "case": request.case,
        "respondent": request.respondent,
        "pages": pages,
        "ruling_date_cn": _cn(request.ruling_date),
        "allowed_amount": money(request.allowed_amount),
    }


def _request_date(request) -> dt.date:
    return local(request.created_at).date()


KINDS = [
    DocumentKind(
        name="receipt",
        resource="filings",
        title="诉讼材料收据",
        label=_("Materials receipt"),
        template="pdf/receipt.html",
        applies=lambda filing: True,
        number=lambda filing: filing.receipt_number,
        court=lambda filing: filing.collaborating_court,
        dated=lambda filing: local(filing.submitted_at).date(),
        context=receipt_context,
        issued=receipt_issued,
    ),
    DocumentKind(
        name="correction_notice",
        resource="filings",
        title="补正通知书",
        label=_("Correction notice"),
        template="pdf/correction_notice.html",
        applies=lambda filing: bool(filing.correction_requested_at and filing.correction_items),
        number=lambda filing: filing.receipt_number,
        court=lambda filing: filing.jurisdiction_court,
        dated=lambda filing: local(filing.correction_requested_at).date(),
        context=correction_context,
    ),
    DocumentKind(
        name="service_letter",
        resource="service-requests",
        title="委托送达函",
        label=_("Letter of entrustment for service"),
        template="pdf/service_letter.html",
        applies=lambda request: True,
        number=lambda request: request.letter_number or request.reference,
        court=lambda request: request.requesting_court,
        dated=_request_date,
        context=service_letter_context,
    ),
    DocumentKind(
        name="service_receipt",
        resource="service-requests",
        title="送达回证",
        label=_("Service receipt"),
        template="pdf/service_receipt.html",
        applies=lambda request: True,
        number=lambda request: request.case.number,
        court=lambda request: request.requesting_court,
        dated=_request_date,
        context=service_receipt_context,
    ),
    DocumentKind(
        name="preservation_notice",
        resource="preservation-requests",
        title="协助执行通知书",
        label=_("Notice to assist enforcement"),
        template="pdf/preservation_notice.html",
        applies=lambda request: True,  # a request is made with at least one measure
        number=lambda request: request.ruling_number,
        court=lambda request: request.requesting_court,
        dated=_request_date,
        context=preservation_notice_context,
    ),
]


def register() -> None:
    register_resource("filings", model=Filing, load=_not_found(selectors.filing_detail))
    register_resource(
        "service-requests",
        model=ServiceRequest,
        load=_not_found(lambda user, pk: selectors.request_detail(user, ServiceRequest, pk)),
    )
    register_resource(
        "preservation-requests",
        model=PreservationRequest,
        load=_not_found(lambda user, pk: selectors.request_detail(user, PreservationRequest, pk)),
    )
    for kind in KINDS:
        register_kind(kind)
