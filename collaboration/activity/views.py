"""Pages of the activity log: /me/activity/… for the person, /staff/activity/… for managers, named
supervisors and coordinators (MFA is enforced before /staff/ by StaffMFAMiddleware)."""

from __future__ import annotations

import datetime

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
from peers.form_errors import add_service_errors
from peers.pagination import keyset_page_for_request
from peers.plain import plain
from peers.request_params import read_date
from peers.selectors import prefecture_list_coordinated_by, user_is_admin

from . import export, selectors, services
from .forms import DeclineForm, EntryForm, SupervisionForm, WeekForm, day_label, monday_of
from .models import LEVEL_FIELDS, RECOVERY_FIELDS, EntryStatus

FIELDS = ["-date", "-id"]


def _since_months(months: int) -> datetime.date:
    return selectors.month_start_before(months)


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """?since=YYYY-MM-DD&until=… ; by default the last 12 months."""
    since = read_date(request.GET, "since", default=_since_months(12), lenient=True)
    until = read_date(request.GET, "until", default=timezone.localdate(), lenient=True)
    return since, until


# --- The person's own pages -------------------------------------------------------------------


@login_required
def my_activity(request: HttpRequest) -> HttpResponse:
    user = request.user
    by_activity, by_kind = selectors.my_activity_charts(user, _since_months(6))
    page = keyset_page_for_request(request, selectors.activity_entry_list_own(user), fields=FIELDS)
    verifies = selectors.organisation_ids_verified_by(user)
    return render(request, "collaboration/activity/my_activity.html", {
        "charts": [by_activity, by_kind],
        "page": page,
        "renewal": selectors.renewal_overview_for(user),
        # A supervisor a manager named has no staff role, so no staff menu: show them the way.
        "verifies": verifies is None or bool(verifies),
    })


def _entry_kwargs(data: dict) -> dict:
    keys = ("engagement", "date", "start_time", "duration_minutes", "activity", "mode", "stage",
            "people_supported", "setting", "professional_roles", "colleagues", *LEVEL_FIELDS,
            *RECOVERY_FIELDS, "reflection", "reflection_shared")
    return {k: data[k] for k in keys if k in data}


