"""The two releases Kokoro A/B compares, by name: declared once here, the older first.

Every side-by-side surface shows them in this order (v0.19 on the left); nothing above the releases
knows more about a release than its name.
"""

OLD, NEW = "v0.19", "v1.0"
VERSIONS = (OLD, NEW)
