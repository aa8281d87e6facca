"""Process supervision for local runs and tests: start services by PID, stop them by PID."""
