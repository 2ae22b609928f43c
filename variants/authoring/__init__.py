"""Writing sources for the user: ``new`` starts a program's override file; ``yamledit`` edits one as text."""
