"""The peers app's pages, one module per section; `peers.views.<name>` keeps working for every
view and for `staff_required`, which the other apps' staff pages use."""

from .access import mfa_required, staff_required
from .home import home
from .invitations import invitation_accept_view, invitation_list, invitation_new
from .language import set_language
from .staff import staff_home

__all__ = [
    "home",
    "invitation_accept_view",
    "invitation_list",
    "invitation_new",
    "mfa_required",
    "set_language",
    "staff_home",
    "staff_required",
]
