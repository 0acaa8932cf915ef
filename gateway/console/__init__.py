"""The console (会务工作台): the office's web workspace, static files the gateway serves at
``/console``. The pages call only the gateway's public ``/api/v1`` with the token pasted at sign-in."""
