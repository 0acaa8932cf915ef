"""Venue and protocol (会场与座次): rooms, agenda, seating, name cards."""
