"""The portal's roles, defined in code (FAB_ROLES: regex pairs, zero queries per permission check).

Each role maps to (view-name regex, permission regex) pairs. View names are the ``class_permission_name``
of our views (one per domain object, shared by its MVC view and its REST API) and FAB's own security
views. ``can_read`` covers list/show/REST get/export; ``can_write`` add/edit/delete/REST post/put/delete.
`flask portal sync-roles` writes these roles into ab_role so they can be assigned to users.
"""
ADMIN = "Admin"
PENGELOLA = "Pengelola Kinerja"
PIMPINAN = "Pimpinan"
ATASAN = "Atasan"
PEGAWAI = "Pegawai"
PELATIH = "Pelatih"

ALL_ROLES = [ADMIN, PENGELOLA, PIMPINAN, ATASAN, PEGAWAI, PELATIH]
# Roles whose row scope is the whole city.
GLOBAL_SCOPE_ROLES = {ADMIN, PENGELOLA}

# What every signed-in person may do: their own profile, password and language.
_SELF_SERVICE = [
    ("MyProfile", "can_read"),
    ("Employee", "can_read"),  # the scope limits this to their own record

    ("UserDBModelView", "can_userinfo"),
    ("UserDBModelView", "(resetmypassword|userinfoedit)"),
    ("ResetMyPasswordView", "can_this_form_(get|post)"),
    ("UserInfoEditView", "can_this_form_(get|post)"),
    ("My Profile", "menu_access"),
]

_MASTER_READ = [
    ("(Unit|Position|Rank|Employee|UnitTree|Lookup)", "can_(read|export)"),
    ("(Master Data|Units|Unit Tree|Positions|Ranks|Employees)", "menu_access"),
]

# Performance management (app/performance/admin_views.py): periods and organisation ratings are written by
# the Pengelola Kinerja; Pimpinan read the ratings, the distribution and the cascade of their subtree; an
# Atasan sees the cascade of their own team.
_PERFORMANCE_ADMIN = [
    ("(Period|OrganisationRating)$", "can_(read|write|export)"),
    ("(PredikatDistribution|Cascade)$", "can_read"),
    ("(Performance|Periods|Organisation Ratings|Predikat Distribution|Cascade Tree)$", "menu_access"),
]
_PERFORMANCE_PIMPINAN = [
    ("(OrganisationRating|PredikatDistribution|Cascade)$", "can_read"),
    ("(Performance|Organisation Ratings|Predikat Distribution|Cascade Tree)$", "menu_access"),
]
_PERFORMANCE_ATASAN = [
    ("Cascade$", "can_read"),
    ("(Performance|Cascade Tree)$", "menu_access"),
]

# The performance cycle (SKP, evaluations, objections): every employee role reads and acts; the row scope
# and the workflow decide which records and which transitions (app/performance/api.py, services.py).
_PERFORMANCE = [("(Skp|Evaluation|Objection)$", "can_(read|write)")]
# The evaluation, rating and objection screens (app/performance/evaluation_views.py) share the permissions of
# "Evaluation" and "Objection"; every employee reads and marks their own notifications.
_PERFORMANCE += [
    ("Notification$", "can_(read|write)"),
    ("(Kinerja|My Evaluations|Evaluations To Rate|Objections|Notifications)$", "menu_access"),
]
# The planning screens (app/performance/planning_views.py) share the permissions of "Skp".
_PERFORMANCE += [("(Kinerja|My Plan|Plans to approve)$", "menu_access")]

ROLE_PERMISSIONS = {
    ADMIN: [(".*", ".*")],
    PENGELOLA: _SELF_SERVICE + _MASTER_READ + _PERFORMANCE_ADMIN + _PERFORMANCE,
    PIMPINAN: _SELF_SERVICE + _MASTER_READ + _PERFORMANCE_PIMPINAN + _PERFORMANCE,
    ATASAN: _SELF_SERVICE + [
        ("(Employee|Lookup)", "can_(read|export)"),
        ("(Master Data|Employees)", "menu_access"),
    ] + _PERFORMANCE_ATASAN + _PERFORMANCE,
    PEGAWAI: _SELF_SERVICE + _PERFORMANCE,
    PELATIH: _SELF_SERVICE,
}

