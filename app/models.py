"""Every table of the portal, imported in one place for Alembic and the app factory."""
from flask_appbuilder.security.sqla.models import Permission, PermissionView, Role, User, ViewMenu  # noqa: F401

from app.core.audit import AuditLog  # noqa: F401
from app.core.derived import DerivedResultState  # noqa: F401  (state of stored derived results)
from app.core.rowcount import RowCount  # noqa: F401  (exact row counts kept by PostgreSQL triggers)
from app.organisation.models import Employee, Position, Rank, Unit  # noqa: F401
from app.performance.models import (BehaviourExpectation, CoachingNote, CoreValue, CoreValueGuide,  # noqa: F401
                                     Evaluation, Evidence, Feedback, Indicator, Notification, Objection,
                                     OrganisationRating, Period, Progress, Rhk, Skp, TransitionLog)
from app.training import models as _training_models  # noqa: F401  (training and socialization tables)
from app.socialization import models as _socialization_models  # noqa: F401  (socialization material)
from app.awards import models as _awards_models  # noqa: F401  (award decisions)
from app.survey import models as _survey_models  # noqa: F401  (public satisfaction survey, IKM)
