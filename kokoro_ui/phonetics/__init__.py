"""Phoneme strings as data: the two releases' notations and their mapping (`notation`), pronunciation
overrides in the text (`overrides`), and whether two pronunciations sound the same (`phoneme_diff`).

Pure string work below the releases: the front ends in `builds/` use it, and so do the services above.
"""
