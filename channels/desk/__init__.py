"""The care desk inside the gateway: staff sign-in, the turn gate, live push, replies."""
