"""Test fixtures every service's tests share: a real nats-server, fresh databases (SQLite, and
PostgreSQL when ``HUIWU_TEST_POSTGRES_URL`` is set), in-process services and whole platforms."""
