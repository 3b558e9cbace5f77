"""Who is acting: the participant a token identifies, or the command line."""

from dataclasses import dataclass

from app.errors import Forbidden, NotFound
from app.models.participant import Role


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a REST request or websocket connection."""

    participant_id: int | None
    meeting_id: int | None
    name: str
    role: Role | None
    group_code: str | None = None
    color: str = "#1f6feb"
    # The person's preferred language (a tag such as "ar"): the pages' default interface language.
    language: str | None = None
    # An organiser (role ORGANISER) and the meetings it created, of which it is the secretariat.
    organiser_id: int | None = None
    organised: frozenset[int] = frozenset()

    @classmethod
    def cli(cls) -> "Actor":
        """The operator at the server's console, allowed everything."""
        return cls(participant_id=None, meeting_id=None, name="cli", role=None)

    @classmethod
    def system(cls) -> "Actor":
        """The server itself (e.g. the agenda clock taking a checkpoint), allowed everything."""
        return cls(participant_id=None, meeting_id=None, name="system", role=None)

    @property
    def is_operator(self) -> bool:
        return self.role is None

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.ORGANISER

    def require(self, *roles: Role) -> None:
        """Raise 403 unless the actor has one of ``roles`` (the operator always passes).

        An organiser passes where the secretariat does: ``check_meeting`` has already let it
        in only to the meetings it created.
        """
        if self.is_operator or self.role in roles:
            return
        if self.is_organiser and Role.SECRETARIAT in roles:
            return
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"This needs the role {allowed}; you joined as {self.role}.")

    def check_meeting(self, meeting_id: int) -> None:
        """Objects of another meeting do not exist for this actor (404, not 403)."""
        if self.is_operator:
            return
        if self.is_organiser:
            if meeting_id not in self.organised:
                raise NotFound("No such object.")
            return
        if self.meeting_id != meeting_id:
            raise NotFound("No such object.")
