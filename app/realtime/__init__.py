"""Realtime collaboration over y-websocket: framing, rooms and the hub (see docs/protocol.md).

Layers, each importing only the ones before it: ``protocol``/``awareness``/``origins``
(framing helpers) → ``transport`` (one connection) → ``room`` → ``hub`` → ``connection``
(serving a websocket). ``live`` lets REST routes read and change live texts. Nothing here
imports ``app.routes``.
"""