def _summary(form) -> list[tuple[str, str]]:
    """What the person is about to save, field by field, as they would read it."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()) or (hasattr(value, "exists") and not value.exists()):
            continue
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif hasattr(field, "choices") and not hasattr(value, "pk") and not hasattr(value, "__iter__"):
            text = str(dict(field.choices).get(value, value))
        elif hasattr(value, "__iter__") and not isinstance(value, str):
            text = "、".join(str(v) for v in value)
        else:
            text = str(value)
        rows.append((str(field.label), text))
    return rows


@login_required
def entry_new(request: HttpRequest) -> HttpResponse:
    """Quick entry, made for a phone: the last engagement, activity and setting are remembered.
    Because the form comes filled in, nothing is saved by one tap: the values are shown to check
    first, and saved only when the person confirms them (or they go back and change them)."""
    initial = {"date": timezone.localdate(), "people_supported": 1, **selectors.last_entry_defaults(request.user)}
    form = EntryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        if "change" in request.POST:  # back from the check, with everything as it was typed
            return render(request, "collaboration/activity/entry_form.html", {"form": form})
        if request.POST.get("confirmed") != "1":
            return render(request, "collaboration/activity/entry_confirm.html", {"form": form, "summary": _summary(form)})
        kwargs = _entry_kwargs(form.cleaned_data)
        try:
            entry = services.activity_entry_create(author=request.user, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            if entry.possible_duplicates:
                messages.warning(request, plain(_(
                    "Saved. You already have an entry for this activity on this day: please check it is not "
                    "a duplicate."
                ), "保存しました。同じ日に、同じ活動の記録がもうあります。同じ記録が2つないか、見てください。"))
            elif entry.verification_waived:
                messages.success(request, _("Saved and confirmed: your organisation does not ask for "
                                            "volunteer hours to be verified."))
            else:
                messages.success(request, plain(_("Saved. It will be verified by your organisation."),
                                                "保存しました。このあと、あなたの事業所の人が確認します。"))
            return redirect("activity:my_activity")
    return render(request, "collaboration/activity/entry_form.html", {"form": form})


@login_required
def week_new(request: HttpRequest) -> HttpResponse:
    """A past week in one go. The week comes first (`?week=`, any day of it; last week unless
    chosen), so every day is named by its date; saving keeps the week in the form."""
    today = timezone.localdate()
    source = request.POST if request.method == "POST" and "week_start" in request.POST else request.GET
    key = "week_start" if source is request.POST else "week"
    chosen = read_date(source, key, default=None, lenient=True)
    week_start = monday_of(chosen) if chosen else monday_of(today) - datetime.timedelta(days=7)
    if week_start > monday_of(today):
        week_start = monday_of(today)  # a week still to come cannot be recorded yet
    initial = dict(selectors.last_entry_defaults(request.user))
    if "activity" in initial:
        initial.update({f"activity_{d}": initial["activity"] for d in range(7)})
    form = WeekForm(request.POST or None, user=request.user, initial=initial, week_start=week_start)
    if request.method == "POST" and form.is_valid():
        try:
            entries = services.activity_week_create(
                author=request.user, engagement=form.cleaned_data["engagement"], rows=form.cleaned_data["rows"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            messages.success(request, plain(_("%(n)s entries saved. They will be verified by your organisation."),
                                            "%(n)s件の記録を保存しました。このあと、あなたの事業所の人が確認します。")
                             % {"n": len(entries)})
            return redirect("activity:my_activity")
    week_end = week_start + datetime.timedelta(days=6)
    context = {"form": form, "week_start": week_start,
               "week_label": _("%(start)s to %(end)s") % {"start": day_label(week_start), "end": day_label(week_end)},
               "previous_week": week_start - datetime.timedelta(days=7),
               "next_week": week_start + datetime.timedelta(days=7) if week_start < monday_of(today) else None}
    return render(request, "collaboration/activity/week_form.html", context)


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry with its history. Its author may correct it here (back to verification)."""
    entry = selectors.activity_entry_get_for(request.user, pk)
    if entry is None:
        raise Http404
    is_author = entry.author_id == request.user.pk
    form = None
    if is_author:
        initial = {f: getattr(entry, f) for f in (
            "date", "start_time", "duration_minutes", "activity", "mode", "stage", "people_supported",
            "setting", *LEVEL_FIELDS, *RECOVERY_FIELDS, "reflection", "reflection_shared")}
        initial.update(engagement=entry.engagement, professional_roles=list(entry.professional_roles.all()),
                       colleagues=", ".join(link.user.email for link in entry.colleague_links.all()))
        form = EntryForm(request.POST or None, user=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            kwargs = _entry_kwargs(form.cleaned_data)
            kwargs.pop("engagement")
            if kwargs.get("setting") is None:
                kwargs["setting"] = entry.setting
            try:
                services.activity_entry_correct(actor=request.user, entry=entry, **kwargs)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, plain(_("Corrected. The entry goes back for verification."),
                                                "直しました。事業所の人が、もう一度確認します。"))
                return redirect("activity:entry_detail", pk=entry.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("Only the author can correct an entry."))
    links = list(entry.colleague_links.all())
    return render(request, "collaboration/activity/entry_detail.html", {
        "entry": entry, "form": form, "is_author": is_author,
        "show_reflection": selectors.reflection_visible(request.user, entry),
        "my_link": next((link for link in links if link.user_id == request.user.pk), None),
        "links": links, "can_verify": selectors.can_verify(request.user, entry),
        "decline_form": DeclineForm(),
    })


