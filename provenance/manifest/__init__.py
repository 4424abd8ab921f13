"""What a C2PA manifest says, read one way and written the same way. Pure (no c2pa import).

- assertions: the accessors for actions, software agents, digital source types, claim
  generators and ingredients. Detection, `prov show` and the signing code all go through
  them, so they agree on what counts (issue 9).
- graph: the manifest store (Reader.json()) as a graph of manifests and the signals each
  holds; ai_detect and tool_names interpret it.
- view: what `prov show` prints: the actions and the ingredient tree.
- definition: the Builder JSON the project signs (c2pa_io.sign_* take it).
"""
