"""The catalog itself: opening it (db.py), its tables (models.py), the SQL that differs between
SQLite and PostgreSQL (dialect.py), path keys and lookups (paths.py) and the "at or below a
path" filter (path_filter.py). Migrations are in store/migrations/."""
