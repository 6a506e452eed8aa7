"""Staff pages of a training body (/staff/training/…). MFA is enforced for /staff/ by
peers' middleware; which body and which records a person may touch is decided by selectors:
anything outside their bodies is a 404."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from peers import spreadsheets as exports
from peers.form_errors import add_service_errors
from peers.models import User
from peers.views import staff_required

from ..forms import (
    APPLICATION_ACTIONS,
    BULK_ACTIONS,
    CONFIRM_STATES,
    PAIR_ACTIONS,
    BodySettingsForm,
    CECategoryForm,
    CertificationBulkForm,
    CertificationSearchForm,
    CohortDayForm,
    CohortForm,
    CourseForm,
    CredentialTypeForm,
    EvidenceDaysForm,
    EvidenceReviewForm,
    ImportForm,
    InstructorForm,
    IssueCertificationForm,
    ModuleForm,
    ReasonForm,
    RecertifyForm,
    RenewOverrideForm,
    SampleForm,
)
from ..imports import register_import
from ..models import Application, ContinuingEducation
from ..selectors import (
    accommodation_requests_read,
    application_get_for,
    application_groups,
    application_list_for,
    attendance_map,
    ce_record_get_for_staff,
    ce_record_list_for,
    certification_export_rows,
    certification_get_for_staff,
    certification_history_for_staff,
    certification_list_for_staff,
    certification_search_for_staff,
    cohort_get_for,
    cohort_list_for,
    completion_list_for,
    course_get_for,
    course_list_for,
    credential_type_list_for,
    register_report,
    reminder_log_for_staff,
    renewal_progress,
    renewal_request_open_for_staff,
    renewal_request_queue_for,
    training_body_get_for,
    training_body_home_counts,
    training_body_list_for,
    yearly_table,
)
from ..services import (
    PAIR_TRANSITIONS,
    application_actions,
    application_transition,
    attendance_record,
    ce_category_save,
    ce_review,
    ce_sample,
    certification_issue,
    certification_recertify,
    certification_reinstate,
    certification_renew,
    certification_revoke,
    certification_suspend,
    cohort_complete,
    cohort_day_add,
    cohort_save,
    course_module_add,
    course_save,
    credential_type_save,
    instructor_add,
    reminder_manual_plan,
    reminder_manual_send,
    renewal_request_decline,
    training_body_evidence_days_update,
    training_body_settings_update,
)

PAGE_SIZE = 50


def body_view(view):
    """A staff page of one body: the body comes from the address, scoped to the person."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, body_id: int, *args, **kwargs):
        body = training_body_get_for(request.user, body_id)
        return view(request, body, *args, **kwargs)

    return wrapper


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _in_body(obj_body_id: int, body) -> None:
    if obj_body_id != body.pk:
        raise Http404


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    bodies = list(training_body_list_for(request.user))
    if len(bodies) == 1:
        return redirect("training:staff_body", body_id=bodies[0].pk)
    if not bodies:
        raise Http404
    return render(request, "training/staff/home.html", {"bodies": bodies})


@body_view
def body_home(request, body):
    """The body's home: what is waiting, each count linked to where it is worked through."""
    counts = [
        (item, reverse(item.url_name, kwargs={"body_id": body.pk}) + (f"?{item.query}" if item.query else ""))
        for item in training_body_home_counts(request.user, body=body)
    ]
    return render(request, "training/staff/body.html", {"body": body, "counts": counts})


