"""What an untrusted Yjs v1 update or state vector claims, read before yrs decodes it.

Two reasons to read the bytes ourselves first:

* **Which client ids an update writes under.** pycrdt's ``get_state(update)`` follows Yjs'
  ``encodeStateVectorFromUpdate``: it lists only the clients whose changes start at clock 0,
  so an incremental update (or two clients' updates merged) hides the ids it continues.
  pycrdt exposes no struct decoder (yjs' ``decodeUpdate`` is JavaScript only), so
  :func:`update_ranges` walks the v1 encoding (lib0 varints, the struct info byte, the nine
  content kinds) and returns every client's clock range.
* **Counts and lengths no larger than the bytes that follow.** yrs reserves memory from
  counts it reads (``Vec::with_capacity``: the y-crdt #415 and yjs #687 class); a 10-byte
  update can claim 2^31 structs. Every element costs at least one byte, so a count or a
  length larger than what is left of the message is a lie, refused here before yrs sees it.

Both readers raise :class:`ProtocolError` for anything malformed; what passes is then
decoded by yrs (whose own allocation failures and panics are caught by ``crdt_failures``).
"""

from app.realtime.protocol import ProtocolError

# Struct kinds (the info byte's low 5 bits), Yjs v1: 0 GC, 10 Skip, the others Items.
_GC, _DELETED, _JSON, _BINARY, _STRING, _EMBED = 0, 1, 2, 3, 4, 5
_FORMAT, _TYPE, _ANY, _DOC, _SKIP = 6, 7, 8, 9, 10
_XML_ELEMENT, _XML_HOOK = 3, 5  # type refs that carry a name
_MAX_DEPTH = 64  # nesting of lib0 "any" values (objects in arrays in objects…)
_MAX_CLOCK = 2**53 - 1  # lib0 reads larger varints as lossy floats


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def left(self) -> int:
        return len(self.data) - self.pos

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ProtocolError("truncated: expected a byte")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uint(self) -> int:
        value = shift = 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if b < 0x80:
                break
            shift += 7
            if shift > 63:
                raise ProtocolError("varint longer than 64 bits")
        if value > _MAX_CLOCK:
            raise ProtocolError("varint above 2^53 - 1")
        return value

    def count(self, what: str) -> int:
        """A count of elements that each take at least one byte."""
        value = self.uint()
        if value > self.left():
            raise ProtocolError(f"{what} count {value} exceeds the {self.left()} bytes left")
        return value

    def skip(self, n: int) -> None:
        if n > self.left():
            raise ProtocolError(f"length {n} exceeds the {self.left()} bytes left")
        self.pos += n

    def bytes_(self) -> bytes:
        n = self.uint()
        start = self.pos
        self.skip(n)
        return self.data[start : self.pos]

    def string(self) -> str:
        try:
            return self.bytes_().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"string is not UTF-8: {exc}") from exc

    def signed(self) -> None:
        while self.byte() & 0x80:
            pass

    def any_(self, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        kind = self.byte()
        if kind in (127, 126, 121, 120):  # undefined, null, false, true
            return
        if kind == 125:
            self.signed()
        elif kind == 124:
            self.skip(4)
        elif kind in (123, 122):
            self.skip(8)
        elif kind == 119:
            self.string()
        elif kind == 118:
            for _ in range(self.count("object entry")):
                self.string()
                self.any_(depth + 1)
        elif kind == 117:
            for _ in range(self.count("array element")):
                self.any_(depth + 1)
        elif kind == 116:
            self.bytes_()
        else:
            raise ProtocolError(f"unknown value type {kind}")


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _item_length(reader: _Reader, info: int, roots: set[str]) -> int:
    """Skip an Item's header and content; return how many clocks it takes. The name of a
    root type the item names as its parent is added to ``roots``."""
    if info & 0x80:
        reader.uint()
        reader.uint()
    if info & 0x40:
        reader.uint()
        reader.uint()
    if not info & 0xC0:
        if reader.uint() == 1:
            roots.add(reader.string())  # a root type's name
        else:
            reader.uint()
            reader.uint()
        if info & 0x20:
            reader.string()  # the map key
    content = info & 0x1F
    if content == _DELETED:
        return reader.uint()
    if content == _JSON:
        n = reader.count("JSON value")
        for _ in range(n):
            reader.string()
        return n
    if content == _BINARY:
        reader.bytes_()
        return 1
    if content == _STRING:
        return _utf16_length(reader.string())
    if content == _EMBED:
        reader.string()
        return 1
    if content == _FORMAT:
        reader.string()
        reader.string()
        return 1
    if content == _TYPE:
        if reader.uint() in (_XML_ELEMENT, _XML_HOOK):
            reader.string()
        return 1
    if content == _ANY:
        n = reader.count("value")
        for _ in range(n):
            reader.any_()
        return n
    if content == _DOC:
        reader.string()
        reader.any_()
        return 1
    raise ProtocolError(f"unknown struct content {content}")


# One frame's update is read by the room's pre-check, the client-id check and claim, and the
# pending bound, one after another: the last result is kept for the same bytes object (bytes
# are immutable, so the same object reads the same). Callers must not change the dict.
_last: tuple[bytes, dict[int, tuple[int, int]], frozenset[str]] | None = None


def update_ranges(update: bytes) -> dict[int, tuple[int, int]]:
    """Memoised :func:`read_update_ranges` for the update read last (see ``_last``)."""
    return _read(update)[0]


def update_roots(update: bytes) -> frozenset[str]:
    """The root types an update names as a parent (memoised like :func:`update_ranges`).

    Every root an update *creates* is among them: the first item of a new root, or of a new
    key in a root map, has no neighbour to inherit its parent from, so Yjs writes the root's
    name. (An item next to existing ones inherits its parent and is not listed.)"""
    return _read(update)[1]


def _read(update: bytes) -> tuple[dict[int, tuple[int, int]], frozenset[str]]:
    global _last
    if _last is not None and _last[0] is update:
        return _last[1], _last[2]
    roots: set[str] = set()
    ranges = read_update_ranges(update, roots)
    _last = (update, ranges, frozenset(roots))
    return _last[1], _last[2]


def read_update_ranges(update: bytes, roots: set[str] | None = None) -> dict[int, tuple[int, int]]:
    """``{client id: (first clock, end clock)}`` of the structs an update carries (its
    delete set is checked for sizes, not returned: anyone may delete anyone's text); the
    root names items name as their parent are added to ``roots``.

    Raises ProtocolError for a malformed update or one whose counts or lengths exceed its
    bytes."""
    reader = _Reader(update)
    roots = set() if roots is None else roots
    ranges: dict[int, tuple[int, int]] = {}
    for _ in range(reader.count("client")):
        structs = reader.count("struct")
        client = reader.uint()
        start = clock = reader.uint()
        for _ in range(structs):
            info = reader.byte()
            kind = info & 0x1F
            length = reader.uint() if kind in (_GC, _SKIP) else _item_length(reader, info, roots)
            if kind == _SKIP and clock == start:
                start += length  # a leading gap writes nothing
            clock += length
            if clock > _MAX_CLOCK:
                raise ProtocolError("clock above 2^53 - 1")
        if clock > start:
            low, high = ranges.get(client, (start, clock))
            ranges[client] = (min(low, start), max(high, clock))
    for _ in range(reader.count("deleting client")):
        reader.uint()
        for _ in range(reader.count("deleted range")):
            reader.uint()
            reader.uint()
    if reader.left():
        raise ProtocolError(f"{reader.left()} bytes after the update")
    return ranges


def state_vector(data: bytes) -> dict[int, int]:
    """A state vector as ``{client id: clock}``; raises ProtocolError if malformed."""
    reader = _Reader(data)
    result = {reader.uint(): reader.uint() for _ in range(reader.count("state vector entry"))}
    if reader.left():
        raise ProtocolError(f"{reader.left()} bytes after the state vector")
    return result
