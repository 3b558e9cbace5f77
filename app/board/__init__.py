"""The participants' board (``board-{id}`` rooms): its write rules and what REST reads of it."""
