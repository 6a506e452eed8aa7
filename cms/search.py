"""The site's one search: what a person may see, found by the words of Japanese and English text.

Text is indexed by its morphemes (peers.japanese: fugashi + unidic-lite): each word gives its
surface, its lemma and its reading in hiragana, so that 退院後 finds 退院, 医療と福祉 finds a
text with both words, and たいいん or タイイン find 退院 through the reading. English words are
indexed lower-cased with a simple stem (supporting → support). A query is the words of what was
typed, every one required; each word matches any of its forms.

Storage is one table, cms.SearchEntry, kept current by signals (cms.apps) and rebuilt by
`manage.py rebuild_search_index`. On PostgreSQL the tokens become a generated `tsvector` with a
GIN index and a query is a `tsquery` of quoted lexemes (no parser in between); elsewhere the
token text is matched word by word.

Access is decided by the apps' selectors, as their pages decide it (`search_entry_list_for`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from peers.japanese import normalise, to_hiragana, tokens

from .models import SearchEntry

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12
MAX_TEXT_SHOWN = 1500  # characters of a record kept for the result's excerpt
MAX_TOKENS = 20_000  # distinct words kept per record (a tsvector holds at most 1 MB)
EXCERPT_CHARS = 160

Kind = SearchEntry.Kind

# Parts of speech that carry no meaning of their own: particles, auxiliaries, punctuation.
_FUNCTION_WORDS = {"助詞", "助動詞", "補助記号", "空白"}
# A query also leaves out affixes: 退院後 asks for 退院 (後 is a suffix), 当事者 for 当事.
_AFFIXES = {"接尾辞", "接頭辞"}
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")
_NOT_IN_A_TOKEN = re.compile(r"[\s'\\\x00-\x1f\x7f]")
_WORD_CHARACTER = re.compile(r"\w")


# --- Words ----------------------------------------------------------------------------------


def stem(word: str) -> str:
    """A small English stemmer (lower-case ASCII in, a stem out): plurals, -ing, -ed, -er.
    Enough for "supporters", "supporting" and "support" to meet; not Porter's."""
    for suffix, keep, replacement in (("ies", 5, "y"), ("sses", 5, "ss"), ("ing", 6, ""), ("ed", 5, ""),
                                      ("s", 4, ""), ("er", 8, "")):
        if word.endswith(suffix) and len(word) >= keep and not (suffix == "s" and word.endswith(("ss", "us"))):
            word = word[: -len(suffix)] + replacement
    return word


def _clean(term: str) -> str:
    return _NOT_IN_A_TOKEN.sub("", term)[:60]


def _forms(token, *, with_reading: bool = True) -> set[str]:
    """The forms of one morpheme a search may meet it by."""
    surface = normalise(token.surface).lower()
    if surface.isascii():
        return {surface, stem(surface)} if _WORD_CHARACTER.search(surface) else set()
    forms = {surface, normalise(token.lemma).lower()}
    if with_reading and token.reading:
        forms.add(token.reading)
    return forms


def index_terms(text: str) -> list[str]:
    """The words a record's text is found by, each once, in order of appearance."""
    seen: dict[str, None] = {}
    words = [t for t in tokens(text) if t.pos1 not in _FUNCTION_WORDS]
    for i, token in enumerate(words):
        for form in _forms(token):
            seen.setdefault(_clean(form), None)
        following = words[i + 1] if i + 1 < len(words) else None
        if following is not None and following.pos1 == "接尾辞" and following.start == token.end:
            # A word with its suffix, as a whole: 当事者 and とうじしゃ, 退院後 and たいいんご.
            seen.setdefault(_clean(normalise(token.surface + following.surface).lower()), None)
            if token.reading and following.reading:
                seen.setdefault(_clean(token.reading + following.reading), None)
        if len(seen) >= MAX_TOKENS:
            break
    seen.pop("", None)
    return list(seen)


@dataclass(frozen=True)
class Query:
    """What was typed, as a tree: every item of `words` is required; a word is a set of forms
    (any one matches), or, for a word written in kana, its whole reading or its parts."""

    words: tuple[tuple, ...]  # each: ("any", frozenset[str]) | ("or", [node, ...]) | ("all", [node, ...])

    @property
    def terms(self) -> set[str]:
        found: set[str] = set()

        def walk(node):
            if node[0] == "any":
                found.update(node[1])
            else:
                for child in node[1]:
                    walk(child)

        for word in self.words:
            walk(word)
        return found


