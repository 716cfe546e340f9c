"""THE expected-access table of the portal: every endpoint the app registers × every role × record kind.

tests/test_access_matrix.py enumerates ``app.url_map`` (and every list action and lookup kind) and fails
when an endpoint has no row here ("new endpoint X: add it to tests/access_matrix.py") or a row names an
endpoint that no longer exists; then it runs every cell as a real request and compares.

Row key: ``"<endpoint> <METHOD>"``, plus ``":<name>"`` for one list action (``action``/``action_post``)
or one lookup kind. Columns: the roles below, in order. A cell is either
  - one code: the outcome for every record kind the role has (and for endpoints without a record), or
  - three codes, for the own / in-scope / out-of-scope record (see RECORDS): "AAN" = own allowed,
    in-scope allowed, out-of-scope 404. ``-`` = the role has no record of that kind (not run).

Legend:
  A  ALLOW      page 200 / API 200-201 (a GET shows the record); a write form POST redirects (302, not to
                the login page) and the change is really made
  H  HIDDEN     200, but the record is not in the answer (lists, exports, lookups, the unit tree: scope)
  N  NOT_FOUND  404 (the scope, or a route that serves nothing)
  F  FORBIDDEN  403 (no permission)
  L  LOGIN      302 to /login/ (pages) or 401 (API, lookups)
  R  REDIRECT   302 elsewhere and nothing changed (navigation, FAB refusing a GET delete)
  M  405        method not allowed (FAB's GET actions: never a state change by GET)
  U  422        refused by the workflow or the rules (API transitions: in scope, but not this person's step)
A refusal (N F L M) never shows another person's name or NIP, and never changes data.
"""
from __future__ import annotations

ROLES = ("Admin", "Pengelola Kinerja", "Pimpinan", "Atasan", "Pegawai", "Pelatih", "anonymous")

# Who plays each role (keys of the `org` fixture, tests/conftest.py).
ACTORS = {"Admin": "admin", "Pengelola Kinerja": "analis", "Pimpinan": "kadis", "Atasan": "kabid",
          "Pegawai": "staff1", "Pelatih": "pelatih", "anonymous": None}

# The records each role is tested on: (own, in scope, out of scope); None = the role has none.
# Users: "in" = another person's account for Admin (everything is in scope), "out" for everyone else.
RECORDS = {
    #                     employee                       unit                         position                     user
    "Admin":             {"employee": (None, "staff1", None), "unit": (None, "p2p", None), "position": (None, "staff", None), "user": ("admin", "staff1", None)},
    "Pengelola Kinerja": {"employee": ("analis", "staff1", None), "unit": ("bkpsdm", "p2p", None), "position": ("analis", "staff", None), "user": ("analis", None, "staff1")},
    "Pimpinan":          {"employee": ("kadis", "staff1", "guru"), "unit": ("dinkes", "p2p", "disdik"), "position": ("kadis", "staff", "guru"), "user": ("kadis", None, "staff1")},
    "Atasan":            {"employee": ("kabid", "staff1", "perawat"), "unit": ("p2p", None, "disdik"), "position": ("kabid", None, "guru"), "user": ("kabid", None, "staff1")},
    "Pegawai":           {"employee": ("staff1", None, "staff2"), "unit": ("p2p", None, "disdik"), "position": ("staff", None, "guru"), "user": ("staff1", None, "staff2")},
    "Pelatih":           {"employee": (None, None, "staff1"), "unit": (None, None, "p2p"), "position": (None, None, "staff"), "user": ("pelatih", None, "staff1")},
    "anonymous":         {"employee": (None, None, "staff1"), "unit": (None, None, "p2p"), "position": (None, None, "staff"), "user": (None, None, "staff1")},
}

# Shorthands for rows that repeat.
ADMIN_ONLY = ("A", "F", "F", "F", "F", "F", "L")
NOBODY = ("F", "F", "F", "F", "F", "F", "L")  # not even Admin: the view does not offer it
EVERYONE_SIGNED_IN = ("A", "A", "A", "A", "A", "A", "L")
PUBLIC = ("A",) * 7
MASTER_READERS = ("A", "A", "A", "F", "F", "F", "L")  # Admin, Pengelola, Pimpinan read units/positions/ranks
GET_ACTION = ("M",) * 7  # PortalModelView.action: 405 before anything else (even anonymous)
NO_ACTIONS = ("N",) * 7  # action_post on a view without list actions: unknown action → 404 (anyone)

