"""Huiwu's shared kernel: what every service needs, and nothing of any one department."""
