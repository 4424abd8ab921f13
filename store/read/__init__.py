"""The read side: queries behind `prov ls` / `prov show` (queries.py), the JSON record of a path
(records.py) and of a credential reading (credentials.py)."""