EMPLOYEE_LIST = ("-A-", "AA-", "AAH", "AAH", "A-H", "--H", "L")  # Pelatih: no record at all
EMPLOYEE_SHOW = ("-A-", "AA-", "AAN", "AAN", "A-N", "--N", "L")
EMPLOYEE_WRITE = ("-A-", "F", "F", "F", "F", "F", "L")  # only whole-city Admin writes master data
UNIT_LIST = ("-A-", "AA-", "AAH", "F", "F", "F", "L")  # Atasan/Pegawai: no unit permission at all
UNIT_SHOW = ("-A-", "AA-", "AAN", "F", "F", "F", "L")
UNIT_WRITE = ("-A-", "F", "F", "F", "F", "F", "L")
USER_ADMIN = ("AA-", "F", "F", "F", "F", "F", "L")
# FAB refuses a delete by GET when CSRF is on: it flashes and redirects, nothing is deleted.
GET_DELETE = ("-R-", "F", "F", "F", "F", "F", "L")
# The generic file download serves nothing (no model has a file column; FAB's version served any file of
# UPLOAD_FOLDER, unscoped, and was a 500): 404 for whoever may read the view.
DOWNLOAD_EMPLOYEE = ("N", "N", "N", "N", "N", "N", "L")
DOWNLOAD_MASTER = ("N", "N", "N", "F", "F", "F", "L")


def _model_rows(view, list_, show, write, get_delete, download, export=None, actions=None):
    rows = {
        f"{view}.list GET": list_,
        f"{view}.show GET": show,
        f"{view}.add GET": ADMIN_ONLY if write is not NOBODY else NOBODY,
        f"{view}.add POST": ADMIN_ONLY if write is not NOBODY else NOBODY,
        f"{view}.edit GET": write,
        f"{view}.edit POST": write,
        f"{view}.delete GET": get_delete,
        f"{view}.delete POST": write,
        f"{view}.download GET": download,
    }
    if export is not None:
        rows[f"{view}.export GET"] = export
    if actions is None:
        rows[f"{view}.action GET"] = GET_ACTION
        rows[f"{view}.action_post POST"] = NO_ACTIONS
    else:
        rows.update(actions)
    return rows