def parse_query(text: str) -> Query | None:
    """The search for `text` (already checked for length and control characters), or None when
    it holds no word to look for (only punctuation or particles)."""
    words = []
    for chunk in normalise(text).lower().split()[:MAX_QUERY_WORDS]:
        analysed = [t for t in tokens(chunk) if t.pos1 not in _FUNCTION_WORDS]
        meaningful = [t for t in analysed if t.pos1 not in _AFFIXES] or analysed
        parts = []
        for token in meaningful:
            reading = bool(token.reading) and len(token.reading) >= 2
            forms = {_clean(f) for f in _forms(token, with_reading=reading)} - {""}
            if token.surface.isascii() and forms:
                forms = {stem(normalise(token.surface).lower())}
            if forms:
                parts.append(("any", frozenset(forms)))
        node = ("all", parts) if parts else None
        if _KANA.fullmatch(chunk):
            # Written in kana: the whole word's reading finds the kanji spelling (たいいん → 退院).
            whole = ("any", frozenset({to_hiragana(chunk), chunk}))
            node = ("or", [whole, node]) if node else whole
        elif node is not None and len(parts) > 1 and not chunk.isascii():
            node = ("or", [("any", frozenset({_clean(chunk)})), node])
        if node is not None:
            words.append(node)
    return Query(words=tuple(words)) if words else None


# --- Matching in the database -----------------------------------------------------------------


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery(node) -> str:
    kind, content = node
    if kind == "any":
        inner = " | ".join(_lexeme(t) for t in sorted(content))
        return f"({inner})"
    joiner = " | " if kind == "or" else " & "
    return "(" + joiner.join(_tsquery(child) for child in content) + ")"


def _like_q(node) -> Q:
    kind, content = node
    if kind == "any":
        q = Q(pk__in=[])
        for term in content:
            q |= Q(padded_tokens__contains=f" {term} ")
        return q
    q = Q() if kind == "all" else Q(pk__in=[])
    for child in content:
        q = (q & _like_q(child)) if kind == "all" else (q | _like_q(child))
    return q


def matching(qs: QuerySet[SearchEntry], query: Query, *, scopes: list[str] | None = None) -> QuerySet[SearchEntry]:
    """Entries of `qs` holding every word of `query` (and, on PostgreSQL, one of `scopes`)."""
    if connection.vendor == "postgresql":
        tsquery = " & ".join(_tsquery(word) for word in query.words)
        if scopes:
            tsquery = f"({tsquery}) & ({' | '.join(_lexeme(s) for s in scopes)})"
        return qs.filter(RawSQL(f'"{SearchEntry._meta.db_table}"."vector" @@ %s::tsquery', [tsquery],
                                output_field=BooleanField()))
    q = Q()
    for word in query.words:
        q &= _like_q(word)
    return qs.alias(padded_tokens=Concat(Value(" "), "tokens", Value(" "), output_field=TextField())).filter(q)


# --- Who may see what ---------------------------------------------------------------------------


def search_entry_list_for(user, *, language: str) -> QuerySet[SearchEntry]:
    """Entries this person may see, by the rules of the pages that show them: live public
    website pages in `language`; published minutes and published materials (anyone); the agenda,
    materials and room messages of meetings `meeting_list_for` gives them; their own activity
    entries; for staff after two-step sign-in, the people `person_list_for` gives a manager or
    administrator, every organisation, and the courses of `course_list_for`."""
    from wagtail.models import Page

    from collaboration.selectors import (
        material_list_public,
        meeting_list_for,
        minutes_list_published,
    )
    from peers.access import two_step_passed
    from peers.selectors import user_has_staff_role, user_may_manage_people
    from peers.selectors.workforce import person_list_for
    from training.selectors import course_list_for

    pages = Page.objects.live().public().filter(locale__language_code=language).values("pk")
    published = Q(parent_id__in=minutes_list_published().order_by().values("meeting_id"))
    q = Q(kind=Kind.PAGE, language=language, object_id__in=pages)
    q |= Q(kind=Kind.MINUTES) & published
    q |= Q(kind=Kind.MATERIAL, object_id__in=material_list_public().order_by().values("pk"))
    # Where a record belongs (a meeting's title) is said only to whom that meeting is shown: a
    # published material of a meeting they are not invited to, whose minutes are not public, is
    # found by its own title alone.
    meeting_shown = published
    if getattr(user, "is_authenticated", False) and user.is_active:
        meetings = meeting_list_for(user).order_by().values("pk")
        q |= Q(kind__in=[Kind.AGENDA, Kind.MATERIAL, Kind.MESSAGE], parent_id__in=meetings)
        meeting_shown |= Q(parent_id__in=meetings)
        q |= Q(kind=Kind.ACTIVITY, owner_id=user.pk)
        if user_may_manage_people(user):
            q |= Q(kind=Kind.PERSON, object_id__in=person_list_for(user).order_by().values("pk"))
        if user_has_staff_role(user) and two_step_passed(user):
            q |= Q(kind=Kind.ORGANISATION)
            q |= Q(kind=Kind.COURSE, object_id__in=course_list_for(user).order_by().values("pk"))
    return SearchEntry.objects.filter(q).annotate(shown_where=Case(
        When(Q(kind=Kind.MATERIAL) & ~meeting_shown, then=Value("")), default=F("where")))


