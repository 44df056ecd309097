"""Small helpers every app may import. Not a Django app; imports no app (import-linter holds it)."""