#                                                 Admin  Pengelola Pimpinan Atasan Pegawai Pelatih anonymous
ACCESS = {
    # --- organisation master data (MVC) -----------------------------------------------------------------
    **_model_rows("EmployeeView", EMPLOYEE_LIST, EMPLOYEE_SHOW, EMPLOYEE_WRITE, GET_DELETE, DOWNLOAD_EMPLOYEE,
                  # export needs can_export: Pegawai and Pelatih read their own record but export nothing
                  export=("-A-", "AA-", "AAH", "AAH", "F", "F", "L"),
                  actions={
                      "EmployeeView.action GET:create_accounts": GET_ACTION,
                      # action_post checks the permission itself: anonymous gets 403, not the login page
                      "EmployeeView.action_post POST:create_accounts": ("-A-", "F", "F", "F", "F", "F", "F"),
                  }),
    **_model_rows("UnitView", UNIT_LIST, UNIT_SHOW, UNIT_WRITE, GET_DELETE, DOWNLOAD_MASTER, export=UNIT_LIST),
    **_model_rows("PositionView", UNIT_LIST, UNIT_SHOW, UNIT_WRITE, GET_DELETE, DOWNLOAD_MASTER, export=UNIT_LIST),
    # ranks are reference data loaded by a migration: read-only even for Admin; one record for everyone
    **_model_rows("RankView", MASTER_READERS, MASTER_READERS, NOBODY, NOBODY, DOWNLOAD_MASTER,
                  export=MASTER_READERS),
    # the audit trail is read-only, even for Admin
    **_model_rows("AuditLogView", ADMIN_ONLY, ADMIN_ONLY, NOBODY, NOBODY, ("N", "F", "F", "F", "F", "F", "L"),
                  export=ADMIN_ONLY),
    "UnitTreeView.tree GET":                     UNIT_LIST,  # Pimpinan: only the own subtree is drawn
    # Profil Saya: redirects to the person's own employee record; Admin/Pelatih (no record) get a page
    "MyProfileView.me GET":                      ("A", "R", "R", "R", "R", "A", "L"),
    "ImportView.form GET":                       ADMIN_ONLY,
    "ImportView.form POST":                      ADMIN_ONLY,  # Admin: the form answers (200) with its result
    "ImportView.template GET":                   ADMIN_ONLY,

    # --- search-as-you-type lookups (JSON) ----------------------------------------------------------------
    "LookupView.lookup GET:employee":            ("-A-", "AA-", "AAH", "AAH", "F", "F", "L"),
    # Atasan may call the unit/position lookups (for employee forms) but has no unit scope: nothing found
    "LookupView.lookup GET:unit":                ("-A-", "AA-", "AAH", "H-H", "F", "F", "L"),
    "LookupView.lookup GET:position":            ("-A-", "AA-", "AAH", "H-H", "F", "F", "L"),

    # --- REST API (session or JWT; 401 without either) -------------------------------------------------
    "EmployeeApi.get_list GET":                  EMPLOYEE_LIST,
    "EmployeeApi.get GET":                       EMPLOYEE_SHOW,
    "EmployeeApi.info GET":                      ADMIN_ONLY,  # _info lists every related record: writers only
    "EmployeeApi.post POST":                     ADMIN_ONLY,
    "EmployeeApi.put PUT":                       EMPLOYEE_WRITE,
    "EmployeeApi.delete DELETE":                 EMPLOYEE_WRITE,
    "UnitApi.get_list GET":                      UNIT_LIST,
    "UnitApi.get GET":                           UNIT_SHOW,
    "UnitApi.info GET":                          ADMIN_ONLY,
    "UnitApi.post POST":                         ADMIN_ONLY,
    "UnitApi.put PUT":                           UNIT_WRITE,
    "UnitApi.delete DELETE":                     UNIT_WRITE,
    "PositionApi.get_list GET":                  UNIT_LIST,
    "PositionApi.get GET":                       UNIT_SHOW,
    "PositionApi.info GET":                      ADMIN_ONLY,
    "PositionApi.post POST":                     ADMIN_ONLY,
    "PositionApi.put PUT":                       UNIT_WRITE,
    "PositionApi.delete DELETE":                 UNIT_WRITE,
    "RankApi.get_list GET":                      MASTER_READERS,
    "RankApi.get GET":                           MASTER_READERS,
    "RankApi.info GET":                          ADMIN_ONLY,
    "MenuApi.get_menu_data GET":                 ADMIN_ONLY,  # FAB's menu API: the portal renders menus itself
    "OpenApi.get GET":                           ADMIN_ONLY,  # the OpenAPI spec
    # Swagger UI: a documentation page, kept as FAB makes it (FAB_API_SWAGGER_UI): Admin only, after login
    "SwaggerView.show GET":                      ADMIN_ONLY,
    # API login: public by design (rate limited); each role logs in with its own password → 200 + tokens,
    # anonymous with a wrong password → 401
    "SecurityApi.login POST":                    ("A", "A", "A", "A", "A", "A", "L"),
    "SecurityApi.refresh POST":                  ("L",) * 7,  # needs a refresh JWT: a session never refreshes

    # --- FAB security views -------------------------------------------------------------------------------
    **_model_rows("PortalUserView", ADMIN_ONLY, USER_ADMIN, USER_ADMIN, ("RR-", "F", "F", "F", "F", "F", "L"),
                  ("N", "F", "F", "F", "F", "F", "L"),
                  actions={
                      # GET "actions" that only open a form (the form posts with a token); anonymous: 403
                      "PortalUserView.action GET:resetmypassword": ("R", "R", "R", "R", "R", "R", "F"),
                      "PortalUserView.action GET:userinfoedit": ("R", "R", "R", "R", "R", "R", "F"),
                      "PortalUserView.action GET:resetpasswords": ("RR-", "F", "F", "F", "F", "F", "F"),
                      "PortalUserView.action GET:unlock": GET_ACTION,
                      "PortalUserView.action_post POST:unlock": ("AA-", "F", "F", "F", "F", "F", "F"),
                      # single-record actions are not list actions: 404 (they were 500s)
                      "PortalUserView.action_post POST:resetmypassword": NO_ACTIONS,
                      "PortalUserView.action_post POST:userinfoedit": NO_ACTIONS,
                      "PortalUserView.action_post POST:resetpasswords": NO_ACTIONS,
                  }),
    "PortalUserView.delete POST":                ("-A-", "F", "F", "F", "F", "F", "L"),  # own: not run (signs out)
    "PortalUserView.userinfo GET":               EVERYONE_SIGNED_IN,
    # roles are defined in code and groups unused: read-only screens, no actions (FAB's "copyrole" removed)
    **_model_rows("PortalRoleView", ADMIN_ONLY, ADMIN_ONLY, NOBODY, NOBODY, NOBODY),
    **_model_rows("PortalGroupView", ADMIN_ONLY, ADMIN_ONLY, NOBODY, NOBODY, NOBODY),
    "PortalRoleView.action POST":                GET_ACTION,  # FAB's single-record action route: 405
    "PortalGroupView.action POST":               GET_ACTION,
    "UserStatsChartView.chart GET":              ADMIN_ONLY,
    "ResetMyPasswordView.this_form_get GET":     EVERYONE_SIGNED_IN,
    "ResetMyPasswordView.this_form_post POST":   EVERYONE_SIGNED_IN,  # own password only
    "ResetPasswordView.this_form_get GET":       USER_ADMIN,  # ?pk=<user>: Admin resets anyone's password
    "ResetPasswordView.this_form_post POST":     USER_ADMIN,
    "UserInfoEditView.this_form_get GET":        EVERYONE_SIGNED_IN,  # own name/e-mail only
    "UserInfoEditView.this_form_post POST":      EVERYONE_SIGNED_IN,

    # --- public by design -------------------------------------------------------------------------------------
    "PortalIndexView.index GET":                 PUBLIC,  # the home page (anonymous: a sign-in prompt)
    "PortalAuthDBView.login GET":                ("R", "R", "R", "R", "R", "R", "A"),  # signed in: to home
    # signed in: to home; anonymous with a wrong password: back to the form
    "PortalAuthDBView.login POST":               ("R", "R", "R", "R", "R", "R", "L"),
    "PortalAuthDBView.logout GET":               ("R",) * 7,
    "LocaleView.index GET":                      ("R",) * 7,  # /lang/<code>: back to the page
    "UtilView.back GET":                         ("R",) * 7,
    "static GET":                                PUBLIC,
    "appbuilder.static GET":                     PUBLIC,
    "favicon GET":                               PUBLIC,
}

