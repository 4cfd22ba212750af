"""Where a release's files come from, and how they are checked on the way in.

`spec` names a release's files and hub coordinates, `sources` serves them from a folder or the
hub, `resolve` chooses a source from the ``KOKORO_UI_WEIGHTS`` setting, `synthetic` and
`packaged` build sources where the hub is out of reach, `checkpoint` loads a checkpoint into
`KModel` strictly, and `voices` is the only way a voice name becomes a file. Nothing here runs
a forward pass or knows a front end.
"""
