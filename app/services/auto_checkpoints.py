"""Automatic checkpoints at the end of agenda items: "After <item title>".

Two triggers end an item:

* the secretariat moves the current agenda item on (``PATCH /api/meetings/{id}`` with
  another ``current_agenda_item_id``, or none): the item that was current ended;
* the item's end time passes, on the meeting's date in the meeting's time zone:
  :class:`AgendaClock`, a task of the app's lifespan, sleeps until the next end time (it is
  woken early when the agenda changes) and takes what is due. An item the secretariat still
  marks as current is left to the first trigger (meetings run late).

Only items that produce text count (breaks do not). Each item has at most one automatic
checkpoint, ever: its ``agendacheckpoint`` row is claimed and committed before the
checkpoint is taken (the primary key is the item), so the two triggers, two instances or a
restart never take it twice. A failed checkpoint releases the claim (the clock retries it);
a crash between the claim and the checkpoint leaves the item without one, never with two.
The checkpoint itself is taken by the same service as a manual one
(:func:`app.services.revision_actions.take_checkpoint`), audited with the secretariat who
moved on, or ``system`` for the clock, as the actor.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import session_scope
from app.models.common import utcnow
from app.models.meeting import AgendaItem, AgendaKind, Meeting, MeetingUpdate
from app.models.revision import AgendaCheckpoint
from app.revisions.keeper import RevisionKeeper
from app.services import meetings, revision_actions
from app.services.actor import Actor
from app.services.meetings import document_of
from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# Agenda items during which nothing is recorded.
SILENT_KINDS = frozenset({AgendaKind.BREAK.value})
NAME_PREFIX = "After "
MAX_NAME = 300  # Checkpoint.name


def checkpoint_name(item: AgendaItem) -> str:
    """``After <item title>``, within a checkpoint name's length."""
    name = NAME_PREFIX + item.title
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def ended_item(before: int | None, after: int | None) -> int | None:
    """The agenda item that ended when the current item went from ``before`` to ``after``."""
    return before if before is not None and before != after else None


def _claim(engine: Engine, item_id: int, document_id: int, trigger: str) -> bool:
    try:
        with session_scope(engine) as session:
            if session.get(AgendaCheckpoint, item_id) is not None:
                return False
            session.add(
                AgendaCheckpoint(agenda_item_id=item_id, document_id=document_id, trigger=trigger)
            )
        return True
    except IntegrityError:
        return False  # another trigger (or instance) claimed it meanwhile


def _release(engine: Engine, item_id: int) -> None:
    with session_scope(engine) as session:
        row = session.get(AgendaCheckpoint, item_id)
        if row is not None and row.checkpoint_id is None:
            session.delete(row)


def take_after_item(
    engine: Engine, keeper: RevisionKeeper, actor: Actor, item_id: int, trigger: str
) -> int | None:
    """Take the "After <title>" checkpoint of an agenda item that ended, once; its id, or
    None (a break, no document, already taken, or it failed: logged). Call from a worker
    thread, with no transaction of the caller open on the document."""
    with Session(engine, expire_on_commit=False) as session:
        item = session.get(AgendaItem, item_id)
        if item is None or item.kind in SILENT_KINDS:
            return None
        document = document_of(session, item.meeting_id)
        if document is None or document.id is None:
            return None
        document_id, name = document.id, checkpoint_name(item)
    if not _claim(engine, item_id, document_id, trigger):
        return None
    try:
        with session_scope(engine) as session:
            checkpoint_id = revision_actions.take_checkpoint(
                session,
                actor,
                keeper,
                document_id,
                name,
                kind="auto",
                agenda_item=item_id,
                trigger=trigger,
            )
            row = session.get(AgendaCheckpoint, item_id)
            if row is not None:
                row.checkpoint_id = checkpoint_id
                session.add(row)
    except Exception as exc:
        log.warning("automatic checkpoint after agenda item %s failed: %s", item_id, exc)
        _release(engine, item_id)
        return None
    log.info("automatic checkpoint %s: %s", checkpoint_id, name)
    return checkpoint_id


# -- the clock -------------------------------------------------------------------------------