@login_required
@require_POST
def entry_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.activity_entry_get_for(request.user, pk)
    if entry is None:
        raise Http404
    services.activity_colleague_confirm(user=request.user, entry=entry)
    messages.success(request, _("You confirmed this entry. Its author and the organisation can see your confirmation."))
    return redirect("activity:entry_detail", pk=pk)


@login_required
def my_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    rows = export.entry_rows(selectors.activity_entry_list_own(request.user), with_author=False)
    return spreadsheets.respond(fmt, "my-activity", export.entry_header(False), rows)


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    form = SupervisionForm(request.POST or None, user=request.user, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        me, (part, other) = request.user, data["other"]
        supervisor, peer = (other, me) if part == selectors.SUPERVISOR else (me, other)
        try:
            services.supervision_record(actor=me, supervisor=supervisor, peer=peer, date=data["date"],
                                        minutes=data["minutes"], topics=data["topics"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # the other person's field is "other" on this form
                for key in ("supervisor", "peer"):
                    if key in error.error_dict:
                        error.error_dict["other"] = error.error_dict.pop(key)
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. The other person will be asked to confirm it."))
            return redirect("activity:supervision")
    page = keyset_page_for_request(request, selectors.supervision_list_for(request.user), fields=FIELDS)
    return render(request, "collaboration/activity/supervision.html", {"form": form, "page": page})


@login_required
@require_POST
def supervision_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.supervision_get_for(request.user, pk)
    if session is None:
        raise Http404
    try:
        services.supervision_confirm(actor=request.user, session=session)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You confirmed this session. It now shows as confirmed for both of you."))
    return redirect("activity:supervision")


# --- Staff pages ------------------------------------------------------------------------------


def _organisation_or_404(request: HttpRequest, pk: int):
    organisation = selectors.activity_organisation_get_for(request.user, pk)
    if organisation is None:
        raise Http404
    return organisation


@login_required
def organisation_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's activity, the collaboration matrix and a link to the verification queue."""
    organisation = _organisation_or_404(request, pk)
    since, until = _period(request)
    entries = selectors.activity_entry_list_for_organisation(organisation).filter(date__gte=since, date__lte=until)
    page = keyset_page_for_request(request, entries, fields=FIELDS)
    return render(request, "collaboration/activity/organisation.html", {
        "organisation": organisation, "since": since, "until": until, "page": page,
        "team": selectors.team_summary(organisation, since, until),
        "matrix": selectors.collaboration_matrix(organisation, since, until),
        "query": f"since={since.isoformat()}&until={until.isoformat()}",
        "can_manage": selectors.can_manage_verifiers(request.user, organisation),
        "verifiers": list(selectors.verifier_list_for_organisation(organisation)),
    })


@login_required
def verification_queue(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    page = keyset_page_for_request(
        request, selectors.verification_queue(request.user, organisation), fields=FIELDS,
    )
    today = timezone.localdate()
    return render(request, "collaboration/activity/queue.html", {
        "organisation": organisation, "page": page, "decline_form": DeclineForm(),
        "last_week": today - datetime.timedelta(days=today.weekday() + 7),
    })


@login_required
@require_POST
def verifier_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager names a supervisor (by email) who may verify the organisation's entries."""
    organisation = _organisation_or_404(request, pk)
    from peers.models import User

    person = User.objects.filter(email__iexact=request.POST.get("email", "").strip(), is_active=True).first()
    if person is None:
        messages.error(request, _("No one on the platform has this address."))
        return _supervisors_redirect(organisation)
    try:
        services.activity_verifier_name(actor=request.user, organisation=organisation, user=person)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s can now verify this organisation's entries. They will find the submitted entries in the verification queue.") % {"name": person})
    return _supervisors_redirect(organisation)


@login_required
def verifier_remove(request: HttpRequest, pk: int, verifier_pk: int) -> HttpResponse:
    """Asks first (GET), then removes on POST. Only the organisation's manager; a named
    supervisor may see the organisation but not this page."""
    organisation = _organisation_or_404(request, pk)
    if not selectors.can_manage_verifiers(request.user, organisation):
        raise Http404
    verifier = selectors.verifier_list_for_organisation(organisation).filter(pk=verifier_pk).first()
    if verifier is None:
        raise Http404
    if request.method == "POST":
        services.activity_verifier_remove(actor=request.user, verifier=verifier)
        messages.success(request, _("%(name)s can no longer verify this organisation's entries. Entries they have already verified stay verified.")
                         % {"name": verifier.user.display_name})
        return _supervisors_redirect(organisation)
    return render(request, "collaboration/activity/verifier_remove.html", {
        "organisation": organisation, "verifier": verifier,
    })


def _supervisors_redirect(organisation) -> HttpResponse:
    return redirect(reverse("activity:organisation", args=[organisation.pk]) + "#supervisors-heading")


def _queue_redirect(entry) -> HttpResponse:
    return redirect("activity:queue", pk=entry.organisation_id)


@login_required
@require_POST
def entry_verify(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.activity_entry_get_for(request.user, pk)
    if entry is None or not selectors.can_verify(request.user, entry):
        raise Http404
    try:
        services.activity_entry_verify(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Verified. The hours now count for the author."))
    return _queue_redirect(entry)


@login_required
@require_POST
def entry_decline(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.activity_entry_get_for(request.user, pk)
    if entry is None or not selectors.can_verify(request.user, entry):
        raise Http404
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason, so that the author can correct the entry."))
        return _queue_redirect(entry)
    try:
        services.activity_entry_decline(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Declined. The author can see your reason and correct the entry."))
    return _queue_redirect(entry)


@login_required
@require_POST
def week_verify(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    try:
        week_start = datetime.date.fromisoformat(request.POST.get("week_start", ""))
    except ValueError:
        messages.error(request, _("Choose the week."))
        return redirect("activity:queue", pk=pk)
    count = services.activity_week_verify(actor=request.user, organisation=organisation, week_start=week_start)
    messages.success(request, _("%(n)s entries verified. Their hours now count for the authors.") % {"n": count})
    return redirect("activity:queue", pk=pk)


@login_required
def organisation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    organisation = _organisation_or_404(request, pk)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    since, until = _period(request)
    qs = selectors.activity_entry_list_for_organisation(organisation).filter(date__gte=since, date__lte=until)
    return spreadsheets.respond(fmt, f"activity-{organisation.pk}", export.entry_header(True),
                          export.entry_rows(qs, with_author=True))


def _require_coordinator(user) -> None:
    if not selectors.region_report_allowed(user):
        raise PermissionDenied(_("This page is for regional coordinators."))


@login_required
def region(request: HttpRequest) -> HttpResponse:
    """Counts only, from the rollups; any cell under 5 shows as "<5"."""
    _require_coordinator(request.user)
    since, until = _period(request)
    return render(request, "collaboration/activity/region.html", {
        "report": selectors.region_report_for(request.user, since, until), "since": since, "until": until,
        "query": f"since={since.isoformat()}&until={until.isoformat()}",
    })


@login_required
def region_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_coordinator(request.user)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    since, until = _period(request)
    header, rows = export.region_rows(selectors.region_report_for(request.user, since, until))
    return spreadsheets.respond(fmt, "activity-region", header, rows)


@login_required
def staff_index(request: HttpRequest) -> HttpResponse:
    """Where a manager, named supervisor or coordinator starts."""
    organisations = list(selectors.activity_organisation_list_for(request.user)[:200])
    is_coordinator = user_is_admin(request.user) or prefecture_list_coordinated_by(request.user).exists()
    if not organisations and not is_coordinator:
        raise PermissionDenied(_("This page is for managers, supervisors and coordinators."))
    return render(request, "collaboration/activity/staff_index.html", {
        "organisations": organisations, "is_coordinator": is_coordinator,
        "region_url": reverse("activity:region"), "status": EntryStatus,
    })
