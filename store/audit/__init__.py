"""The hash-chained audit log: appending and verifying the chain (chain.py), the rows each event
vouches for and their check (rows.py), and the guards writers and `prov audit verify` use
(guard.py). Import from those modules; this package re-exports nothing."""
