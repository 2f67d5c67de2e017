"""Database access: the embedded server, engines and sessions, migrations and schema checks."""