def item_end(meeting: Meeting, item: AgendaItem) -> datetime:
    """When ``item`` ends, in UTC: its end time on the meeting's date in the meeting's zone
    (UTC if the zone is unknown)."""
    try:
        zone: ZoneInfo | None = ZoneInfo(meeting.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return datetime.combine(meeting.date, item.end, tzinfo=zone or UTC).astimezone(UTC)


@dataclass(frozen=True)
class Plan:
    """What one pass of the clock found: items due now, and the next end time after now."""

    due: list[int]
    next_end: datetime | None


def plan(engine: Engine, since: datetime, now: datetime) -> Plan:
    """Text-producing items whose end is in ``(since, now]`` and that have no automatic
    checkpoint yet, except an item its meeting marks as current; and the next end after now."""
    with Session(engine) as session:
        rows = session.exec(
            select(AgendaItem, Meeting)
            .join(Meeting, col(Meeting.id) == col(AgendaItem.meeting_id))
            .where(col(AgendaItem.kind).not_in(sorted(SILENT_KINDS)))
            .order_by(col(AgendaItem.id))
        ).all()
        claimed = set(session.exec(select(AgendaCheckpoint.agenda_item_id)).all())
    due: list[tuple[datetime, int]] = []
    later: list[datetime] = []
    for item, meeting in rows:
        assert item.id is not None
        end = item_end(meeting, item)
        if end > now:
            later.append(end)
        elif end > since and item.id not in claimed and meeting.current_agenda_item_id != item.id:
            due.append((end, item.id))
    return Plan([item_id for _, item_id in sorted(due)], min(later, default=None))


class AgendaClock:
    """Takes the automatic checkpoint of each agenda item whose end time passes.

    It sleeps until the next end time (at most ``max_sleep_seconds``; :meth:`reschedule`
    wakes it when the agenda changes), then takes every checkpoint due. At start it also
    takes those whose end passed within ``catch_up_seconds`` (the server was restarting);
    older ends are history and never produce one. ``now`` is the clock (aware UTC): tests
    drive it, the app uses the wall clock.
    """

    def __init__(
        self,
        engine: Engine,
        keeper: RevisionKeeper,
        *,
        now: Callable[[], datetime] = utcnow,
        catch_up_seconds: float = 900.0,
        max_sleep_seconds: float = 3600.0,
    ) -> None:
        self.engine = engine
        self.keeper = keeper
        self.now = now
        self.catch_up = timedelta(seconds=catch_up_seconds)
        self.max_sleep = max_sleep_seconds
        self.since: datetime | None = None
        self.passes = 0
        self.last_wait: float | None = None  # seconds the last pass chose to sleep
        self.taken: list[int] = []  # checkpoint ids, in order
        self._poke = asyncio.Event()
        self._passed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start the background task (on the running loop)."""
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="agenda-clock")

    async def aclose(self) -> None:
        """Stop the task; a checkpoint being taken is abandoned (its claim may stay)."""
        task, self._task = self._task, None
        await cancel_and_wait(task)

    def reschedule(self) -> None:
        """The agenda or the current item changed: look again now (from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._poke.set)

    async def run_due(self) -> list[int]:
        """One pass: take every checkpoint due now; the new checkpoints' ids."""
        now = self.now()
        if self.since is None:
            self.since = now - self.catch_up
        found = await anyio.to_thread.run_sync(plan, self.engine, self.since, now)
        taken = []
        for item_id in found.due:
            checkpoint_id = await anyio.to_thread.run_sync(
                take_after_item, self.engine, self.keeper, Actor.system(), item_id, "clock"
            )
            if checkpoint_id is not None:
                taken.append(checkpoint_id)
        self.taken.extend(taken)
        if found.next_end is None:
            self.last_wait = self.max_sleep
        else:
            wait = (found.next_end - now).total_seconds()
            self.last_wait = min(max(wait, 0.0), self.max_sleep)
        return taken

    async def passed(self, count: int) -> None:
        """Wait until the task has finished ``count`` passes (tests)."""
        async with self._passed:
            await self._passed.wait_for(lambda: self.passes >= count)

    async def _run(self) -> None:
        while True:
            self._poke.clear()
            try:
                await self.run_due()
            except Exception as exc:
                log.warning("agenda clock: a pass failed: %s", exc)
                self.last_wait = min(60.0, self.max_sleep)
            async with self._passed:
                self.passes += 1
                self._passed.notify_all()
            try:
                await asyncio.wait_for(self._poke.wait(), timeout=self.last_wait)
            except TimeoutError:
                pass


# -- what the meeting routes change ----------------------------------------------------------


def agenda_changed(session: Session, clock: AgendaClock | None) -> None:
    """Commit an agenda change, then wake the agenda clock to look at the new agenda."""
    session.commit()
    if clock is not None:
        clock.reschedule()


def update_meeting(
    session: Session,
    actor: Actor,
    meeting_id: int,
    data: MeetingUpdate,
    engine: Engine,
    keeper: RevisionKeeper | None,
    clock: AgendaClock | None,
) -> Meeting:
    """Change the meeting (``meetings.update_meeting``); if that moved the current agenda
    item on, the item that was current ended: its "After <title>" checkpoint is taken."""
    before = meetings.get_meeting(session, actor, meeting_id).current_agenda_item_id
    meeting = meetings.update_meeting(session, actor, meeting_id, data)
    ended = ended_item(before, meeting.current_agenda_item_id)
    session.commit()
    if ended is not None and keeper is not None:
        take_after_item(engine, keeper, actor, ended, "agenda")
    if clock is not None:
        clock.reschedule()
    return meeting
