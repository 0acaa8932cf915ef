"""The meeting guide (会议指南, BRIEF §1.1): one booklet in hand answers every question — the
agenda, the discussion groups, the roster, where one sleeps, and the practical notes — as a PDF to
print and an HTML page to read, made afresh from the database on every request."""