MAX_MEETING_SCOPES = 200


def scopes_for(user, *, language: str) -> list[str]:
    """The `entry_scopes` of what this person might see (one query: their meetings' ids)."""
    from collaboration.selectors import meeting_list_for
    from peers.access import two_step_passed
    from peers.selectors import user_has_staff_role, user_is_admin, user_may_manage_people

    scopes = [f"@page:{language}", "@public"]
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return scopes
    ids = [] if user_is_admin(user) else list(
        meeting_list_for(user).order_by().values_list("pk", flat=True)[: MAX_MEETING_SCOPES + 1])
    if user_is_admin(user) or len(ids) > MAX_MEETING_SCOPES:
        scopes.append("@meeting")
    else:
        scopes += [f"@m:{pk}" for pk in ids]
    scopes.append(f"@u:{user.pk}")
    if user_may_manage_people(user):
        scopes.append(f"@{Kind.PERSON}")
    if user_has_staff_role(user) and two_step_passed(user):
        scopes += [f"@{Kind.ORGANISATION}", f"@{Kind.COURSE}"]
    return scopes


ORDERING = ["-updated_at", "-id"]


def search_for(user, query: Query, *, language: str) -> QuerySet[SearchEntry]:
    """What this person may see that holds every word of `query`, newest first."""
    return matching(search_entry_list_for(user, language=language), query,
                    scopes=scopes_for(user, language=language)).order_by(*ORDERING)


# --- Showing a result ---------------------------------------------------------------------------


def result_url(entry: SearchEntry) -> str:
    """Where the result is shown, in the language being read."""
    if entry.kind == Kind.PAGE:
        return entry.url
    if entry.kind == Kind.MINUTES:
        return reverse("collaboration:minutes_public", args=[entry.parent_id])
    if entry.kind == Kind.AGENDA:
        return reverse("collaboration:meeting_detail", args=[entry.parent_id]) + "#agenda-heading"
    if entry.kind == Kind.MATERIAL:
        if entry.is_public:
            return reverse("collaboration:material_public", args=[entry.object_id])
        return reverse("collaboration:meeting_detail", args=[entry.parent_id]) + "#materials-heading"
    if entry.kind == Kind.MESSAGE:
        return reverse("collaboration:meeting_room", args=[entry.parent_id]) + entry.url
    if entry.kind == Kind.ACTIVITY:
        return reverse("activity:entry_detail", args=[entry.object_id])
    if entry.kind == Kind.PERSON:
        return reverse("peers:person_detail", args=[entry.object_id])
    if entry.kind == Kind.ORGANISATION:
        return reverse("peers:organisation_detail", args=[entry.object_id])
    return reverse("training:staff_course_edit", args=[entry.parent_id, entry.object_id])


