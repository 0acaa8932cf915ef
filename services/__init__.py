"""The four departments. Each owns its data and meets the others only through events."""
