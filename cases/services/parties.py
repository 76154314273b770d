"""Party details as entered at the window: checked, then sealed (encrypted, hashed, masked) for storage."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.identity import validate_phone, validate_resident_id, validate_uscc
from cases.models import Party
from courts.personal_data import seal

MAX_PARTIES = 50
# The choices' values, once: `Party.Role.values` builds its list anew on every use, and the history import
# checks 200,000 parties at a time (cases.services.history_import).
_ROLES = frozenset(Party.Role.values)
_KINDS = frozenset(Party.Kind.values)
_ID_TYPES = frozenset(Party.IdType.values)


@dataclass
class PartyInput:
    role: str
    kind: str
    name: str
    id_number: str = ""
    id_type: str = ""
    phone: str = ""
    address: str = ""
    e_service_consent: bool = False


def clean_party(party: PartyInput) -> dict[str, list[str]]:
    """Field errors for one party (empty when it is fine). Normalises the party in place."""
    errors: dict[str, list[str]] = {}
    party.name = party.name.strip()
    party.id_number = "".join(party.id_number.split()).upper()
    party.phone = "".join(party.phone.split())
    if party.role not in _ROLES:
        errors["role"] = [_("Choose plaintiff, defendant or third party.")]
    if party.kind not in _KINDS:
        errors["kind"] = [_("Choose natural person or organisation.")]
    if not party.name:
        errors["name"] = [_("Enter the party's name.")]
    if not party.id_type and party.id_number:
        party.id_type = (
            Party.IdType.USCC if party.kind == Party.Kind.ORGANISATION else Party.IdType.RESIDENT_ID
        )
    if party.id_type and party.id_type not in _ID_TYPES:
        errors["id_type"] = [_("Unknown ID type.")]
    if party.role == Party.Role.PLAINTIFF and not party.id_number:
        # The filer's identity documents are on the checklist; an opposing party may be identified otherwise.
        errors["id_number"] = [_("The plaintiff's ID number (or credit code) is required.")]
    elif party.id_number:
        try:
            if party.id_type == Party.IdType.RESIDENT_ID:
                party.id_number = validate_resident_id(party.id_number)
            elif party.id_type == Party.IdType.USCC:
                party.id_number = validate_uscc(party.id_number)
            elif len(party.id_number) > 32:
                raise ValidationError(_("At most 32 characters."))
        except ValidationError as error:
            errors["id_number"] = error.messages
    if party.phone:
        try:
            party.phone = validate_phone(party.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if len(party.address) > 200:
        errors["address"] = [_("At most 200 characters.")]
    return errors


def clean_parties(parties: list[PartyInput]) -> dict[str, list[str]]:
    """Errors keyed like the API's fields: `parties.1.id_number`, or `parties` for the list as a whole."""
    errors: dict[str, list[str]] = {}
    if len(parties) > MAX_PARTIES:
        return {"parties": [_("At most %(count)d parties.") % {"count": MAX_PARTIES}]}
    for index, party in enumerate(parties):
        for field, messages in clean_party(party).items():
            errors[f"parties.{index}.{field}"] = messages
    roles = {party.role for party in parties}
    if Party.Role.PLAINTIFF not in roles:
        errors.setdefault("parties", []).append(_("At least one plaintiff (or applicant) is required."))
    if Party.Role.DEFENDANT not in roles:
        errors.setdefault("parties", []).append(_("At least one defendant (or respondent) is required."))
    return errors


def party_rows(parties: list[PartyInput], *, model=Party, **owner) -> list:
    """New, unsaved rows of `model` (Party, or another PartyDetails model such as a mediation's parties) for
    parties entered at a window, sealed; `owner` names what they belong to (filing=..., case=...)."""
    return [model(**owner, **party_values(party, position)) for position, party in enumerate(parties)]


def party_values(party: PartyInput, position: int) -> dict:
    """The stored columns of one party entered at a window (PartyDetails.DETAIL_FIELDS), sealed: for
    `party_rows`, and for a bulk import that writes them without model instances."""
    id_number, phone = seal(party.id_number), seal(party.phone)
    return {
        "position": position,
        "role": party.role,
        "kind": party.kind,
        "name": party.name,
        "id_type": party.id_type,
        "id_number_cipher": id_number.ciphertext,
        "id_number_lookup": id_number.lookup,
        "id_number_masked": id_number.masked,
        "phone_cipher": phone.ciphertext,
        "phone_lookup": phone.lookup,
        "phone_masked": phone.masked,
        "address": party.address.strip(),
        "e_service_consent": party.e_service_consent,
    }


def party_copies(parties, *, model=Party, **owner) -> list:
    """New, unsaved rows of `model` carrying the same parties (sealed columns copied as they are: nothing is
    decrypted, nothing retyped), in their order, owned by `owner`."""
    return [model(**owner, **party.details()) for party in parties]
