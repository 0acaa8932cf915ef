"""Aggregated reads: one call at the gateway, answered from several departments at once.

Each department is asked concurrently with the caller's own signed assertion (so its scopes,
meeting and clearance apply there as everywhere) and is given a short time to answer. What one
department cannot say becomes a section marked unavailable, never an error of the whole read.
"""
