"""The matrix's scene: a record of each kind, owned by known courts, built through the services as the
courts' staff would, with personal data seeded under numbers found nowhere else, so a response that
carries one in full is a leak (or a reveal the persona's role is entitled to).

- F1: filed at Wujiang's window for Qingpu, with a scan; registered at Qingpu as C1 (Zhujiajiao tribunal).
- SR, PR: Qingpu asks Jiashan to serve C1's defendant and to freeze their account (ACCOUNT); both received
  at Jiashan, not yet accepted; each with a scan.
- M1: Fenhu (Wujiang) leads, Xitang (Jiashan) accepted; session S1, an agreement, the parties applied to
  Wujiang for confirmation (CF1), registered there as the 民特 case C2 and confirmed (its ruling prints).
- M2: Zhujiajiao (Qingpu) leads, Yaozhuang (Jiashan) accepted; failed and referred as the filing F2 to
  Qingpu's own inbox (received, open).
- M3: Xitang leads and invites Zhujiajiao; the invitation waits at Qingpu (proposed, open).
- N1: a notice to Qingpu's filing clerk (F1 arrived).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.identity import resident_id_check_character, uscc_check_character
from cases.models import Case, Filing, Party, PreservationRequest, ServiceRequest
from cases.services import requests as request_services
from cases.services.filings import filing_attach, filing_register, filing_submit
from cases.services.parties import PartyInput
from cases.services.preservation_requests import MeasureInput, preservation_request_create
from cases.services.service_requests import DocumentInput, service_request_create
from courts.models import Court, Notification, Role
from mediation.models import Mediation, MediationParty
from mediation.services.confirmations import (
    confirmation_apply,
    confirmation_confirm,
    confirmation_register,
)
from mediation.services.feeds import feed_token
from mediation.services.mediations import (
    Origin,
    invitation_accept,
    mediation_convert_to_filing,
    mediation_fail,
    mediation_open,
)
from tests.cases.conftest import deliver_pending
from tests.conftest import ensure_seed_data, make_staff
from tests.documents import print_document
from tests.mediation.conftest import agree, schedule, tribunal

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def resident_id(region: str, birth: str, serial: str) -> str:
    first17 = region + birth + serial
    return first17 + resident_id_check_character(first17)


def credit_code(region: str, body: str) -> str:
    first17 = "91" + region + body
    return first17 + uscc_check_character(first17)


@dataclass(frozen=True)
class Seeded:
    """One party's unmasked numbers, as entered at the window."""

    name: str
    id_number: str
    phone: str

    def secrets(self) -> set[str]:
        return {self.id_number, self.phone}


# Numbers that appear nowhere in the code base, each once in the scene: a hit names its party.
F1_PLAINTIFF = Seeded("周立平", resident_id("320509", "19850317", "271"), "13951270431")
F1_DEFENDANT = Seeded("钱海峰", resident_id("330421", "19790622", "053"), "15867340926")
M1_PLAINTIFF = Seeded("沈建国", resident_id("320509", "19680905", "114"), "13862197354")
M1_DEFENDANT = Seeded("嘉善县锦程纺织品有限公司", credit_code("330421", "MA2C7K8Q3"), "0573-84170593")
M2_PLAINTIFF = Seeded("陆美华", resident_id("310118", "19910228", "346"), "18917463052")
M2_DEFENDANT = Seeded("姚建明", resident_id("330421", "19830411", "219"), "13706738215")
M3_PLAINTIFF = Seeded("顾晓东", resident_id("330421", "19750830", "412"), "15157392846")
M3_DEFENDANT = Seeded("上海青浦汇联贸易有限公司", credit_code("310118", "MA1K9R3T6"), "021-59817426")
ACCOUNT = "6217856100049327158"  # the bank account frozen by PR (a 19-digit card number)


@dataclass(frozen=True)
class Persona:
    """A member of staff (or nobody: `anonymous`) the matrix acts as."""

    key: str
    court: str | None = None
    roles: frozenset[str] = frozenset()
    tribunal: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.key == "anonymous"

    def has(self, court: str, *roles: str) -> bool:
        return self.court == court and bool(self.roles & set(roles))

    def judge_at(self, *tribunals: str) -> bool:
        return self.tribunal in tribunals and Role.JUDGE in self.roles


def _staff(key, court, roles, tribunal=None) -> Persona:
    return Persona(key, court, frozenset(roles), tribunal)