# Socialization material (app/socialization): everyone reads what is published to them and confirms it; the
# Pengelola Kinerja writes material and sees its reach city-wide; a Pimpinan sees the reach in their subtree.
_SOCIALIZATION_READ = [("Material$", "can_(read|acknowledge)"), ("Socialization Material$", "menu_access")]
_SOCIALIZATION_MANAGE = [("(MaterialAdmin|MaterialReach)$", "can_(read|write|export)"),
                         ("(Performance|Manage Material|Material Reach)$", "menu_access")]
_SOCIALIZATION_REACH = [("MaterialReach$", "can_(read|export)"), ("(Performance|Material Reach)$", "menu_access")]
for _role in (PENGELOLA, PIMPINAN, ATASAN, PEGAWAI, PELATIH):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _SOCIALIZATION_READ
ROLE_PERMISSIONS[PENGELOLA] = ROLE_PERMISSIONS[PENGELOLA] + _SOCIALIZATION_MANAGE
ROLE_PERMISSIONS[PIMPINAN] = ROLE_PERMISSIONS[PIMPINAN] + _SOCIALIZATION_REACH

# Awards (app/awards, penghargaan): the Pengelola Kinerja decides on the candidates; a Pimpinan reads the
# candidates and awards of their subtree; every employee sees their own awards.
_AWARDS_MANAGE = [("Award$", "can_(read|write|export)"), ("(Performance|Award Candidates|Awards)$", "menu_access")]
_AWARDS_READ = [("Award$", "can_(read|export)"), ("(Performance|Award Candidates|Awards)$", "menu_access")]
_MY_AWARDS = [("MyAward$", "can_read"), ("(Kinerja|My Awards)$", "menu_access")]
for _role in (PENGELOLA, PIMPINAN, ATASAN, PEGAWAI):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _MY_AWARDS
ROLE_PERMISSIONS[PENGELOLA] = ROLE_PERMISSIONS[PENGELOLA] + _AWARDS_MANAGE
ROLE_PERMISSIONS[PIMPINAN] = ROLE_PERMISSIONS[PIMPINAN] + _AWARDS_READ

# Training and socialization sessions (app/training): the Pengelola Kinerja organises (topics, sessions,
# invitations, external trainings, JP targets, need rules, training needs); a Pelatih runs the sessions they
# train (roster: attendance, scores, certificates, check-in code, closing); a Pimpinan reads the participation,
# ledger and needs of their subtree, an Atasan their team's; every employee sees their own invitations, checks
# in, gives feedback, records external trainings and reads their JP ledger. The row scope decides the rows.
_TRAINING = {
    PENGELOLA: [("(TrainingTopic|TrainingSession|TrainingParticipant|ExternalTraining|JpTarget|TrainingNeedRule"
                 "|TrainingNeeds|JpLedger)$", "can_(read|write|export|roster|verify)"),
                ("TrainingFeedback$", "can_read"),
                ("(Training|Training Sessions|Participants|External Trainings|JP Ledger|Training Needs"
                 "|Training Feedback|Training Topics|Training Need Rules|JP Targets)$", "menu_access")],
    PIMPINAN: [("(TrainingSession|TrainingTopic|TrainingNeeds)$", "can_read"),
               ("(TrainingParticipant|ExternalTraining|JpLedger)$", "can_(read|export)"),
               ("(Training|Training Sessions|Participants|External Trainings|JP Ledger|Training Needs"
                "|Training Topics)$", "menu_access")],
    ATASAN: [("(TrainingSession|TrainingParticipant|ExternalTraining|JpLedger)$", "can_read"),
             ("(Training|Training Sessions|Participants|External Trainings|JP Ledger)$", "menu_access")],
    PEGAWAI: [("(MyTraining|ExternalTraining)$", "can_(read|write)"), ("TrainingSession$", "can_(read|participate)"),
              ("(TrainingParticipant|JpLedger)$", "can_read"),
              ("(Training|My Training|External Trainings|JP Ledger)$", "menu_access")],
    PELATIH: [("TrainingSession$", "can_(read|roster)"), ("TrainingParticipant$", "can_(read|write|export)"),
              ("(TrainerSessions|TrainingFeedback|TrainingTopic)$", "can_read"),
              ("(Training|My Sessions|Training Sessions|Training Feedback|Training Topics)$", "menu_access")],
}
for _role, _perms in _TRAINING.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms

