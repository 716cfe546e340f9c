"""FAB filters shared by every scoped view and API."""
from flask_appbuilder.models.filters import BaseFilter


class ScopeFilter(BaseFilter):
    """Adds the view's row-scope clause to every query (list, show, edit, delete, REST get/put/delete).

    Used as ``base_filters = [["id", ScopeFilter, view.scope_clause]]``: ``value`` is a callable returning
    the SQL clause for the signed-in person, evaluated on every query.
    """

    name = "Scope"
    arg_name = "scope"

    def apply(self, query, value):
        return query.filter(value())


class RequestArgFilter(BaseFilter):
    """Narrows a list to ``column == int(request.args[value])`` when that argument is present, so a show
    page can link to "all employees of this unit" without FAB's search form loading every unit."""

    name = "Request argument"
    arg_name = "reqarg"

    def apply(self, query, value):
        from flask import request

        raw = request.args.get(value, "")
        if raw.isdigit():
            column = getattr(self.model, self.column_name)
            return query.filter(column == int(raw))
        return query
