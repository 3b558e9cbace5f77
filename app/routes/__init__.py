"""HTTP and websocket endpoints: parse, authorise, delegate."""