# Rater-bias analytics (app/analytics, "subjektivitas penilaian"): Admin and the Pengelola Kinerja see every
# rater; a Pimpinan the raters of their subtree, an Atasan the raters below them in the supervisor chain (the
# rater's own leadership chain; app/analytics/scope.py decides the rows: never peers, subordinates or the rater).
_RATER_BIAS = {
    PENGELOLA: [("RaterBias$", "can_(read|export)"), ("(Performance|Rater Bias)$", "menu_access")],
    PIMPINAN: [("RaterBias$", "can_(read|export)"), ("(Performance|Rater Bias)$", "menu_access")],
    ATASAN: [("RaterBias$", "can_(read|export)"), ("(Performance|Rater Bias)$", "menu_access")],
}
for _role, _perms in _RATER_BIAS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms

# Public satisfaction survey (app/survey, IKM): the Pengelola Kinerja manages the service units and campaigns
# and reads every result; a Pimpinan reads the results of their subtree, the head of a unit (an Atasan) their
# unit's (app/survey/scope.py decides the rows). The citizen's form needs no account.
_SURVEY = {
    PENGELOLA: [("SurveyCampaign$", "can_(read|write|export)"), ("SurveyResult$", "can_(read|export)"),
                ("(Performance|Survey Results|Survey Campaigns|Survey Service Units)$", "menu_access")],
    PIMPINAN: [("SurveyResult$", "can_(read|export)"), ("(Performance|Survey Results)$", "menu_access")],
    ATASAN: [("SurveyResult$", "can_(read|export)"), ("(Performance|Survey Results)$", "menu_access")],
}
for _role, _perms in _SURVEY.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms

# Dashboards (app/dashboards): Pengelola Kinerja (and Admin) see the whole city, a Pimpinan their unit subtree
# (the row scope picks the units); the charts' CSV downloads and the REST API share the permission.
_DASHBOARDS = [("Dashboard$", "can_read"), ("Dashboards$", "menu_access")]
for _role in (PENGELOLA, PIMPINAN):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _DASHBOARDS

# Human descriptions for the README and the role page.
ROLE_DESCRIPTIONS = {
    ADMIN: "Administrator Sistem: master data, user accounts, imports, audit trail (whole city)",
    PENGELOLA: "Pengelola Kinerja (BKPSDM): periods, organisation ratings, city-wide reports (read-only master data)",
    PIMPINAN: "Pimpinan: read-only view of their own unit subtree",
    ATASAN: "Atasan / Pejabat Penilai: their own record and their subordinates'",
    PEGAWAI: "Pegawai: their own record only",
    PELATIH: "Pelatih: training sessions and attendance (own record for master data)",
}


def fab_roles() -> dict:
    """The FAB_ROLES config value."""
    return {name: list(perms) for name, perms in ROLE_PERMISSIONS.items()}


def roles_for_employee(has_subordinates: bool, current: set) -> set:
    """Roles an employee's account should hold: always Pegawai; Atasan exactly when they have
    subordinates; other roles (Admin, Pengelola, Pimpinan, Pelatih) are assigned by hand and kept."""
    roles = set(current) | {PEGAWAI}
    if has_subordinates:
        roles.add(ATASAN)
    else:
        roles.discard(ATASAN)
    return roles
