"""Pure business rules: NIP parsing, identity consistency, loops in trees, names, roles, passwords, scope.

No database and no request: the autouse fixture only provides an app context so that lazy (translated)
messages can be rendered with str().
"""
import re
from datetime import date

import pytest

from app.organisation import rules
from app.organisation.rules import NipError, creates_cycle, full_name, identity_problems, parse_nip
from app.security import roles as R
from app.security.passwords import generate_password, password_problems
from app.security.scope import build_scope

VALID = "198609262015051001"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids), whatever catalogs exist."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield  # born 1986-09-26, CPNS March 2015-05, male, sequence 001


# --- NIP ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("nip, birth, start, gender, seq", [
    (VALID, date(1986, 9, 26), (2015, 5), "L", "001"),
    ("199203152019032002", date(1992, 3, 15), (2019, 3), "P", "002"),
    ("200002292020011001", date(2000, 2, 29), (2020, 1), "L", "001"),  # leap day is a real date
    ("198609262004091001", date(1986, 9, 26), (2004, 9), "L", "001"),  # start == month of the 18th birthday
    ("  198609262015051001 ", date(1986, 9, 26), (2015, 5), "L", "001"),  # surrounding spaces trimmed
    ("198609262015051999", date(1986, 9, 26), (2015, 5), "L", "999"),
])
def test_parse_nip_valid(nip, birth, start, gender, seq):
    info = parse_nip(nip)
    assert info.birth_date == birth
    assert (info.start_year, info.start_month) == start
    assert info.gender == gender
    assert info.sequence == seq
    assert parse_nip(nip, "CPNS") == info  # CPNS use the PNS layout


@pytest.mark.parametrize("nip, words", [
    ("", ["required"]),
    (None, ["required"]),
    ("   ", ["required"]),
    ("198602302015051001", ["1-8", "birth date"]),  # 30 February
    ("198613012015051001", ["1-8", "birth date"]),  # month 13 of birth
    ("198609002015051001", ["1-8", "birth date"]),  # day 0
    ("189912312015051001", ["1-8", "birth date"]),  # before 1900
    ("198609262015131001", ["9-14", "start month"]),  # start month 13
    ("198609262015001001", ["9-14", "start month"]),  # start month 00
    ("198609262004081001", ["18th birthday"]),  # one month before the 18th birthday
    ("198609261990011001", ["18th birthday"]),  # start before birth
    ("198609262015050001", ["15", "1 (male) or 2 (female)"]),  # gender digit 0
    ("198609262015053001", ["15", "1 (male) or 2 (female)"]),  # gender digit 3
    ("198609262015059001", ["15", "1 (male) or 2 (female)"]),
    ("19860926201505100", ["18 digits", "17"]),  # 17 digits
    ("1986092620150510011", ["18 digits", "19"]),  # 19 digits
    ("19860926201505100A", ["digits only"]),  # a letter
    ("1986-09-26-2015051", ["digits only"]),
    ("198609262015 51001", ["digits only"]),  # an inner space is not trimmed away
    ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", ["digits only"]),  # non-ASCII digits
])
def test_parse_nip_invalid(nip, words):
    with pytest.raises(NipError) as info:
        parse_nip(nip)
    message = str(info.value.message)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("nip", [
    "999999999999999999",  # no date layout at all
    "000000000000000000",
    "198602302015053001",  # would be an invalid PNS NIP: PPPK numbers are only checked as 18 digits
])
def test_pppk_number_any_18_digit_layout_accepted(nip):
    assert parse_nip(nip, "PPPK") is None


@pytest.mark.parametrize("nip", ["99999999999999999", "9999999999999999999", "99999999999999999X", ""])
def test_pppk_number_must_be_18_digits(nip):
    with pytest.raises(NipError):
        parse_nip(nip, "PPPK")


def test_nip_error_is_a_value_error_with_readable_text():
    with pytest.raises(ValueError) as info:
        parse_nip("123")
    assert "18" in str(info.value)


# --- identity consistency ------------------------------------------------------------------------------

def test_identity_consistent():
    assert identity_problems(VALID, "PNS", "L", date(1986, 9, 26)) == {}
    assert identity_problems(VALID, "PNS", None, None) == {}  # unknown parts are not contradicted


def test_identity_gender_mismatch_names_the_gender_field():
    problems = identity_problems(VALID, "PNS", "P", date(1986, 9, 26))
    assert set(problems) == {"gender"}
    assert "15" in str(problems["gender"])


def test_identity_birth_date_mismatch_names_the_birth_date_field():
    problems = identity_problems(VALID, "PNS", "L", date(1986, 9, 27))
    assert set(problems) == {"birth_date"}
    assert "1986-09-26" in str(problems["birth_date"])


def test_identity_both_mismatches():
    assert set(identity_problems(VALID, "PNS", "P", date(1990, 1, 1))) == {"gender", "birth_date"}


def test_identity_bad_nip_reports_only_the_nip():
    problems = identity_problems("12345", "PNS", "P", date(1990, 1, 1))
    assert set(problems) == {"nip"}
    assert "18" in str(problems["nip"])


def test_identity_pppk_only_checks_length():
    assert identity_problems("999999999999999999", "PPPK", "P", date(1990, 1, 1)) == {}
    assert set(identity_problems("9999", "PPPK", "P", date(1990, 1, 1))) == {"nip"}


# --- loops -------------------------------------------------------------------------------------------

def _parents(mapping):
    return lambda node: mapping.get(node)


def test_no_cycle_for_root_or_fresh_parent():
    tree = {"b": "a", "c": "b"}
    assert not creates_cycle("x", None, _parents(tree))
    assert not creates_cycle("d", "c", _parents(tree))  # d under c: a ← b ← c ← d
    assert not creates_cycle("c", "a", _parents(tree))  # moving c up is fine