@body_view
def body_settings(request, body):
    """Certificate numbering and continuing-education categories of the body."""
    action = request.POST.get("form") if request.method == "POST" else None
    numbering = BodySettingsForm(
        request.POST if action == "numbering" else None,
        initial={"number_prefix": body.number_prefix, "sequence_digits": body.sequence_digits,
                 "recertification_keeps_number": body.recertification_keeps_number},
    )
    category_form = CECategoryForm(request.POST if action == "category" else None, prefix="category")
    evidence_days = EvidenceDaysForm(request.POST if action == "evidence" else None,
                                     initial={"evidence_due_days": body.evidence_due_days}, prefix="evidence")
    categories = list(body.ce_categories.all())
    try:
        if action == "evidence" and evidence_days.is_valid():
            training_body_evidence_days_update(body=body, actor=request.user, **evidence_days.cleaned_data)
            messages.success(request, _("The time to send evidence has been saved. New evidence requests use it from now on."))
            return redirect("training:staff_body_settings", body_id=body.pk)
        if action == "numbering" and numbering.is_valid():
            training_body_settings_update(body=body, actor=request.user, **numbering.cleaned_data)
            messages.success(request, _("The numbering has been saved. The next certificate numbers follow it."))
            return redirect("training:staff_body_settings", body_id=body.pk)
        if action == "category" and category_form.is_valid():
            category = None
            if request.POST.get("category"):
                category = next((c for c in categories if str(c.pk) == request.POST["category"]), None)
                if category is None:
                    raise Http404
            ce_category_save(body=body, actor=request.user, category=category, **category_form.cleaned_data)
            messages.success(request, _("The category has been saved. It is used from now on."))
            return redirect("training:staff_body_settings", body_id=body.pk)
    except ValidationError as error:
        add_service_errors({"numbering": numbering, "evidence": evidence_days}.get(action, category_form), error)
    return render(request, "training/staff/body_settings.html", {
        "body": body, "numbering": numbering, "category_form": category_form, "categories": categories,
        "evidence_days": evidence_days,
        "has_certificates": body.certifications.exists(),
    })


# ---------------------------------------------------------------- courses
@body_view
def course_list(request, body):
    courses = course_list_for(request.user).filter(body=body)
    return render(request, "training/staff/course_list.html", {"body": body, "courses": courses,
                                                               "credential_types": credential_type_list_for(request.user).filter(body=body)})


