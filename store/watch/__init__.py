"""What `prov watch` does to the catalog: the watch loop's callbacks (callbacks.py), reconcile,
moves and deletions (changes.py), and watcher heartbeats and catalog totals (heartbeats.py)."""