def test_cycle_self():
    assert creates_cycle("a", "a", _parents({}))


def test_cycle_two_nodes():
    # b reports to a; making a report to b closes a 2-loop
    assert creates_cycle("a", "b", _parents({"b": "a"}))


def test_cycle_long_chain():
    chain = {f"n{i}": f"n{i - 1}" for i in range(1, 500)}  # n499 → … → n0
    assert creates_cycle("n0", "n499", _parents(chain))
    assert not creates_cycle("other", "n499", _parents(chain))


def test_cycle_pre_existing_loop_upstream_is_refused_and_terminates():
    loop = {"p": "q", "q": "r", "r": "p"}  # a loop that already exists (bad data)
    assert creates_cycle("x", "p", _parents(loop))


def test_cycle_with_integer_ids():
    assert creates_cycle(1, 3, _parents({3: 2, 2: 1}))
    assert not creates_cycle(4, 3, _parents({3: 2, 2: 1}))


# --- names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("parts, expected", [
    (("Siti Aminah", "Dr.", "S.Pd., M.Pd."), "Dr. Siti Aminah, S.Pd., M.Pd."),
    (("Siti Aminah", None, None), "Siti Aminah"),
    (("Siti Aminah", "", ""), "Siti Aminah"),
    (("  Siti Aminah ", " dr. ", None), "dr. Siti Aminah"),
    (("Budi Santoso", None, " S.Kom. "), "Budi Santoso, S.Kom."),
    (("Budi", "Ir.", "M.T."), "Ir. Budi, M.T."),
])
def test_full_name(parts, expected):
    assert full_name(*parts) == expected


# --- roles -------------------------------------------------------------------------------------------

def test_roles_for_employee_always_pegawai():
    assert R.roles_for_employee(False, set()) == {R.PEGAWAI}


def test_roles_for_employee_atasan_exactly_with_subordinates():
    assert R.roles_for_employee(True, {R.PEGAWAI}) == {R.PEGAWAI, R.ATASAN}
    assert R.roles_for_employee(False, {R.PEGAWAI, R.ATASAN}) == {R.PEGAWAI}


def test_roles_for_employee_keeps_hand_assigned_roles():
    current = {R.ADMIN, R.PENGELOLA, R.PIMPINAN, R.PELATIH}
    assert R.roles_for_employee(False, current) == current | {R.PEGAWAI}
    assert R.roles_for_employee(True, current) == current | {R.PEGAWAI, R.ATASAN}


def test_roles_for_employee_does_not_mutate_its_argument():
    current = {R.ATASAN}
    R.roles_for_employee(False, current)
    assert current == {R.ATASAN}


def test_fab_roles_cover_every_role_and_only_admin_has_everything():
    fab = R.fab_roles()
    assert set(fab) == set(R.ALL_ROLES)
    for name, perms in fab.items():
        has_all = (".*", ".*") in perms
        assert has_all == (name == R.ADMIN), name
        # nobody but Admin may write master data (the performance cycle's records are written by the people
        # its workflow and row scope allow: transitions, periods and ratings by Pengelola, notifications)
        master = ("Unit", "Position", "Rank", "Employee", "AuditLog", "Import", "UnitTree", "Lookup")
        if name != R.ADMIN:
            assert not any(re.match(view, m) and re.match(p, "can_write") for view, p in perms for m in master), name


# --- password policy ---------------------------------------------------------------------------------

@pytest.mark.parametrize("password, n_problems", [
    ("Rahasia12345", 0),
    ("Abcdefghi1", 0),
    ("Abcdefgh1", 1),  # 9 characters
    ("abcdefghij1", 1),  # no upper case
    ("ABCDEFGHIJ1", 1),  # no lower case
    ("Abcdefghijk", 1),  # no digit
    ("198609262015051001", 3),  # a NIP: no letters, digits only
    ("", 4),
    (None, 4),
])
def test_password_problems(password, n_problems):
    problems = password_problems(password)
    assert len(problems) == n_problems, [str(p) for p in problems]


def test_generated_passwords_meet_the_policy():
    for _ in range(20):
        password = generate_password()
        assert password_problems(password) == []
        assert len(password) == 14


# --- scope construction ------------------------------------------------------------------------------

def test_build_scope():
    assert build_scope([R.ADMIN], None, None).everything
    assert build_scope([R.PENGELOLA, R.PEGAWAI], 7, 3).everything
    pegawai = build_scope([R.PEGAWAI], 7, 3)
    assert (pegawai.everything, pegawai.employee_id, pegawai.subordinates_of, pegawai.unit_root_id) == \
        (False, 7, None, None)
    atasan = build_scope([R.PEGAWAI, R.ATASAN], 7, 3)
    assert (atasan.subordinates_of, atasan.unit_root_id) == (7, None)
    pimpinan = build_scope([R.PEGAWAI, R.ATASAN, R.PIMPINAN], 7, 3)
    assert (pimpinan.subordinates_of, pimpinan.unit_root_id) == (7, 3)
    assert build_scope([R.PELATIH], None, None).empty  # an account with no employee record sees nothing
    assert build_scope([R.ATASAN], None, None).empty


def test_vocabularies_are_consistent():
    assert rules.GRADE_MIN == 1 and rules.GRADE_MAX == 17
    assert len(rules.PNS_RANKS) == 17 and len(rules.PPPK_RANKS) == 17
    for ptype, levels in rules.POSITION_LEVELS.items():
        assert ptype in rules.POSITION_TYPES
        for level in levels or {}:
            assert level in rules.ALL_POSITION_LEVELS
