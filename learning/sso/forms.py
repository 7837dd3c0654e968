"""The one question an account from the identity provider may get: where the person works."""

from __future__ import annotations

from learning.accounts.forms import ProfileFields


class PlacementForm(ProfileFields):
    """Förvaltning, role and (optional) gender, when neither the staff list nor the provider knows them."""

    name = None  # the identity provider's name is kept
