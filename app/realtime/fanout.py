"""A group of peers that frames fan out to together: a room's viewers, or its watchers.

A plenary room sends each stored edit to thousands of read-only viewers. Checking each
viewer's connection before writing to it (open, not backed up, not closing) was most of
the Python a fan-out ran per viewer, about 2 µs of its 7.4 (docs/benchmarks.md, "Where the
fan-out's gap to the send floor is"). So the group keeps the list of its idle members'
socket writes (``Peer.fast``, a C method) and a fan-out calls each with the shared bytes:
the checks moved to the events that change their answer. Those events tell the peer
(``Peer.unfit``), which tells its group, which rebuilds the list at its next fan-out.
"""

from collections.abc import Callable, Collection

from app.realtime.transport import Peer, offer_to_all


class FanOut:
    """A set of peers with the fast writes of those that are idle, kept between fan-outs."""

    __slots__ = ("_others", "_peers", "_stale", "_writes")

    def __init__(self) -> None:
        self._peers: set[Peer] = set()
        self._writes: list[Callable[[bytes], object]] = []
        self._others: list[Peer] = []  # members without a fast write: offer_frames each
        self._stale = False

    def add(self, peer: Peer) -> None:
        self._peers.add(peer)
        peer.audience = self
        self._stale = True

    def discard(self, peer: Peer) -> None:
        if peer in self._peers:
            self._peers.discard(peer)
            if peer.audience is self:
                peer.audience = None
            self._stale = True

    def changed(self) -> None:
        """A member's fast write started or ended."""
        self._stale = True

    def __len__(self) -> int:
        return len(self._peers)

    def offer(
        self, frames: tuple[bytes, ...], wire: bytes | None, skip: Collection[Peer] = ()
    ) -> None:
        """:func:`offer_to_all` to the members not in ``skip``, with the same outcome."""
        if wire is None or (skip and not self._peers.isdisjoint(skip)):
            # A group with authors in it (the watchers, a few dozen): peer by peer.
            offer_to_all(self._peers, frames, wire, skip)
            return
        if self._stale:
            self._rebuild()
        writes, others = iter(self._writes), self._others
        while True:
            try:
                for write in writes:
                    write(wire)
                break
            except Exception as exc:  # that socket's handle closed under us: the rest go on
                self._failed(write, frames, wire, exc)
        for peer in others:
            peer.offer_frames(frames, wire)

    def _rebuild(self) -> None:
        writes: list[Callable[[bytes], object]] = []
        others: list[Peer] = []
        for peer in self._peers:
            fast = peer.fast
            if fast is None:
                others.append(peer)
            else:
                writes.append(fast)
        self._writes, self._others, self._stale = writes, others, False

    def _failed(
        self,
        write: Callable[[bytes], object],
        frames: tuple[bytes, ...],
        wire: bytes,
        exc: Exception,
    ) -> None:
        """The member whose write raised: as in offer_to_all, offer_frames decides."""
        for peer in list(self._peers):
            if peer.fast is write:
                peer.write_failed(frames, wire, exc)
                return
