"""The genAI risk policy over catalogued versions: classifying them (classify.py), the
declarations that apply (declarations.py), what a version's credentials say (facts.py),
decisions and reports (approvals.py) and the delivery gate and escalations (gate.py)."""