W, F, J, OF, A = Role.WINDOW_CLERK, Role.FILING_CLERK, Role.JUDGE, Role.OFFICER, Role.COURT_ADMIN
PERSONAS: list[Persona] = [
    _staff("wujiang.window", "wujiang", [W]),
    _staff("wujiang.filing", "wujiang", [F]),
    _staff("wujiang.judge", "wujiang", [J]),  # at the court itself: rules on confirmations
    _staff("fenhu.judge", "wujiang", [J], "fenhu"),
    _staff("wujiang.officer", "wujiang", [OF]),
    _staff("wujiang.admin", "wujiang", [A]),
    _staff("qingpu.window", "qingpu", [W]),
    _staff("qingpu.filing", "qingpu", [F]),
    _staff("zhujiajiao.judge", "qingpu", [J], "zhujiajiao"),
    _staff("qingpu.officer", "qingpu", [OF]),
    _staff("qingpu.admin", "qingpu", [A]),
    _staff("jiashan.window", "jiashan", [W]),
    _staff("jiashan.filing", "jiashan", [F]),
    _staff("xitang.judge", "jiashan", [J], "xitang"),
    _staff("yaozhuang.judge", "jiashan", [J], "yaozhuang"),
    _staff("jiashan.officer", "jiashan", [OF]),
    _staff("jiashan.admin", "jiashan", [A]),
    _staff("zone.viewer", None, [Role.ZONE_VIEWER]),
    _staff("outsider", None, []),
    Persona("anonymous"),
]
BY_KEY = {persona.key: persona for persona in PERSONAS}


@dataclass
class Scene:
    users: dict[str, object] = field(default_factory=dict)  # persona key -> User
    ids: dict[str, int] = field(default_factory=dict)  # record key -> primary key
    # Who sees each record: court codes (a court's staff) or persona keys (a notice's recipient).
    seen_by: dict[str, set[str]] = field(default_factory=dict)
    # A text each record shows wherever it is listed or named (its number), for the lists' checks.
    markers: dict[str, str] = field(default_factory=dict)
    # Party ids by (record key, role), and the numbers seeded for each (a case's and a mediation's parties
    # are rows of different tables: their ids may be the same).
    parties: dict[tuple[str, str], int] = field(default_factory=dict)
    seeded: dict[tuple[str, str], Seeded] = field(default_factory=dict)  # by (record key, role)
    feed_token: str = ""
    lookup: dict[str, str] = field(default_factory=dict)  # the status page's number and query code

    def sees(self, persona: Persona, record: str) -> bool:
        owners = self.seen_by[record]
        return persona.key in owners or (persona.court is not None and persona.court in owners)

    def secrets(self) -> dict[str, str]:
        """Every seeded unmasked number, with what it is (for the failure messages)."""
        named = {
            ACCOUNT: "PR's frozen account number",
        }
        for label, seeded in SEEDED.items():
            named[seeded.id_number] = f"{label}'s ID number"
            named[seeded.phone] = f"{label}'s phone"
        return named


SEEDED = {
    "F1 plaintiff": F1_PLAINTIFF,
    "F1 defendant": F1_DEFENDANT,
    "M1 plaintiff": M1_PLAINTIFF,
    "M1 defendant": M1_DEFENDANT,
    "M2 plaintiff": M2_PLAINTIFF,
    "M2 defendant": M2_DEFENDANT,
    "M3 plaintiff": M3_PLAINTIFF,
    "M3 defendant": M3_DEFENDANT,
}


def _person(role: str, seeded: Seeded, address: str) -> PartyInput:
    return PartyInput(
        role=role,
        kind="person",
        name=seeded.name,
        id_number=seeded.id_number,
        phone=seeded.phone,
        address=address,
    )


def _company(role: str, seeded: Seeded, address: str) -> PartyInput:
    return PartyInput(
        role=role,
        kind="organisation",
        name=seeded.name,
        id_number=seeded.id_number,
        phone=seeded.phone,
        address=address,
    )


