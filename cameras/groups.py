"""Channel-layer group names for the live board: built here and nowhere else."""

ADMIN_GROUP = "camera.board.all"


def organization_group(organization_id: int) -> str:
    return f"camera.board.org.{organization_id}"


def board_groups_for_stream(*, organization_id: int | None) -> list[str]:
    """Admins hear of every stream; an organization's recruiters of its candidates' streams."""
    groups = [ADMIN_GROUP]
    if organization_id is not None:
        groups.append(organization_group(organization_id))
    return groups


def board_groups_for_viewer(*, is_admin: bool, organization_id: int | None) -> list[str]:
    if is_admin:
        return [ADMIN_GROUP]
    if organization_id is not None:
        return [organization_group(organization_id)]
    return []


def candidate_group(user_id: int) -> str:
    """Every presence socket of one candidate (each tab): messages, hands, the end."""
    return f"camera.presence.user.{user_id}"


def conversation_group(application_id: int) -> str:
    """The open review timelines of one interview: they hear its proctoring lines."""
    return f"camera.proctor.application.{application_id}"
