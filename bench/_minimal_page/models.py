from wagtail.models import Page


class MinimalPage(Page):
    """Nothing but Wagtail's own page: its title through the site's base template."""

    template = "bench_minimal_page/minimal_page.html"
