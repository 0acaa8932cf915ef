from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class Table(SQLModel, registry=registry()):
    """Base of registration's tables (its own registry: no other service shares this schema)."""
