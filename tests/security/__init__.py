"""Security tests: one per attack in issue 8, and the new policies."""
