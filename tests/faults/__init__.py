"""The fault suite (``make faults``): the cluster topology under crashes, pauses and bad events."""
