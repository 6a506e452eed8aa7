"""Meeting materials in the API: the meeting page's access to list, its coordinators' to add,
publish and remove; the same services as the staff meeting page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from collaboration.models import Material
from collaboration.selectors import meeting_access_for
from collaboration.services import material_add
from tests.conftest import login_two_step

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def material(meeting, coordinator):
    return material_add(access=meeting_access_for(coordinator, meeting.pk), user=coordinator,
                        title="資料1 前回の振り返り", file=SimpleUploadedFile("review.txt", b"review"))


def test_invitees_list_the_materials_like_on_the_meeting_page(meeting, material, peer):
    response = _api(peer).get(f"/api/v1/meetings/{meeting.pk}/materials/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["title"] == "資料1 前回の振り返り" and item["is_published"] is False
    assert item["download_url"] == f"/meetings/{meeting.pk}/materials/{material.pk}/"
    assert response.json()["next"] is None


def test_people_outside_the_meeting_see_no_materials(meeting, material, outsider, other_coordinator):
    for user in (outsider, other_coordinator):
        api = _api(user)
        listed = api.get(f"/api/v1/meetings/{meeting.pk}/materials/")
        assert listed.status_code == 404 and "振り返り" not in listed.content.decode()
        assert api.get(f"/api/v1/meetings/{meeting.pk}/materials/{material.pk}/").status_code == 404


def test_coordinator_adds_publishes_and_removes_a_material(meeting, coordinator, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    api = _api(coordinator)
    response = api.post(f"/api/v1/meetings/{meeting.pk}/materials/",
                        {"title": "資料2", "file": SimpleUploadedFile("plan.txt", b"plan")}, format="multipart")
    assert response.status_code == 201
    made = Material.objects.get(meeting=meeting, title="資料2")
    assert made.file.read() == b"plan" and made.uploaded_by_id == coordinator.pk
    response = api.patch(f"/api/v1/meetings/{meeting.pk}/materials/{made.pk}/", {"is_published": True}, format="json")
    assert response.status_code == 200
    made.refresh_from_db()
    assert made.is_published
    name = made.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/meetings/{meeting.pk}/materials/{made.pk}/").status_code == 204
    assert not Material.objects.filter(pk=made.pk).exists()
    assert not default_storage.exists(name)  # the file goes once the removal is committed


def test_invitees_cannot_add_publish_or_remove(meeting, material, peer):
    api = _api(peer)
    assert api.post(f"/api/v1/meetings/{meeting.pk}/materials/",
                    {"title": "x", "file": SimpleUploadedFile("x.txt", b"x")}, format="multipart").status_code == 404
    assert api.patch(f"/api/v1/meetings/{meeting.pk}/materials/{material.pk}/", {"is_published": True},
                     format="json").status_code == 404
    assert api.delete(f"/api/v1/meetings/{meeting.pk}/materials/{material.pk}/").status_code == 404
    material.refresh_from_db()
    assert not material.is_published
    assert list(Material.objects.values_list("title", flat=True)) == ["資料1 前回の振り返り"]


def test_coordinator_without_two_step_cannot_change_materials(client, meeting, material, coordinator):
    client.force_login(coordinator)  # password only
    url = f"/api/v1/meetings/{meeting.pk}/materials/{material.pk}/"
    assert client.delete(url).status_code == 403
    assert Material.objects.filter(pk=material.pk).exists()
    login_two_step(client, coordinator)
    assert client.delete(url).status_code == 204


def test_material_without_a_file_is_a_400_and_adds_nothing(meeting, coordinator):
    response = _api(coordinator).post(f"/api/v1/meetings/{meeting.pk}/materials/", {"title": "資料3"},
                                      format="multipart")
    assert response.status_code == 400 and "file" in response.content.decode()
    assert not Material.objects.filter(title="資料3").exists()


def test_staff_meeting_page_removes_a_material(client, meeting, material, coordinator):
    login_two_step(client, coordinator)
    response = client.post(f"/staff/meetings/{meeting.pk}/material_remove/", {"material": material.pk})
    assert response.status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
