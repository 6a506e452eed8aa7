"""Pages of volunteer work (第一群): /me/activity/volunteer/… for the volunteer (check in, check
out, a duration, the thank-you summaries) and /staff/activity/organisations/<pk>/volunteers/
for the organisation (verify volunteer hours or not, send the quarter's thank-you summaries)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peers import spreadsheets
from peers.dates import fiscal_year_of, fiscal_year_text
from peers.form_errors import add_service_errors
from peers.request_params import read_id, read_int

from . import selectors, services
from .selectors import volunteer as volunteer_selectors
from .volunteer_forms import CheckOutForm, VolunteerHoursForm, VolunteerSettingForm


def _error_text(error) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _volunteer_page(request: HttpRequest, *, checkout_form=None, hours_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    session = volunteer_selectors.volunteer_session_open_for(user)
    now = timezone.now()
    return render(request, "collaboration/activity/volunteer.html", {
        "engagements": list(volunteer_selectors.volunteer_engagement_list_for(user)),
        "session": session,
        "session_minutes": session.minutes_until(now) if session else None,
        "can_undo": bool(session and now <= session.undo_until()),
        "forgotten": bool(session and session.minutes_until(now) > services.volunteer.MAX_MINUTES),
        "checkout_form": checkout_form or CheckOutForm(),
        "hours_form": hours_form or VolunteerHoursForm(user=user),
        "undo_minutes": session.UNDO_SECONDS // 60 if session else 5,
    }, status=status)


@login_required
def volunteer(request: HttpRequest) -> HttpResponse:
    """Check in, check out, or record a duration (POST here saves a duration)."""
    if request.method == "POST":
        form = VolunteerHoursForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.volunteer_hours_record(
                    person=request.user, engagement=data["engagement"], date=data["date"],
                    duration_minutes=data["duration_minutes"], activity=data["activity"], stage=data["stage"],
                    people_supported=data.get("people_supported") or 0, setting=data.get("setting"),
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
            else:
                _saved_message(request, entry)
                return redirect("activity:volunteer")
        return _volunteer_page(request, hours_form=form, status=400 if form.errors else 200)
    return _volunteer_page(request)


def _saved_message(request, entry) -> None:
    if entry.verification_waived:
        messages.success(request, _("Saved: %(minutes)s minutes. Thank you! Your organisation does not ask "
                                    "for volunteer hours to be verified, so they count now.")
                         % {"minutes": entry.duration_minutes})
    else:
        messages.success(request, _("Saved: %(minutes)s minutes. Thank you! Your organisation will verify them.")
                         % {"minutes": entry.duration_minutes})


@login_required
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    """One deliberate tap: the check-in saves only the moment, and can be undone for 5 minutes."""
    engagement = volunteer_selectors.volunteer_engagement_list_for(request.user).filter(
        pk=read_id(request.POST, "engagement", lenient=True) or 0).first()
    if engagement is None:
        messages.error(request, _("Choose one of your current volunteer engagements."))
        return redirect("activity:volunteer")
    try:
        session = services.volunteer_check_in(person=request.user, engagement=engagement)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Checked in at %(time)s at %(organisation)s. Tapped by mistake? You can "
                                    "undo it for 5 minutes.")
                         % {"time": timezone.localtime(session.checked_in_at).strftime("%H:%M"),
                            "organisation": engagement.organisation.name})
    return redirect("activity:volunteer")


@login_required
@require_POST
def check_in_undo(request: HttpRequest) -> HttpResponse:
    session = volunteer_selectors.volunteer_session_open_for(request.user)
    if session is None:
        messages.error(request, _("You are not checked in."))
        return redirect("activity:volunteer")
    try:
        services.volunteer_check_in_undo(person=request.user, session=session)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The check-in is undone. Nothing was recorded."))
    return redirect("activity:volunteer")


@login_required
@require_POST
def check_out(request: HttpRequest) -> HttpResponse:
    session = volunteer_selectors.volunteer_session_open_for(request.user)
    if session is None:
        messages.error(request, _("You are not checked in."))
        return redirect("activity:volunteer")
    form = CheckOutForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.volunteer_check_out(
                person=request.user, session=session, activity=data["activity"], stage=data["stage"],
                people_supported=data.get("people_supported") or 0, setting=data.get("setting"),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            _saved_message(request, entry)
            return redirect("activity:volunteer")
    return _volunteer_page(request, checkout_form=form, status=400)


def _fiscal_year(request: HttpRequest) -> int:
    return read_int(request.GET, "fy", min=2000, max=2100, default=fiscal_year_of(timezone.localdate()), lenient=True)


@login_required
def volunteer_thanks(request: HttpRequest) -> HttpResponse:
    """The volunteer's thank-you summary of a fiscal year, per organisation and quarter."""
    fy = _fiscal_year(request)
    return render(request, "collaboration/activity/volunteer_thanks.html", {
        "fiscal_year": fy, "fiscal_year_label": fiscal_year_text(fy),
        "years": [(y, fiscal_year_text(y)) for y in volunteer_selectors.fiscal_years_with_volunteering(request.user)],
        "organisations": volunteer_selectors.volunteer_thanks_for(request.user, fy),
    })


