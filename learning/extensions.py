"""Unbound Flask extensions; modules import them from here, never from the package."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable across databases and migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def add_unique(row) -> bool:
    """Add and flush a row in a savepoint; False, with only the savepoint undone, if a constraint refuses it.

    For rows that must exist once (a unique key): a parallel request or a double click that got there first
    makes this return False instead of failing the whole transaction.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return True
    except IntegrityError:
        return False


def get_or_create(model, **keys):
    """The row with these values, created if there is none (once, even with parallel requests)."""
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is None and not add_unique(row := model(**keys)):  # another process created it first
        row = db.session.scalar(select(model).filter_by(**keys))
    return row
