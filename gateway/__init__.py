"""The gateway: one authenticated ``/api/v1`` for people and agency systems. It talks to the
services over HTTP only, never by import."""
