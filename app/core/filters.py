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


class CachedFilterConverter:
    """Wraps a datamodel's filter converter so each column's filter objects are built once.

    FAB rebuilds the filters of *every* column of the model several times per list request (each
    ``Filters`` copy converts them all again): a fifth of the list page's Python time. Filter objects are
    stateless (the value is passed to ``apply``), so sharing them is safe; a new list is returned each
    time because FAB extends these lists in place for custom search filters.
    """

    _cache: dict = {}

    def __init__(self, base_class):
        self.base_class = base_class

    def __call__(self, datamodel):
        converter = self.base_class(datamodel)
        cache = self._cache

        def convert(col_name, _convert=converter.convert, _key=(id(datamodel), self.base_class)):
            key = (_key, col_name)
            if key not in cache:
                cache[key] = _convert(col_name)
            filters = cache[key]
            return list(filters) if filters is not None else None

        converter.convert = convert
        return converter


def cache_filter_conversion(datamodel) -> None:
    """Install the cached converter on a view's datamodel (idempotent)."""
    current = datamodel.filter_converter_class
    if not isinstance(current, CachedFilterConverter):
        datamodel.filter_converter_class = CachedFilterConverter(current)
