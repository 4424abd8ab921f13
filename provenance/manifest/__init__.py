"""One manifest (an entry of c2pa-python's Reader.json()["manifests"]) read one way. Pure.

- assertions: the accessors for actions, software agents, digital source types, claim
  generators and ingredients. Detection (graph, ai_detect, tool_names), `prov show` (view)
  and the signing helpers (c2pa_io) all go through them, so they agree on what counts.
- graph: the manifest store as a graph of manifests and the signals each holds.
- view: what `prov show` prints: the actions and the ingredient tree.
"""