@body_view
def course_edit(request, body, pk=None):
    course = course_get_for(request.user, pk) if pk else None
    if course is not None:
        _in_body(course.body_id, body)
    module_form = ModuleForm(request.POST if request.POST.get("form") == "module" else None, prefix="module")
    if course is not None and module_form.is_bound:
        if module_form.is_valid():
            course_module_add(course=course, actor=request.user, **module_form.cleaned_data)
            messages.success(request, _("The module has been added. It is part of the course from now on."))
            return redirect("training:staff_course_edit", body_id=body.pk, pk=course.pk)
    form = CourseForm(request.POST if request.method == "POST" and not module_form.is_bound else None,
                      instance=course, body=body)
    if form.is_bound and form.is_valid():
        try:
            course = form.save(commit=False)
            course_save(course=course, actor=request.user, prerequisites=form.cleaned_data["prerequisites"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course has been saved. You can add cohorts of it now."))
            return redirect("training:staff_courses", body_id=body.pk)
    return render(request, "training/staff/course_form.html", {
        "body": body, "form": form, "course": course, "module_form": module_form,
    })


@body_view
def credential_type_edit(request, body, pk=None):
    ctype = credential_type_list_for(request.user).filter(body=body, pk=pk).first() if pk else None
    if pk and ctype is None:
        raise Http404
    form = CredentialTypeForm(request.POST or None, instance=ctype, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            credential_type_save(credential_type=form.save(commit=False), actor=request.user,
                                 reminder_offsets=form.cleaned_data["reminder_days"], floors=form.cleaned_data["floors"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The credential type has been saved. Certifications issued from now on use it."))
            return redirect("training:staff_courses", body_id=body.pk)
    return render(request, "training/staff/form.html", {"body": body, "form": form, "title": _("Credential type")})


# ---------------------------------------------------------------- cohorts and applications
@body_view
def cohort_list(request, body):
    cohorts = cohort_list_for(request.user).filter(course__body=body).order_by("-year", "-applications_open", "id")
    return render(request, "training/staff/cohort_list.html", {"body": body, "page": _page(request, cohorts)})


@body_view
def cohort_edit(request, body, pk=None):
    cohort = cohort_get_for(request.user, pk) if pk else None
    if cohort is not None:
        _in_body(cohort.course.body_id, body)
    form = CohortForm(request.POST or None, instance=cohort, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = cohort_save(cohort=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cohort has been saved. Add its days and instructors on its page."))
            return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)
    return render(request, "training/staff/form.html", {"body": body, "form": form, "title": _("Cohort")})


@body_view
def cohort_detail(request, body, pk):
    cohort = cohort_get_for(request.user, pk)
    _in_body(cohort.course.body_id, body)
    day_form = CohortDayForm(request.POST if request.POST.get("form") == "day" else None, prefix="day")
    instructor_form = InstructorForm(request.POST if request.POST.get("form") == "instructor" else None, prefix="ins")
    if request.method == "POST":
        if day_form.is_bound and day_form.is_valid():
            try:
                cohort_day_add(cohort=cohort, actor=request.user, **day_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(day_form, error)
            else:
                messages.success(request, _("The day has been added. You can take attendance for it on the day."))
                return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)
        elif instructor_form.is_bound and instructor_form.is_valid():
            instructor_add(cohort=cohort, actor=request.user, **instructor_form.cleaned_data)
            messages.success(request, _("The instructor has been added. They are shown with the cohort."))
            return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)
    applications = list(application_list_for(request.user).filter(cohort=cohort).select_related("cohort__course"))
    shown = accommodation_requests_read(viewer=request.user, applications=applications,
                                        context=cohort.name)
    days = list(cohort.days.all())
    marks = attendance_map(cohort)
    for application in applications:
        application.marks = [(day, marks.get((day.pk, application.pk))) for day in days]
        application.accommodation_shown = shown.get(application.pk, "")
        valid = application_actions(application)
        # A pair is selected, wait-listed or declined together: those actions sit on the pair.
        application.own_actions = [(s, APPLICATION_ACTIONS[s]) for s in valid if s in APPLICATION_ACTIONS
                                   and not (application.pair_id and s in PAIR_TRANSITIONS)]
    groups = application_groups(applications)
    for group in groups:
        if len(group) == 2:
            common = [s for s in application_actions(group[0]) if s in application_actions(group[1])]
            group_actions = [(s, PAIR_ACTIONS[s]) for s in common if s in PAIR_TRANSITIONS]
        else:
            group_actions = []
        group[0].pair_actions = group_actions
    return render(request, "training/staff/cohort_detail.html", {
        "body": body, "cohort": cohort, "groups": groups, "days": days,
        "day_form": day_form, "instructor_form": instructor_form,
        "columns": 5 + len(days),
    })


@body_view
def application_action(request, body, pk):
    """Move an application (a pair: both) on. Declining and withdrawing ask to confirm first."""
    application = application_get_for(request.user, pk)
    _in_body(application.cohort.course.body_id, body)
    if request.method != "POST":
        return redirect("training:staff_cohort", body_id=body.pk, pk=application.cohort_id)
    to_state = request.POST.get("to", "")
    together = [application] + ([application.pair] if application.pair_id and to_state in PAIR_TRANSITIONS else [])
    if to_state in CONFIRM_STATES and request.POST.get("confirm") != "1":
        label = (PAIR_ACTIONS if len(together) == 2 else APPLICATION_ACTIONS).get(to_state, to_state)
        return render(request, "training/staff/application_confirm.html", {
            "body": body, "application": application, "together": together, "to": to_state, "label": label,
        })
    try:
        application_transition(application=application, to_state=to_state,
                               actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        names = "・".join(a.person_name for a in together)
        messages.success(request, _("%(name)s: the application has been updated. The applicant sees the new status on their training page.") % {"name": names})
    return redirect("training:staff_cohort", body_id=body.pk, pk=application.cohort_id)


@body_view
def attendance(request, body, pk, day_id):
    cohort = cohort_get_for(request.user, pk)
    _in_body(cohort.course.body_id, body)
    day = cohort.days.filter(pk=day_id).first()
    if day is None:
        raise Http404
    enrolled = list(Application.objects.filter(cohort=cohort, state__in=["enrolled", "completed"]).select_related("applicant"))
    if request.method == "POST":
        present = {a.pk: request.POST.get(f"present-{a.pk}") == "1" for a in enrolled if a.state == "enrolled"}
        try:
            attendance_record(day=day, present=present, actor=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, _("Attendance has been saved. You can change it on this page if needed."))
            return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)
    else:
        refusal = ""
    marks = attendance_map(cohort)
    rows = [(a, marks.get((day.pk, a.pk))) for a in enrolled]
    context = {"body": body, "cohort": cohort, "day": day, "rows": rows, "refusal": refusal,
               "day_to_come": day.date > timezone.localdate()}
    return render(request, "training/staff/attendance.html", context, status=400 if refusal else 200)


@body_view
@require_POST
def cohort_finish(request, body, pk):
    cohort = cohort_get_for(request.user, pk)
    _in_body(cohort.course.body_id, body)
    try:
        issued = cohort_complete(cohort=cohort, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s people completed the course. Their completions are in the list of completions.") % {"count": len(issued)})
    return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)


# ---------------------------------------------------------------- completions and certifications
@body_view
def completion_list(request, body):
    completions = completion_list_for(request.user).filter(body=body).order_by("-completed_on", "-id")
    return render(request, "training/staff/completion_list.html", {"body": body, "page": _page(request, completions)})


def _register_search(request, body, data=None):
    """The search form of the register (from the query string, or the bulk form's copy of
    it) and the certifications it matches, scoped to the person's bodies."""
    search = CertificationSearchForm(data if data is not None else request.GET)
    filters = search.filters()
    return search, filters, certification_search_for_staff(request.user, body=body, **filters)


@body_view
def certification_list(request, body):
    search, filters, certifications = _register_search(request, body)
    form = IssueCertificationForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        holder = User.objects.filter(email__iexact=form.cleaned_data["holder_email"]).first()
        if holder is None:
            form.add_error("holder_email", _("No one with this email address has an account."))
        else:
            try:
                certification = certification_issue(credential_type=form.cleaned_data["credential_type"],
                                                    holder=holder, actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Certified: %(number)s. The holder can download the certificate from their training page.") % {"number": certification.number})
                return redirect("training:staff_certification", body_id=body.pk, pk=certification.pk)
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "training/staff/certification_list.html", {
        "body": body, "page": _page(request, certifications), "search": search, "filters": filters,
        "query": query, "form": form, "bulk_actions": BULK_ACTIONS,
    })


@body_view
def certification_export(request, body, fmt):
    """The register as CSV or Excel: what the search and filters match, in the person's bodies."""
    if fmt not in exports.FORMATS:
        raise Http404
    _search, _filters, certifications = _register_search(request, body)
    header, rows = certification_export_rows(certifications)
    return exports.respond(fmt, f"certifications-{body.pk}", header, rows)


@body_view
@require_POST
def certification_bulk(request, body):
    """What to do with the rows ticked in the register (or all matching its filter): send a
    renewal reminder (after a confirm step saying to how many people) or export them."""
    back = reverse("training:staff_certifications", kwargs={"body_id": body.pk})
    form = CertificationBulkForm(request.POST)
    # The filter travels with the selection (prefixed), so "all matching" means what was shown.
    _search, filters, matching = _register_search(
        request, body, {k[len("filter-"):]: v for k, v in request.POST.items() if k.startswith("filter-")})
    query = urlencode({k: v for k, v in filters.items() if v})
    if query:
        back += f"?{query}"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    if data["all_matching"]:
        selected = matching
    else:
        selected = certification_list_for_staff(request.user).filter(body=body, pk__in=data["selected"])
        if selected.count() != len(data["selected"]):
            raise Http404  # a row of another body, or one that does not exist
        selected = selected.order_by("-year", "-sequence", "-id")
    action = data["action"]
    if action in ("export_csv", "export_xlsx"):
        header, rows = certification_export_rows(selected)
        return exports.respond(action.removeprefix("export_"), f"certifications-{body.pk}", header, rows)
    if not data["confirm"]:
        plan = reminder_manual_plan(certifications=selected)
        return render(request, "training/staff/certification_remind_confirm.html", {
            "body": body, "plan": plan, "form": form, "filters": filters, "back": back,
            "selected_ids": data["selected"], "all_matching": data["all_matching"],
        })
    try:
        plan = reminder_manual_send(certifications=selected, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if plan.to_send:
        messages.success(request, ngettext(
            "A renewal reminder has been sent to %(people)s person (%(count)s certifications). "
            "They can ask for renewal from their training page.",
            "A renewal reminder has been sent to %(people)s people (%(count)s certifications). "
            "They can ask for renewal from their training page.",
            plan.people) % {"people": plan.people, "count": len(plan.to_send)})
    else:
        messages.success(request, _("No reminder was needed: none of the selected can be reminded today."))
    skipped = plan.not_renewable + plan.reminded_today
    if skipped:
        messages.info(request, _("%(count)s of the selected were skipped (no expiry date, lapsed, suspended or "
                                 "revoked, or already reminded today). Nothing was sent for them.") % {"count": skipped})
    return redirect(back)


CERTIFICATION_ACTIONS = {
    "suspend": certification_suspend,
    "reinstate": certification_reinstate,
    "revoke": certification_revoke,
}
# What each action of the certification page says once done.
CERTIFICATION_DONE = {
    "renew": gettext_lazy("The certification has been renewed. The new expiry date shows here and on the holder's training page."),
    "renew_override": gettext_lazy("The certification has been renewed by exception. The reason is kept in its history."),
    "decline_request": gettext_lazy("The renewal request has been declined; the holder has been told why."),
    "suspend": gettext_lazy("The certification has been suspended. It is not valid until it is reinstated."),
    "reinstate": gettext_lazy("The certification has been reinstated. It is valid again."),
    "revoke": gettext_lazy("The certification has been revoked. It is no longer valid; the reason is kept in its history."),
}


@body_view
def certification_detail(request, body, pk):
    """One certification: its progress toward renewal, the status actions (renew, renew by
    exception, certify again after a lapse, suspend, reinstate, revoke, decline a renewal
    request), its history and its reminder log."""
    certification = certification_get_for_staff(request.user, pk)
    _in_body(certification.body_id, body)
    action = request.POST.get("action") if request.method == "POST" else None
    form = ReasonForm(request.POST if action in CERTIFICATION_ACTIONS or action == "decline_request" else None)
    override_form = RenewOverrideForm(request.POST if action == "renew_override" else None, prefix="override")
    recertify_form = RecertifyForm(request.POST if action == "recertify" else None, prefix="recertify")
    open_request = renewal_request_open_for_staff(request.user, certification)
    if action:
        target = certification
        try:
            if action == "renew":
                certification_renew(certification=certification, actor=request.user)
            elif action == "renew_override":
                if not override_form.is_valid():
                    raise ValidationError(_("Choose the reason for the exception and explain it."))
                certification_renew(certification=certification, actor=request.user, override=True,
                                    **override_form.cleaned_data)
            elif action == "recertify":
                if not recertify_form.is_valid():
                    raise ValidationError(_("Tick the box to confirm."))
                target = certification_recertify(certification=certification, actor=request.user)
            elif action == "decline_request" and open_request is not None and form.is_valid():
                renewal_request_decline(renewal_request=open_request, actor=request.user,
                                        reason=form.cleaned_data["reason"])
            elif action in CERTIFICATION_ACTIONS and form.is_valid():
                CERTIFICATION_ACTIONS[action](certification=certification, actor=request.user,
                                              reason=form.cleaned_data["reason"])
            else:
                raise ValidationError(_("Give a reason; it is kept in the history."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            for bound in (override_form, recertify_form, form):
                if bound.is_bound:
                    add_service_errors(bound, error)
        else:
            if target is not certification:
                messages.success(request, _("Certified again: %(number)s. The holder can download the new certificate from their training page.") % {"number": target.number})
            else:
                messages.success(request, CERTIFICATION_DONE[action])
            return redirect("training:staff_certification", body_id=body.pk, pk=target.pk)
    # The holder's continuing education with this body in the current cycle, with evidence.
    ce_records = (
        ce_record_list_for(request.user)
        .filter(body=body, person=certification.holder_id, date__gte=certification.cycle_started_on)
        .select_related("category").order_by("-date", "-id")
    )
    return render(request, "training/staff/certification_detail.html", {
        "body": body, "certification": certification,
        "history": certification_history_for_staff(request.user, certification),
        "reminders": reminder_log_for_staff(request.user, certification),
        "progress": renewal_progress(certification), "form": form, "ce_records": ce_records,
        "override_form": override_form, "recertify_form": recertify_form, "open_request": open_request,
    }, status=400 if action else 200)


@body_view
def renewal_requests(request, body):
    """The queue of renewal requests holders sent from their training page, oldest first."""
    return render(request, "training/staff/renewal_requests.html", {
        "body": body, "queue": renewal_request_queue_for(request.user, body=body),
    })


# ---------------------------------------------------------------- continuing education
@body_view
def ce_list(request, body):
    records = ce_record_list_for(request.user).filter(body=body)
    review = request.GET.get("review", "")
    if review in ContinuingEducation.Review.values:
        records = records.filter(review=review)
    form = SampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        picked = ce_sample(body=body, actor=request.user, size=form.cleaned_data["size"])
        messages.success(request, _("%(count)s records were picked for evidence review. Each person has been "
                                    "emailed what to upload and by when.") % {"count": len(picked)})
        return redirect(f"{request.path}?review=sampled")
    return render(request, "training/staff/ce_list.html", {
        "body": body, "page": _page(request, records.order_by("-date", "-id")), "form": form, "review": review,
        "reviews": ContinuingEducation.Review.choices,
    })


@body_view
def ce_review_page(request, body, pk):
    """One record: its evidence, and accepting or rejecting it (a rejection needs a reason)."""
    record = ce_record_get_for_staff(request.user, body=body, pk=pk)
    form = EvidenceReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = request.POST.get("decision") == "accept"
        if not accepted and request.POST.get("decision") != "reject":
            form.add_error(None, _("Choose to accept or to reject."))
        else:
            try:
                ce_review(record=record, actor=request.user, accepted=accepted, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The evidence has been accepted. The hours now count for the person.") if accepted else
                                 _("The evidence has been rejected; the person has been told why."))
                return redirect(f"{reverse('training:staff_ce', args=[body.pk])}?review=submitted")
    return render(request, "training/staff/ce_review.html", {"body": body, "record": record, "form": form},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------- reports and import
@body_view
def report_register(request, body):
    return render(request, "training/staff/report_register.html", {"body": body, "rows": register_report(request.user, body=body)})


@body_view
def report_yearly(request, body):
    return render(request, "training/staff/report_yearly.html", {"body": body, "rows": yearly_table(request.user, body=body)})


@body_view
def register_upload(request, body):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = register_import(body=body, actor=request.user, filename=upload.name, content=upload.read(),
                                 dry_run=form.cleaned_data["dry_run"])
        if result.ok and not result.dry_run:
            messages.success(request, _("The register has been imported: %(count)s rows. The completions and certifications are in their lists now.") % {"count": result.rows})
            return redirect("training:staff_certifications", body_id=body.pk)
    return render(request, "training/staff/import.html", {"body": body, "form": form, "result": result},
                  status=400 if result is not None and not result.ok else 200)