# --- performance management (app/performance/admin_views.py) -------------------------------------------------
# Periods have no row scope (one period, "in", for everyone); organisation ratings are keyed by their unit.
_PERIOD = (None, "q1", None)
for _role, _rating in {"Admin": (None, "p2p", None), "Pengelola Kinerja": (None, "p2p", None),
                       "Pimpinan": (None, "p2p", "disdik"), "Atasan": (None, None, "disdik"),
                       "Pegawai": (None, None, "disdik"), "Pelatih": (None, None, "p2p"),
                       "anonymous": (None, None, "p2p")}.items():
    RECORDS[_role]["period"] = _PERIOD
    RECORDS[_role]["orgrating"] = _rating

PERF_WRITERS = ("A", "A", "F", "F", "F", "F", "L")  # Admin and Pengelola Kinerja
PERF_WRITE = ("-A-", "-A-", "F", "F", "F", "F", "L")
PERF_GET_DELETE = ("-R-", "-R-", "F", "F", "F", "F", "L")
ACCESS.update({
    **_model_rows("PeriodView", PERF_WRITE, PERF_WRITE, PERF_WRITE, PERF_GET_DELETE,
                  ("N", "N", "F", "F", "F", "F", "L"), export=PERF_WRITE,
                  actions={
                      "PeriodView.action GET:open_periods": GET_ACTION,
                      "PeriodView.action GET:close_periods": GET_ACTION,
                      "PeriodView.action_post POST:open_periods": ("-A-", "-A-", "F", "F", "F", "F", "F"),
                      "PeriodView.action_post POST:close_periods": ("-A-", "-A-", "F", "F", "F", "F", "F"),
                  }),
    "PeriodView.generate GET":                   PERF_WRITERS,
    "PeriodView.generate POST":                  PERF_WRITERS,
    # Pimpinan read the ratings of their subtree (no export)
    **_model_rows("OrganisationRatingView", ("-A-", "-A-", "-AH", "F", "F", "F", "L"),
                  ("-A-", "-A-", "-AN", "F", "F", "F", "L"), PERF_WRITE, PERF_GET_DELETE, DOWNLOAD_MASTER,
                  export=PERF_WRITE),
    "PeriodView.add GET":                        PERF_WRITERS,
    "PeriodView.add POST":                       PERF_WRITERS,
    "OrganisationRatingView.add GET":            PERF_WRITERS,
    "OrganisationRatingView.add POST":           PERF_WRITERS,
    # by unit: Pimpinan their subtree, Atasan the cascade of their own team (their own unit), others nothing
    "PredikatDistributionView.index GET":        ("-A-", "AA-", "AAN", "F", "F", "F", "L"),
    "CascadeView.index GET":                     ("-A-", "AA-", "AAN", "A-N", "F", "F", "L"),
})