def thanks_header() -> list[str]:
    return [_("Organisation"), _("Fiscal year"), _("Quarter"), _("Period"), _("Hours"), _("Occasions"),
            _("Activity types")]


def thanks_rows(organisations) -> list[list]:
    rows = []
    for o in organisations:
        for q in o.quarters:
            rows.append([o.organisation.name, fiscal_year_text(q.fiscal_year), q.quarter,
                         f"{q.start.isoformat()} – {q.end.isoformat()}", q.hours, q.occasions,
                         "、".join(f"{name} ({n})" for name, n in q.activity_names)])
    return rows


@login_required
def volunteer_thanks_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    fy = _fiscal_year(request)
    return spreadsheets.respond(fmt, f"volunteer-thanks-{fy}", thanks_header(),
                                thanks_rows(volunteer_selectors.volunteer_thanks_for(request.user, fy)))


# --- The organisation's page ------------------------------------------------------------------


def _organisation_or_404(request: HttpRequest, pk: int):
    organisation = selectors.activity_organisation_get_for(request.user, pk)
    if organisation is None:
        raise Http404
    return organisation


@login_required
def organisation_volunteers(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    fy, quarter = volunteer_selectors.read_fiscal_year_and_quarter(request.GET, lenient=True)
    current_fy = fiscal_year_of(timezone.localdate())
    return render(request, "collaboration/activity/volunteer_organisation.html", {
        "organisation": organisation, "fiscal_year": fy, "quarter": quarter,
        "period": volunteer_selectors.quarter_text(fy, quarter),
        "rows": volunteer_selectors.organisation_volunteer_thanks(organisation, fy, quarter),
        "can_manage": selectors.can_manage_verifiers(request.user, organisation),
        "setting_form": VolunteerSettingForm(initial={
            "volunteer_hours_need_verification": organisation.volunteer_hours_need_verification}),
        "years": [(y, fiscal_year_text(y)) for y in range(current_fy, current_fy - 5, -1)],
        "quarters": [(q, volunteer_selectors.quarter_text(fy, q)) for q in volunteer_selectors.QUARTERS],
    })


@login_required
@require_POST
def organisation_volunteer_setting(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    form = VolunteerSettingForm(request.POST)
    form.is_valid()  # a checkbox: absent is off, anything else on
    required = bool(form.cleaned_data.get("volunteer_hours_need_verification"))
    try:
        services.activity_volunteer_verification_set(actor=request.user, organisation=organisation, required=required)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved. Volunteer hours now go to the verification queue.") if required else
                         _("Saved. Volunteer hours are now confirmed at once, without the verification queue."))
    return redirect("activity:volunteer_organisation", pk=pk)


@login_required
@require_POST
def organisation_thanks_send(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    fy, quarter = volunteer_selectors.read_fiscal_year_and_quarter(request.POST, lenient=True)
    try:
        sent = services.volunteer_thanks_send(actor=request.user, organisation=organisation, fiscal_year=fy,
                                              quarter=quarter)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(n)s thank-you emails sent, each in the volunteer's own language. Those "
                                    "already thanked for this quarter were not sent it again.") % {"n": sent})
    return redirect(reverse("activity:volunteer_organisation", args=[pk]) + f"?fy={fy}&quarter={quarter}")
