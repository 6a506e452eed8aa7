"""The OpenBadgeCredential (Open Badges 3.0, VC Data Model 2.0) of a certification cycle or a
completion, built from the register and signed with the issuer's current key."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import BadgeCredential
from .contexts import CREDENTIALS_V2, OPEN_BADGES_V3
from .keys import base_url, issuer_did, signing_key, verification_method_id
from .proofs import sign
from .status import status_entries

LANGUAGES = ("ja", "en")


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def day_start(day: datetime.date) -> datetime.datetime:
    """00:00 of a day in the platform's time zone (dates in the register are Japanese dates)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_end(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _both(make, *, between: str = " / ") -> str:
    """A text in Japanese and then English, in one string (once when they are the same). Open
    Badges 3.0's schema types `name`, `description` and `criteria.narrative` as plain strings,
    which wallets and validators expect: VC 2.0's language value objects would not validate."""
    values = []
    for language in LANGUAGES:
        with translation.override(language):
            text = str(make())
        if text not in values:
            values.append(text)
    return between.join(values)


def email_hash(email: str, salt: str) -> str:
    """Open Badges' IdentityHash: 'sha256$' + hex SHA-256 of the address followed by the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def _issuer(body) -> dict:
    return {
        "id": issuer_did(),
        "type": ["Profile"],
        "name": str(body),
        "url": base_url() + "/",
    }


def _hours(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _certification_parts(credential: BadgeCredential) -> tuple[dict, dict, str, dict]:
    certification = credential.certification
    ctype = certification.credential_type
    course = ctype.initial_course

    def criteria():
        parts = []
        if course is not None and course.minimum_hours:
            parts.append(_("Completed the course %(course)s (%(hours)s hours) of %(body)s.")
                         % {"course": course.title, "hours": _hours(course.minimum_hours), "body": certification.body})
        elif course is not None:
            parts.append(_("Completed the course %(course)s of %(body)s, attending every day.")
                         % {"course": course.title, "body": certification.body})
        parts.append(_("Certified by %(body)s.") % {"body": certification.body})
        if ctype.expires:
            parts.append(_("Valid for %(months)s months at a time.") % {"months": ctype.validity_months})
            needs = []
            if ctype.renewal_course_id:
                needs.append(_("completing %(course)s") % {"course": ctype.renewal_course.title})
            if ctype.ce_hours_required:
                needs.append(_("%(hours)s hours of continuing education") % {"hours": _hours(ctype.ce_hours_required)})
            if needs:
                parts.append(_("To renew: %(needs)s.") % {"needs": _("; ").join(needs)})
        else:
            parts.append(_("It does not expire."))
        return " ".join(parts)

    achievement = {
        "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url()}/credential-types/{ctype.pk}")),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": _both(lambda: _("Certification: %(name)s") % {"name": ctype.name}),
        "description": _both(lambda: _("%(body)s certifies the holder as %(name)s (certificate %(number)s, cycle %(cycle)s).")
                             % {"body": certification.body, "name": ctype.name, "number": certification.number,
                                "cycle": credential.cycle}),
        "criteria": {"narrative": _both(criteria, between="\n\n")},
    }
    subject = {"licenseNumber": certification.number}
    name = _both(lambda: _("Certification: %(name)s") % {"name": ctype.name})
    return achievement, subject, certification.holder, {"name": name, "show_name": certification.show_name_publicly,
                                                        "body": certification.body}


def _completion_parts(credential: BadgeCredential) -> tuple[dict, dict, str, dict]:
    completion = credential.completion
    course = completion.course

    def criteria():
        rule = course.get_completion_rule_display()
        return _("Completed the course %(course)s of %(body)s: %(hours)s hours (%(rule)s).") % {
            "course": course.title, "body": completion.body, "hours": _hours(completion.hours), "rule": rule}

    achievement = {
        "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url()}/courses/{course.pk}")),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": _both(lambda: _("Completion: %(name)s") % {"name": course.title}),
        "description": _both(lambda: _("%(body)s records that the holder completed %(name)s (completion %(number)s).")
                             % {"body": completion.body, "name": course.title, "number": completion.number}),
        "criteria": {"narrative": _both(criteria, between="\n\n")},
    }
    subject = {"activityEndDate": _stamp(day_end(completion.completed_on))}
    if completion.hours:
        subject["creditsEarned"] = float(completion.hours)
    name = _both(lambda: _("Completion: %(name)s") % {"name": course.title})
    return achievement, subject, completion.person, {"name": name, "show_name": completion.show_name_publicly,
                                                     "body": completion.body}


def credential_document(credential: BadgeCredential) -> dict:
    """The unsigned OpenBadgeCredential. The holder is named by a salted hash of their email;
    their name only if they allow it to show on the verification page."""
    parts = _certification_parts if credential.kind == BadgeCredential.Kind.CERTIFICATION else _completion_parts
    achievement, extra, holder, info = parts(credential)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [{
            "type": "IdentityObject",
            "identityHash": email_hash(holder.email, credential.salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": credential.salt,
        }],
        "achievement": achievement,
        **extra,
    }
    if info["show_name"]:
        subject["name"] = holder.display_name
    document = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": f"urn:uuid:{credential.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": info["name"],
        "issuer": _issuer(info["body"]),
        "validFrom": _stamp(credential.valid_from),
        "awardedDate": _stamp(credential.valid_from),
        "credentialSubject": subject,
        "credentialStatus": status_entries(credential),
    }
    if credential.valid_until is not None:
        document["validUntil"] = _stamp(credential.valid_until)
    return document


def credential_signed(credential: BadgeCredential) -> dict:
    """The credential with its eddsa-rdfc-2022 proof, by the current key."""
    key = signing_key()
    return sign(credential_document(credential), private_key=key.private_key,
                verification_method=verification_method_id(key.key_id))


def credential_filename(credential: BadgeCredential) -> str:
    record = credential.certification or credential.completion
    suffix = f"-{credential.cycle}" if credential.cycle else ""
    return f"{record.number}{suffix}"


def verify_page_url() -> str:
    return base_url() + reverse("training:verify_form")
