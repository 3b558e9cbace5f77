"""Revision tracking of document rooms: which sections each update touched, when a section's
text earns a revision, and catching the index up with the update log after a crash.

``keeper`` (the rooms' trackers, what REST asks) → ``tracker`` (one room's hooks) →
``catchup`` (replaying the log off the join path) → ``replay`` (section texts and authors
rebuilt from log rows) and ``ledger`` (the index, cursor and revisions in the database).
"""