# --- the performance-cycle API (app/performance/api.py; requests built by tests/access_performance.py) ---------
# Records: the plan (and its evaluation, objection) of the role's own / in-scope / out-of-scope employee. Kadis
# and analis have no supervisor (no rater); Budi (staff1) is rated by Siti (kabid), whose supervisor is Ahmad
# (kadis, Pimpinan): Ahmad decides Budi's objections. Every transition is a POST of JSON with the version.
_PERF_RECORDS = {"Admin": (None, "staff1", None), "Pengelola Kinerja": ("analis", "staff1", None),
                 "Pimpinan": ("kadis", "staff1", "guru"), "Atasan": ("kabid", "staff1", "perawat"),
                 "Pegawai": ("staff1", None, "staff2"), "Pelatih": (None, None, "staff1"),
                 "anonymous": (None, None, "staff1")}
for _role, _records in _PERF_RECORDS.items():
    for _kind in ("skp", "evaluation", "objection"):
        RECORDS[_role][_kind] = _records

PERF_LIST = ("-A-", "AA-", "AAH", "AAH", "A-H", "F", "L")
PERF_GET = ("-A-", "AA-", "AAN", "AAN", "A-N", "F", "L")
OWNER_STEP = ("-U-", "AU-", "AUN", "AUN", "A-N", "F", "L")  # the employee's own step; Admin has none
SUBMIT_STEP = ("-U-", "UU-", "UUN", "AUN", "A-N", "F", "L")  # kadis and analis have no rater to submit to
RATER_STEP = ("-U-", "UU-", "UUN", "UAN", "U-N", "F", "L")  # Siti rates Budi
FINALISE_STEP = ("-U-", "UA-", "UUN", "UAN", "U-N", "F", "L")  # the rater, or Pengelola (not on their own)
DECIDE_STEP = ("-U-", "UU-", "UAN", "UUN", "U-N", "F", "L")  # the rater's supervisor: Ahmad for Budi
ACCESS.update({
    "SkpApi.get_list GET":                       PERF_LIST,
    "SkpApi.get GET":                            PERF_GET,
    "SkpApi.submit POST":                        SUBMIT_STEP,
    "SkpApi.withdraw POST":                      OWNER_STEP,
    "SkpApi.reopen POST":                        OWNER_STEP,
    "SkpApi.revise POST":                        OWNER_STEP,
    "SkpApi.approve POST":                       RATER_STEP,
    "SkpApi.return_plan POST":                   RATER_STEP,
    "EvaluationApi.get_list GET":                PERF_LIST,
    "EvaluationApi.get GET":                     PERF_GET,
    "EvaluationApi.self_assessment POST":        OWNER_STEP,
    "EvaluationApi.rate POST":                   RATER_STEP,
    "EvaluationApi.finalise POST":               FINALISE_STEP,
    "EvaluationApi.file_objection POST":         OWNER_STEP,
    "ObjectionApi.get_list GET":                 PERF_LIST,
    "ObjectionApi.get GET":                      PERF_GET,
    "ObjectionApi.explain POST":                 RATER_STEP,
    "ObjectionApi.decide POST":                  DECIDE_STEP,
})

