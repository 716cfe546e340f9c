"""User accounts for employees: log in with the NIP, roles that follow the employee record, bulk creation."""
