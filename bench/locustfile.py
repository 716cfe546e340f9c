"""Locust scenario of the e-Kinerja portal: a realistic mix of roles (run by bench/load.py).

Accounts and the record ids each one may open come from the JSON file named by LOAD_ACCOUNTS (written by
bench/load.py from the generated database). Think time per simulated person: LOAD_WAIT="min,max" seconds.

    Pegawai   (weight 10): own profile, own record, home page; now and then signs out and in again
    Atasan    (weight 5):  subordinates list, a subordinate's record, search-as-you-type lookup
    Pimpinan  (weight 2):  unit tree, employee list pages of their subtree, a record, unit list
    Admin     (weight 1):  employee list pages and name search, a record, unit list, lookup, CSV export
    API       (weight 2):  JWT login, then REST reads: employee list pages, one employee, units
Every request counts as an error when its status is not the expected one (locust: >= 400, plus checks
below). Requests are grouped under readable names ("employee show", not one line per id).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as _fh:
    DATA = json.load(_fh)
_WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "0.2,1.0").split(",")]
_NEXT = {role: itertools.count() for role in DATA["accounts"]}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def next_account(role: str) -> dict:
    """Round-robin over the accounts of a role, so the simulated people are different persons."""
    accounts = DATA["accounts"][role]
    return accounts[next(_NEXT[role]) % len(accounts)]


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(*_WAIT)
    role = ""

    def on_start(self):
        self.account = next_account(self.role)
        self.login()

    def login(self):
        page = self.client.get("/login/", name="login page")
        match = CSRF.search(page.text or "")
        form = {"username": self.account["username"], "password": DATA["password"],
                "csrf_token": match.group(1) if match else ""}
        with self.client.post("/login/", data=form, name="login (form)", allow_redirects=False,
                              catch_response=True) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/login" in location:
                response.failure(f"login refused ({response.status_code} → {location or 'no redirect'})")

    def logout(self):
        self.client.get("/logout/", name="logout", allow_redirects=False)

    def show(self, ids, name="employee show"):
        if ids:
            self.client.get(f"/employeeview/show/{random.choice(ids)}", name=name)

    def term(self) -> str:
        return random.choice(DATA["search_terms"])


class Pegawai(PortalUser):
    weight = 10
    role = "Pegawai"

    @task(4)
    def my_profile(self):
        self.client.get("/my-profile/", name="my profile")

    @task(4)
    def own_record(self):
        self.show([self.account["employee_id"]], name="employee show (own)")

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(1)
    def sign_in_again(self):
        self.logout()
        self.login()


class Atasan(PortalUser):
    weight = 5
    role = "Atasan"

    @task(4)
    def subordinates(self):
        self.client.get("/employeeview/list/", name="employee list (subordinates)")

    @task(3)
    def subordinate_record(self):
        self.show(self.account["in_scope"], name="employee show (subordinate)")

    @task(3)
    def lookup(self):
        self.client.get(f"/lookup/employee?q={self.term()}", name="lookup employee")


class Pimpinan(PortalUser):
    weight = 2
    role = "Pimpinan"

    @task(3)
    def unit_tree(self):
        self.client.get("/unit-tree/", name="unit tree")

    @task(4)
    def employee_list(self):
        self.client.get(f"/employeeview/list/?page_EmployeeView={random.randint(0, 4)}",
                        name="employee list (subtree)")

    @task(3)
    def record(self):
        self.show(self.account["in_scope"], name="employee show (subtree)")

    @task(1)
    def units(self):
        self.client.get("/unitview/list/", name="unit list")


class Admin(PortalUser):
    weight = 1
    role = "Admin"

    @task(4)
    def employee_list(self):
        pages = max(1, DATA["employees"] // 25)
        self.client.get(f"/employeeview/list/?page_EmployeeView={random.randint(0, pages - 1)}",
                        name="employee list (city, page N)")

    @task(3)
    def search(self):
        self.client.get(f"/employeeview/list/?_flt_2_name={self.term()}", name="employee search (name)")

    @task(3)
    def record(self):
        self.show(DATA["sample_employee_ids"], name="employee show (any)")

    @task(1)
    def units(self):
        self.client.get("/unitview/list/", name="unit list")

    @task(1)
    def lookup(self):
        self.client.get(f"/lookup/unit?q={random.choice(DATA['unit_terms'])}", name="lookup unit")

    @task(1)
    def export(self):
        self.client.get("/employeeview/export/csv/", name="export CSV (all employees)")


class ApiClient(HttpUser):
    """An integration reading the REST API with a JWT (the Admin accounts)."""

    weight = 2
    wait_time = between(*_WAIT)

    def on_start(self):
        self.account = next_account("Admin")
        self.token = ""
        self.api_login()

    def api_login(self):
        body = {"username": self.account["username"], "password": DATA["password"], "provider": "db",
                "refresh": False}
        with self.client.post("/api/v1/security/login", json=body, name="API login (JWT)",
                              catch_response=True) as response:
            if response.status_code == 200:
                self.token = response.json().get("access_token", "")
            else:
                response.failure(f"API login refused ({response.status_code})")

    def get(self, url, name):
        self.client.get(url, name=name, headers={"Authorization": f"Bearer {self.token}"})

    @task(4)
    def employee_page(self):
        pages = max(1, DATA["employees"] // 25)
        self.get(f"/api/v1/employee/?q=(page:{random.randint(0, pages - 1)},page_size:25)",
                 "API employee list (page N)")

    @task(4)
    def employee(self):
        self.get(f"/api/v1/employee/{random.choice(DATA['sample_employee_ids'])}", "API employee get")

    @task(1)
    def units(self):
        self.get("/api/v1/unit/?q=(page_size:100)", "API unit list 100")
