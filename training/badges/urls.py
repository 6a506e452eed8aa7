"""Addresses a verifier reads, outside the language prefixes: the DID document and the status
lists (their URLs are written into every credential and must never change)."""

from django.urls import path

from ..views import badges

app_name = "badges"

urlpatterns = [
    path(".well-known/did.json", badges.did_json, name="did"),
    path("credentials/status/<str:purpose>/<int:list_id>", badges.status_list, name="status_list"),
]