def highlighted(text: str, query: Query, *, limit: int = EXCERPT_CHARS) -> SafeString:
    """An excerpt of `text` around the first word that matches, every matching word in <mark>."""
    if not text:
        return mark_safe("")
    terms = query.terms
    words = tokens(text)
    marks = []
    for i, token in enumerate(words):
        if token.pos1 in _FUNCTION_WORDS or not _forms(token) & terms:
            continue
        end = token.end
        following = words[i + 1] if i + 1 < len(words) else None
        if following is not None and following.pos1 == "接尾辞" and following.start == end:
            end = following.end  # the word with its suffix: <mark>退院後</mark>
        if not marks or token.start >= marks[-1][1]:
            marks.append((token.start, end))
    first = marks[0][0] if marks else 0
    start = max(0, first - limit // 3)
    end = min(len(text), start + limit)
    out, cursor = [], start
    for a, b in marks:
        if a < start or b > end:
            continue
        out.append(escape(text[cursor:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    out.append(escape(text[cursor:end]))
    return mark_safe(("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else ""))


@dataclass
class Result:
    kind: str
    kind_label: str
    title: SafeString
    where: str
    excerpt: SafeString
    url: str
    updated_at: object
    flagged: bool


def results(entries, query: Query, *, language: str) -> list[Result]:
    """The entries as a person reads them: what, where, the matching words marked."""
    labels = dict(Kind.choices)
    shown = []
    for entry in entries:
        title = entry.title_en if language == "en" and entry.title_en else entry.title
        shown.append(Result(
            kind=entry.kind, kind_label=str(labels[entry.kind]),
            title=highlighted(title, query, limit=300) if title else mark_safe(""),
            where=getattr(entry, "shown_where", entry.where),
            # A message under a content note stays closed until opened in the room.
            excerpt=mark_safe("") if entry.flagged else highlighted(entry.text, query),
            url=result_url(entry), updated_at=entry.updated_at, flagged=entry.flagged,
        ))
    return shown


# --- Keeping the index current ------------------------------------------------------------------


def _plain(value) -> str:
    from django.utils.html import strip_tags

    if isinstance(value, list | tuple):
        return " ".join(_plain(v) for v in value)
    return strip_tags(str(value or ""))


def _page_text(page) -> str:
    from wagtail.fields import RichTextField, StreamField

    parts = [page.search_description or ""]
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            parts.append(_plain(field.get_searchable_content(getattr(page, field.name))))
        elif isinstance(field, RichTextField):
            parts.append(_plain(getattr(page, field.name)))
        elif field.name in ("summary", "intro", "lead"):
            parts.append(_plain(getattr(page, field.name, "")))
    return " ".join(p for p in parts if p.strip())


def entry_scopes(kind: str, *, language: str = "", parent_id=None, owner_id=None, is_public=False) -> list[str]:
    """Lexemes (never words: they start with "@") saying who might see an entry, stored with its
    tokens so that on PostgreSQL the GIN index narrows a search to the entries the person might
    see before any row is read (`scopes_for`). A prefilter only: access is decided by
    `search_entry_list_for`."""
    if kind == Kind.PAGE:
        return [f"@page:{language}"]
    if kind == Kind.MINUTES:
        return ["@public"]
    if kind in (Kind.AGENDA, Kind.MATERIAL, Kind.MESSAGE):
        return ["@meeting", f"@m:{parent_id}", *(["@public"] if is_public else [])]
    if kind == Kind.ACTIVITY:
        return [f"@u:{owner_id}"]
    return [f"@{kind}"]


def _save(kind: str, object_id: int, *, text: str, title: str = "", language: str = "", **fields) -> None:
    words = index_terms(f"{title}\n{text}") + entry_scopes(
        kind, language=language, parent_id=fields.get("parent_id"), owner_id=fields.get("owner_id"),
        is_public=fields.get("is_public", False))
    SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, language=language,
        defaults={"title": title[:300], "text": text[:MAX_TEXT_SHOWN], "tokens": " ".join(words),
                  "updated_at": fields.pop("updated_at", None) or timezone.now(), **fields},
    )


def _drop(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def index_page(page) -> None:
    """A website page as it is live now; removed when it is not live."""
    page = page.specific
    if not page.live:
        _drop(Kind.PAGE, page.pk)
        return
    SearchEntry.objects.filter(kind=Kind.PAGE, object_id=page.pk).exclude(
        language=page.locale.language_code).delete()
    _save(Kind.PAGE, page.pk, title=page.title, text=_page_text(page), language=page.locale.language_code,
          url=page.get_url() or "", is_public=True,
          updated_at=page.last_published_at or page.latest_revision_created_at)


def index_minutes(minutes) -> None:
    """Only the text the coordinator confirmed for the public, only while it is published."""
    from collaboration.models import Minutes

    if minutes.status != Minutes.Status.PUBLISHED or not minutes.public_text.strip():
        _drop(Kind.MINUTES, minutes.pk)
        return
    meeting = minutes.meeting
    _save(Kind.MINUTES, minutes.pk, title=meeting.title, text=minutes.public_text, where=meeting.body.name,
          parent_id=meeting.pk, is_public=True, updated_at=minutes.published_at)


def index_agenda_item(item) -> None:
    _save(Kind.AGENDA, item.pk, title=item.title, text=item.notes, where=item.meeting.title,
          parent_id=item.meeting_id, updated_at=item.meeting.starts_at)


def index_material(material) -> None:
    _save(Kind.MATERIAL, material.pk, title=material.title, text="", where=material.meeting.title,
          parent_id=material.meeting_id, is_public=material.is_published, updated_at=material.uploaded_at)


def index_message(message) -> None:
    """A visible message; a hidden or deleted one leaves the index at once."""
    if not message.is_visible:
        _drop(Kind.MESSAGE, message.pk)
        return
    _save(Kind.MESSAGE, message.pk, text=message.body, where=message.meeting.title, parent_id=message.meeting_id,
          url=f"#m{message.seq}", flagged=message.content_note, updated_at=message.created_at)


def index_activity_entry(entry) -> None:
    """An activity entry, found by its author only (their reflection is private)."""
    activity = entry.activity
    title = f"{entry.date:%Y-%m-%d} {activity.name_ja}"
    _save(Kind.ACTIVITY, entry.pk, title=title, text=entry.reflection, owner_id=entry.author_id,
          where=entry.organisation.name, title_en=f"{entry.date:%Y-%m-%d} {activity.name_en}",
          updated_at=entry.updated_at)


def index_person(person) -> None:
    if not person.is_active:
        _drop(Kind.PERSON, person.pk)
        return
    kana = person.name_kana or ""
    text = " ".join(p for p in (kana, to_hiragana(kana).replace(" ", ""), kana.replace(" ", "").replace("\u3000", ""),
                                person.display_name.replace(" ", "").replace("\u3000", "")) if p)
    _save(Kind.PERSON, person.pk, title=person.display_name, text=text, updated_at=person.date_joined)


def index_organisation(organisation) -> None:
    text = " ".join(p for p in (organisation.corporation, organisation.municipality) if p)
    _save(Kind.ORGANISATION, organisation.pk, title=organisation.name, text=text)


def index_course(course) -> None:
    _save(Kind.COURSE, course.pk, title=course.title, text=course.description, where=course.body.organisation.name,
          parent_id=course.body_id)


def meeting_renamed(meeting) -> None:
    """A meeting's title is where its items are found: keep it current (one UPDATE)."""
    SearchEntry.objects.filter(
        kind__in=[Kind.AGENDA, Kind.MATERIAL, Kind.MESSAGE], parent_id=meeting.pk,
    ).exclude(where=meeting.title[:300]).update(where=meeting.title[:300])
    SearchEntry.objects.filter(kind=Kind.MINUTES, parent_id=meeting.pk).exclude(
        title=meeting.title[:300]).update(title=meeting.title[:300])


def meeting_removed(meeting_id: int) -> None:
    SearchEntry.objects.filter(kind__in=[Kind.AGENDA, Kind.MATERIAL, Kind.MESSAGE, Kind.MINUTES],
                               parent_id=meeting_id).delete()


def rebuild(*, batch: int = 2000, out=None) -> dict[str, int]:
    """Empty the index and build it again from every record. Returns the count per kind."""
    from wagtail.models import Page

    from collaboration.activity.models import ActivityEntry
    from collaboration.models import AgendaItem, Material, Message, Minutes
    from peers.models import Organisation, User
    from training.models import Course

    SearchEntry.objects.all().delete()
    sources = [
        (Kind.PAGE, Page.objects.live().exclude(depth=1).specific(), index_page),
        (Kind.MINUTES, Minutes.objects.filter(status=Minutes.Status.PUBLISHED).select_related("meeting__body"),
         index_minutes),
        (Kind.AGENDA, AgendaItem.objects.select_related("meeting"), index_agenda_item),
        (Kind.MATERIAL, Material.objects.select_related("meeting"), index_material),
        (Kind.MESSAGE, Message.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)
         .select_related("meeting"), index_message),
        (Kind.ACTIVITY, ActivityEntry.objects.select_related("activity", "organisation"), index_activity_entry),
        (Kind.PERSON, User.objects.filter(is_active=True), index_person),
        (Kind.ORGANISATION, Organisation.objects.all(), index_organisation),
        (Kind.COURSE, Course.objects.select_related("body__organisation"), index_course),
    ]
    counts = {}
    for kind, qs, index in sources:
        n = 0
        for row in qs.order_by("pk").iterator(chunk_size=batch):
            index(row)
            n += 1
        counts[str(kind)] = n
        if out is not None:
            out.write(f"{kind}: {n}\n")
    return counts