# --- the planning screens (app/performance/planning_views.py; requests built by tests/access_performance.py) ---
# Same records as the API. Pages: everyone with the "Skp" permission (Pelatih none); Admin has no employee
# record, so no plan of their own to start. Form writes refused by the workflow (not this person's step) flash
# and redirect to the plan (R) and change nothing; outside the scope 404.
PLAN_WRITE_OWNER = ("-R-", "AR-", "ARN", "ARN", "A-N", "F", "L")  # only the plan's employee
ACCESS.update({
    "PlanningView.my_plan GET":                  ("A", "A", "A", "A", "A", "F", "L"),
    "PlanningView.inbox GET":                    ("A", "A", "A", "A", "A", "F", "L"),
    "PlanningView.show GET":                     PERF_GET,
    "PlanningView.pdf GET":                      PERF_GET,
    "PlanningView.evidence GET":                 PERF_GET,
    "PlanningView.start POST":                   ("R", "A", "A", "A", "A", "F", "L"),
    "PlanningView.save POST":                    PLAN_WRITE_OWNER,
    "PlanningView.progress POST":                PLAN_WRITE_OWNER,
    "PlanningView.step POST":                    ("-R-", "RR-", "RRN", "RAN", "R-N", "F", "L"),  # approve: Siti
    "PlanningView.feedback POST":                ("-R-", "AR-", "ARN", "AAN", "A-N", "F", "L"),  # owner or rater
})

# --- the evaluation, rating and objection screens (app/performance/evaluation_views.py; requests built by
# tests/access_performance.py). Same records and people as the API above; lists hide what is not mine.
for _role, _records in _PERF_RECORDS.items():
    RECORDS[_role]["evaluation_page"] = _records
    RECORDS[_role]["objection_page"] = _records
ACCESS.update({
    "MyEvaluationsView.index GET":               ("-H-", "AH-", "AHH", "AHH", "A-H", "F", "L"),  # my own only
    "RateListView.index GET":                    ("-H-", "HH-", "HHH", "HAH", "H-H", "F", "L"),  # those I rate
    "EvaluationView.show GET":                   PERF_GET,
    "EvaluationView.pdf GET":                    PERF_GET,  # of a final evaluation
    "EvaluationView.self_assessment POST":       OWNER_STEP,
    "EvaluationView.rate POST":                  RATER_STEP,
    "EvaluationView.finalise POST":              FINALISE_STEP,
    "EvaluationView.file_objection POST":        OWNER_STEP,
    # objections concerning me: as the employee, the rater or the rater's supervisor (Ahmad for Budi's)
    "ObjectionView.index GET":                   ("-H-", "AH-", "AAH", "AAH", "A-H", "F", "L"),
    "ObjectionView.show GET":                    ("-R-", "RR-", "RRN", "RRN", "R-N", "F", "L"),  # → the evaluation page
    "ObjectionView.explain POST":                RATER_STEP,
    "ObjectionView.decide POST":                 DECIDE_STEP,
    # one's own notifications (a fresh one of the signed-in person per cell)
    "NotificationView.index GET":                ("A", "A", "A", "A", "A", "F", "L"),
    "NotificationView.read POST":                ("A", "A", "A", "A", "A", "F", "L"),
    "NotificationView.read_all POST":            ("A", "A", "A", "A", "A", "F", "L"),
})

for _key, _row in ACCESS.items():
    assert len(_row) == len(ROLES), _key
    for _cell in _row:
        assert len(_cell) in (1, 3) and set(_cell) <= set("AHNFLRMU-"), (_key, _cell)

import access_socialization  # noqa: E402  (socialization material and awards: rows and records of their own)
access_socialization.extend(ACCESS, RECORDS)

import access_training  # noqa: E402  (training and socialization sessions: rows and records of their own)
access_training.add_rows(ACCESS, RECORDS)

import access_analytics  # noqa: E402  (rater-bias analytics: rows and records of their own)
access_analytics.add_rows(ACCESS, RECORDS)

import access_dashboards  # noqa: E402  (dashboards: rows and records of their own)
access_dashboards.add_rows(ACCESS, RECORDS)

import access_survey  # noqa: E402  (public satisfaction survey: rows and records of its own)
access_survey.add_rows(ACCESS, RECORDS)
