"""Voice samples for the gallery: each rendered once and kept on disk (`cache`), and every voice's
rendered ahead of time in the background, never ahead of a visitor (`renderer`)."""