def _scan(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def build_scene() -> Scene:
    ensure_seed_data()
    scene = Scene()
    courts = {court.code: court for court in Court.objects.all()}
    for persona in PERSONAS:
        if not persona.anonymous:
            scene.users[persona.key] = make_staff(
                persona.key, persona.court, sorted(persona.roles), persona.tribunal
            )
    user = scene.users

    # F1 → C1: filed at Wujiang's window for Qingpu, registered there.
    f1, f1_code = filing_submit(
        actor=user["wujiang.window"],
        jurisdiction_court=courts["qingpu"],
        category="civil_first_instance",
        cause="买卖合同纠纷",
        claim_amount=Decimal("158000.00"),
        parties=[
            _person("plaintiff", F1_PLAINTIFF, "江苏省苏州市吴江区黎里镇汾湖大道1号"),
            _person("defendant", F1_DEFENDANT, "浙江省嘉善县西塘镇塘东街1号"),
        ],
        materials=["起诉状（副本1份）", "身份证明", "证据目录及证据"],
        e_service_consent=True,
        pre_mediation_consent=True,
    )
    attachment = filing_attach(filing_id=f1.pk, actor=user["wujiang.window"], upload=_scan("起诉状.pdf"))
    print_document("filings", f1, "receipt", user["wujiang.window"])  # a row for the admin's pages
    deliver_pending()
    c1 = filing_register(filing_id=f1.pk, actor=user["qingpu.filing"], tribunal=tribunal("zhujiajiao"))
    deliver_pending()
    defendant = Party.objects.get(case=c1, role="defendant")

    # SR, PR: Qingpu asks Jiashan; both received there.
    sr = service_request_create(
        actor=user["qingpu.filing"],
        case=c1,
        entrusted_court=courts["jiashan"],
        recipient=defendant,
        address="浙江省嘉善县西塘镇塘东街1号",
        documents=[DocumentInput("起诉状副本")],
        method="direct",
    )
    pr = preservation_request_create(
        actor=user["qingpu.filing"],
        case=c1,
        entrusted_court=courts["jiashan"],
        respondent=defendant,
        urgent=True,
        stage="in_suit",
        allowed_amount=Decimal("150000"),
        ruling_number=f"{c1.number}之一",
        measures=[MeasureInput("freeze", "bank_deposit", "中国农业银行嘉善支行", Decimal("150000"), ACCOUNT)],
    )
    sr_scan = request_services.request_attach(
        ServiceRequest, request_id=sr.pk, actor=user["qingpu.filing"], upload=_scan("应诉通知书.pdf")
    )
    pr_scan = request_services.request_attach(
        PreservationRequest, request_id=pr.pk, actor=user["qingpu.filing"], upload=_scan("保全裁定书.pdf")
    )
    deliver_pending()

    # M1: Fenhu leads, Xitang accepts; a session, an agreement, confirmation applied for and registered.
    m1, _code = mediation_open(
        actor=user["fenhu.judge"],
        lead_tribunal=tribunal("fenhu"),
        invited_tribunals=[tribunal("xitang")],
        origin=Origin(
            parties=[
                _person("plaintiff", M1_PLAINTIFF, "江苏省苏州市吴江区黎里镇汾湖大道88号"),
                _company("defendant", M1_DEFENDANT, "浙江省嘉兴市嘉善县西塘镇工业园区"),
            ]
        ),
        consent=True,
        cause="买卖合同纠纷",
        claim_amount=Decimal("1280000.00"),
        jurisdiction_court=courts["wujiang"],
    )
    deliver_pending()
    invitation_accept(invitation_id=m1.invitations.get().pk, actor=user["xitang.judge"])
    deliver_pending()
    s1 = schedule(m1, user["fenhu.judge"])
    agreement = agree(m1, user["fenhu.judge"])
    cf1 = confirmation_apply(
        mediation_id=m1.pk,
        actor=user["fenhu.judge"],
        court=courts["wujiang"],
        applicants=list(MediationParty.objects.filter(mediation=m1).values_list("pk", flat=True)),
    )
    deliver_pending()
    cf1 = confirmation_register(confirmation_id=cf1.pk, actor=user["wujiang.filing"])
    deliver_pending()
    cf1 = confirmation_confirm(confirmation_id=cf1.pk, actor=user["wujiang.judge"])
    deliver_pending()
    c2 = Case.objects.get(pk=cf1.case_id)

    # M2 → F2: Zhujiajiao leads, Yaozhuang accepts, it fails and becomes a filing in Qingpu's own inbox.
    m2, _code = mediation_open(
        actor=user["zhujiajiao.judge"],
        lead_tribunal=tribunal("zhujiajiao"),
        invited_tribunals=[tribunal("yaozhuang")],
        origin=Origin(
            parties=[
                _person("plaintiff", M2_PLAINTIFF, "上海市青浦区朱家角镇新风路5号"),
                _person("defendant", M2_DEFENDANT, "浙江省嘉善县姚庄镇银水路3号"),
            ]
        ),
        consent=True,
        cause="民间借贷纠纷",
        claim_amount=Decimal("86000.00"),
        jurisdiction_court=courts["qingpu"],
    )
    deliver_pending()
    invitation_accept(invitation_id=m2.invitations.get().pk, actor=user["yaozhuang.judge"])
    deliver_pending()
    mediation_fail(mediation_id=m2.pk, actor=user["zhujiajiao.judge"], reason="被告拒绝调解")
    f2 = mediation_convert_to_filing(mediation_id=m2.pk, actor=user["zhujiajiao.judge"])
    deliver_pending()

    # M3: Xitang leads and invites Zhujiajiao; the invitation waits at Qingpu.
    m3, _code = mediation_open(
        actor=user["xitang.judge"],
        lead_tribunal=tribunal("xitang"),
        invited_tribunals=[tribunal("zhujiajiao")],
        origin=Origin(
            parties=[
                _person("plaintiff", M3_PLAINTIFF, "浙江省嘉善县西塘镇南苑路9号"),
                _company("defendant", M3_DEFENDANT, "上海市青浦区朱家角镇工业园区"),
            ]
        ),
        consent=True,
        cause="承揽合同纠纷",
        claim_amount=Decimal("240000.00"),
        jurisdiction_court=courts["jiashan"],
    )
    deliver_pending()

    notice = Notification.objects.filter(recipient=user["qingpu.filing"]).order_by("id").first()
    for record, expected in (
        (Filing.objects.get(pk=f1.pk), "registered"),
        (Filing.objects.get(pk=f2.pk), "received"),
        (ServiceRequest.objects.get(pk=sr.pk), "received"),
        (PreservationRequest.objects.get(pk=pr.pk), "received"),
        (Mediation.objects.get(pk=m1.pk), "agreed"),
        (Mediation.objects.get(pk=m2.pk), "failed"),
        (Mediation.objects.get(pk=m3.pk), "proposed"),
        (cf1, "confirmed"),
    ):
        assert record.state == expected, f"the scene's {record!r} is {record.state}, not {expected}"
    assert notice is not None, "Qingpu's filing clerk was told of F1's arrival"

    scene.ids = {
        "F1": f1.pk,
        "F1.scan": attachment.pk,
        "C1": c1.pk,
        "SR": sr.pk,
        "SR.scan": sr_scan.pk,
        "PR": pr.pk,
        "PR.scan": pr_scan.pk,
        "M1": m1.pk,
        "S1": s1.pk,
        "AG1": agreement.pk,
        "CF1": cf1.pk,
        "C2": c2.pk,
        "M2": m2.pk,
        "F2": f2.pk,
        "M3": m3.pk,
        "N1": notice.pk,
    }
    # Who takes part in what (DOMAIN.md, written out here rather than asked of the selectors).
    scene.seen_by = {
        "F1": {"wujiang", "qingpu"},  # the window that took it, the court with jurisdiction
        "C1": {"qingpu", "wujiang", "jiashan"},  # its court, the window it came from, the court asked
        "SR": {"qingpu", "jiashan"},
        "PR": {"qingpu", "jiashan"},
        "M1": {"wujiang", "jiashan"},  # the lead's court and the invited court
        "S1": {"wujiang", "jiashan"},
        "CF1": {"wujiang", "jiashan"},
        "C2": {"wujiang"},  # the 民特 case is the confirming court's own
        "M2": {"qingpu", "jiashan"},
        "F2": {"qingpu"},  # referred into Qingpu's own inbox
        "M3": {"jiashan", "qingpu"},
        "N1": {"qingpu.filing"},  # a notice is its recipient's alone
    }
    scene.markers = {
        "F1": f1.receipt_number,
        "F2": f2.receipt_number,
        "C1": c1.number,
        "C2": c2.number,
        "SR": sr.reference,
        "PR": pr.reference,
        "M1": m1.number,
        "M2": m2.number,
        "M3": m3.number,
    }
    for record, owner in (("C1", {"case": c1}), ("C2", {"case": c2}), ("F2", {"filing": f2})):
        for party in Party.objects.filter(**owner):
            scene.parties[(record, party.role)] = party.pk
    for record, mediation in (("M1", m1), ("M2", m2), ("M3", m3)):
        for party in MediationParty.objects.filter(mediation=mediation):
            scene.parties[(record, party.role)] = party.pk
    seeded = {
        ("C1", "plaintiff"): F1_PLAINTIFF,
        ("C1", "defendant"): F1_DEFENDANT,
        ("C2", "plaintiff"): M1_PLAINTIFF,
        ("C2", "defendant"): M1_DEFENDANT,
        ("F2", "plaintiff"): M2_PLAINTIFF,
        ("F2", "defendant"): M2_DEFENDANT,
        ("M1", "plaintiff"): M1_PLAINTIFF,
        ("M1", "defendant"): M1_DEFENDANT,
        ("M2", "plaintiff"): M2_PLAINTIFF,
        ("M2", "defendant"): M2_DEFENDANT,
        ("M3", "plaintiff"): M3_PLAINTIFF,
        ("M3", "defendant"): M3_DEFENDANT,
    }
    scene.seeded = seeded
    scene.feed_token = feed_token(user["fenhu.judge"])
    scene.lookup = {"number": c1.number, "code": f1_code}
    return scene


def next_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)
