"""Supervision (督查督办): decisions become tracked tasks; bulletins; the journal."""
