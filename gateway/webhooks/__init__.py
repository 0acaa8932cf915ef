"""Webhooks: the departments' events posted to agency systems, signed (Standard Webhooks), retried
for hours, logged, and kept in the gateway's database so a restart loses none."""
