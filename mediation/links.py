"""The records of other flows a mediation is linked to, for their pages (courts.links): a filing it came
from or became, a case it came from, a confirmation's 民特 case and enforcement filing. Only what the user may
see is named."""

from django.db.models import Q
from django.utils.translation import gettext as _

from cases.models import Case, Filing
from courts.links import Link
from mediation.selectors import confirmations_visible_to, mediations_visible_to


def _mediation_link(mediation, relation: str) -> Link:
    return Link(
        relation=relation,
        kind="mediation",
        label=mediation.number,
        url=f"/mediations/{mediation.pk}/",
        id=mediation.pk,
    )


def links_of(record, user) -> list[Link]:
    if isinstance(record, Filing):
        mediations = mediations_visible_to(user).filter(Q(origin_filing=record) | Q(resulting_filing=record))
        links = [
            _mediation_link(
                m, _("mediated as") if m.origin_filing_id == record.pk else _("filed after mediation")
            )
            for m in mediations
        ]
        for confirmation in (
            confirmations_visible_to(user).filter(enforcement_filing=record).select_related("case")
        ):
            links.append(
                Link(
                    relation=_("enforces the ruling"),
                    kind="confirmation",
                    label=confirmation.case.number if confirmation.case_id else str(confirmation.pk),
                    url=f"/confirmations/{confirmation.pk}/",
                    id=confirmation.pk,
                )
            )
        return links
    if isinstance(record, Case):
        links = [
            _mediation_link(m, _("mediated as"))
            for m in mediations_visible_to(user).filter(origin_case=record)
        ]
        for confirmation in confirmations_visible_to(user).filter(case=record).select_related("mediation"):
            links.append(
                Link(
                    relation=_("confirms the agreement of"),
                    kind="confirmation",
                    label=confirmation.mediation.number,
                    url=f"/confirmations/{confirmation.pk}/",
                    id=confirmation.pk,
                )
            )
        return links
    return []
