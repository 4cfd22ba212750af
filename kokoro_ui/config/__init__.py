"""Settings: one object read from the environment, and a Space's deployment file merged into it."""
