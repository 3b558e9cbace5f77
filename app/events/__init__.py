"""A meeting's event feed: the durable ``inputevent`` table (``feed``), the in-process bus
that wakes the open streams (``bus``) and the server-sent event stream itself (``sse``)."""
