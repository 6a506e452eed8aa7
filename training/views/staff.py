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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peers.models import User
from peers.views import staff_required
from peers.views._helpers import add_service_errors

from ..forms import (
    APPLICATION_ACTIONS,
    BodySettingsForm,
    CECategoryForm,
    CohortDayForm,
    CohortForm,
    CourseForm,
    CredentialTypeForm,
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
from ..models import Application, Certification, ContinuingEducation, Instructor
from ..selectors import (
    accommodation_requests_read,
    application_get_for,
    attendance_map,
    ce_record_list_for,
    certification_get_for_staff,
    certification_history_for_staff,
    certification_list_for_staff,
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
    training_body_list_for,
    yearly_table,
)
from ..services import (
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
    renewal_request_decline,
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
    return render(request, "training/staff/body.html", {"body": body})


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
    categories = list(body.ce_categories.all())
    try:
        if action == "numbering" and numbering.is_valid():
            training_body_settings_update(body=body, actor=request.user, **numbering.cleaned_data)
            messages.success(request, _("The numbering has been saved."))
            return redirect("training:staff_body_settings", body_id=body.pk)
        if action == "category" and category_form.is_valid():
            category = None
            if request.POST.get("category"):
                category = next((c for c in categories if str(c.pk) == request.POST["category"]), None)
                if category is None:
                    raise Http404
            ce_category_save(body=body, actor=request.user, category=category, **category_form.cleaned_data)
            messages.success(request, _("The category has been saved."))
            return redirect("training:staff_body_settings", body_id=body.pk)
    except ValidationError as error:
        add_service_errors(numbering if action == "numbering" else category_form, error)
    return render(request, "training/staff/body_settings.html", {
        "body": body, "numbering": numbering, "category_form": category_form, "categories": categories,
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
            messages.success(request, _("The course has been saved."))
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
            messages.success(request, _("The credential type has been saved."))
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
            messages.success(request, _("The cohort has been saved."))
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
                return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)
        elif instructor_form.is_bound and instructor_form.is_valid():
            instructor = Instructor(cohort=cohort, **instructor_form.cleaned_data)
            instructor.full_clean()
            instructor.save()
            return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)
    applications = list(
        Application.objects.filter(cohort=cohort).select_related(
            "applicant", "organisation", "pair__applicant", "accommodation_consent", "cohort__course")
    )
    shown = accommodation_requests_read(viewer=request.user, applications=applications,
                                        context=cohort.name)
    days = list(cohort.days.all())
    marks = attendance_map(cohort)
    for application in applications:
        application.marks = [marks.get((day.pk, application.pk)) for day in days]
        application.accommodation_shown = shown.get(application.pk, "")
    return render(request, "training/staff/cohort_detail.html", {
        "body": body, "cohort": cohort, "applications": applications, "days": days,
        "actions": APPLICATION_ACTIONS, "day_form": day_form, "instructor_form": instructor_form,
    })


@body_view
@require_POST
def application_action(request, body, pk):
    application = application_get_for(request.user, pk)
    _in_body(application.cohort.course.body_id, body)
    try:
        application_transition(application=application, to_state=request.POST.get("to", ""),
                               actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s: the application has been updated.") % {"name": application.applicant.display_name})
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
            messages.success(request, _("Attendance has been saved."))
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
        messages.success(request, _("%(count)s people completed the course.") % {"count": len(issued)})
    return redirect("training:staff_cohort", body_id=body.pk, pk=cohort.pk)


# ---------------------------------------------------------------- completions and certifications
@body_view
def completion_list(request, body):
    completions = completion_list_for(request.user).filter(body=body).order_by("-completed_on", "-id")
    return render(request, "training/staff/completion_list.html", {"body": body, "page": _page(request, completions)})


@body_view
def certification_list(request, body):
    certifications = certification_list_for_staff(request.user).filter(body=body).order_by("-year", "-sequence")
    status = request.GET.get("status", "")
    if status in Certification.Status.values:
        certifications = certifications.filter(status=status)
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
                messages.success(request, _("Certified: %(number)s") % {"number": certification.number})
                return redirect("training:staff_certification", body_id=body.pk, pk=certification.pk)
    return render(request, "training/staff/certification_list.html", {
        "body": body, "page": _page(request, certifications), "status": status,
        "statuses": Certification.Status.choices, "form": form,
    })


CERTIFICATION_ACTIONS = {
    "suspend": certification_suspend,
    "reinstate": certification_reinstate,
    "revoke": certification_revoke,
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
                messages.success(request, _("Certified again: %(number)s") % {"number": target.number})
            else:
                messages.success(request, _("The certification has been updated."))
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
    if request.method == "POST":
        if request.POST.get("record"):
            record = ce_record_list_for(request.user).filter(body=body, pk=request.POST["record"]).first()
            if record is None:
                raise Http404
            ce_review(record=record, actor=request.user, accepted=request.POST.get("accepted") == "1")
            return redirect(request.get_full_path())
        if form.is_valid():
            picked = ce_sample(body=body, actor=request.user, size=form.cleaned_data["size"])
            messages.success(request, _("%(count)s records were picked for evidence review.") % {"count": len(picked)})
            return redirect(f"{request.path}?review=sampled")
    return render(request, "training/staff/ce_list.html", {
        "body": body, "page": _page(request, records.order_by("-date", "-id")), "form": form, "review": review,
        "reviews": ContinuingEducation.Review.choices,
    })


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
            messages.success(request, _("The register has been imported: %(count)s rows.") % {"count": result.rows})
            return redirect("training:staff_certifications", body_id=body.pk)
    return render(request, "training/staff/import.html", {"body": body, "form": form, "result": result},
                  status=400 if result is not None and not result.ok else 200)
