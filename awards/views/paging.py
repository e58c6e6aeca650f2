"""Paging for lists that can grow to thousands of rows (3,000 entries in a stress year).

`paginate(query, ...)` pages a SQLAlchemy select in SQL (one COUNT, one LIMIT/OFFSET);
`paginate_list(items, ...)` pages rows already computed in one pass (e.g. per-entry progress
built from grouped queries). Templates render the navigation with
`templates/macros/paging.html` (`pager(page, endpoint, **url_args)`).
"""
import math
from dataclasses import dataclass, field

from flask import request
from sqlalchemy import func, select

from awards.extensions import db

PAGE_ARG = "seite"
DEFAULT_PER_PAGE = 50


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    args: dict = field(default_factory=dict)

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def first_number(self):
        """1-based number of the first row on this page (0 when the list is empty)."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_number(self):
        return min(self.page * self.per_page, self.total)

    @property
    def offset(self):
        return (self.page - 1) * self.per_page


def page_arg(name=PAGE_ARG):
    """The requested page number from the query string; anything invalid means page 1."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def _clamp(page, total, per_page):
    return min(max(page, 1), max(1, math.ceil(total / per_page)))


def paginate(query, *, page=None, per_page=DEFAULT_PER_PAGE, scalars=True):
    """Page a select in SQL. A page past the end shows the last page."""
    page = page_arg() if page is None else page
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = _clamp(page, total, per_page)
    limited = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(limited) if scalars else db.session.execute(limited)
    return Page(items=result.all(), page=page, per_page=per_page, total=total)


def paginate_list(items, *, page=None, per_page=DEFAULT_PER_PAGE):
    """Page a list that is already in memory."""
    page = page_arg() if page is None else page
    items = list(items)
    page = _clamp(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(items=items[start:start + per_page], page=page, per_page=per_page,
                total=len(items))
