"""Realtime collaboration over y-websocket: rooms, peers, sync and awareness (docs/protocol.md).

Layers, each importing only the ones before it: ``protocol``/``awareness``/``origins``
(framing helpers) → ``transport`` (one connection) → ``room`` → ``hub`` → ``connection``
(serving a websocket). ``live`` lets REST routes read and change live texts. What a room
does beyond syncing (revisions, board rules, adoption, structure) is handed to it through
hooks by the packages above (``app/revisions``, ``app/board``, ``app/services/rooms.py``);
nothing here imports them, ``app.services`` or ``app.routes``.
"""
