"""The JSON API (/api/v1/): views.py holds the endpoints, urls.py their addresses."""
