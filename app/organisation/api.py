"""REST API for organisation master data (/api/v1/unit, /position, /rank, /employee), with the same
row scope and rules as the screens."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import true

from app.core.views import PortalRestApi
from app.extensions import db
from app.security import scope as S

from . import services
from .models import Employee, Position, Rank, Unit


class UnitApi(PortalRestApi):
    resource_name = "unit"
    datamodel = SQLAInterface(Unit)
    class_permission_name = "Unit"
    list_columns = ["id", "code", "name", "unit_type", "parent_id", "active"]
    show_columns = ["id", "code", "name", "unit_type", "parent_id", "head_position_id", "active"]
    add_columns = edit_columns = ["code", "name", "unit_type", "parent", "head_position", "active"]
    search_columns = ["code", "name", "unit_type", "active"]
    order_columns = ["code", "name"]

    def scope_clause_for(self, scope):
        return S.unit_clause(scope)

    def validate_item(self, item, is_new):
        services.validate_unit(db.session, item)


class PositionApi(PortalRestApi):
    resource_name = "position"
    datamodel = SQLAInterface(Position)
    class_permission_name = "Position"
    list_columns = ["id", "name", "position_type", "level", "grade", "unit_id", "parent_id"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "position_type", "level", "grade", "unit", "parent"]
    search_columns = ["name", "position_type", "level", "grade"]
    order_columns = ["name", "grade"]

    def scope_clause_for(self, scope):
        return S.position_clause(scope)

    def validate_item(self, item, is_new):
        services.validate_position(db.session, item)


class RankApi(PortalRestApi):
    resource_name = "rank"
    datamodel = SQLAInterface(Rank)
    class_permission_name = "Rank"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id", "code", "name", "asn_type", "sort_order"]
    search_columns = ["code", "asn_type"]

    def scope_clause_for(self, scope):
        return true()


class EmployeeApi(PortalRestApi):
    resource_name = "employee"
    datamodel = SQLAInterface(Employee)
    class_permission_name = "Employee"
    list_columns = ["id", "nip", "name", "front_title", "back_title", "asn_type", "status", "rank_id",
                    "position_id", "unit_id", "supervisor_id"]
    show_columns = list_columns + ["gender", "birth_date", "birth_place", "supervisor_override", "email",
                                   "phone"]
    add_columns = edit_columns = ["nip", "name", "front_title", "back_title", "gender", "birth_date",
                                  "birth_place", "asn_type", "status", "rank", "position", "unit",
                                  "supervisor_override", "supervisor", "email", "phone"]
    search_columns = ["nip", "name", "asn_type", "status", "unit_id", "supervisor_id"]
    order_columns = ["nip", "name"]

    def scope_clause_for(self, scope):
        return S.employee_clause(scope)

    def validate_item(self, item, is_new):
        services.validate_employee(db.session, item)
