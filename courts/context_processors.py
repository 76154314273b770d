from courts.selectors import acting_court


def current_staff(request):
    """Every page's header says which court the user is acting for ("which court am I")."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"acting_court": acting_court(user), "role_names": sorted(str(r) for r in user.roles.all())}
