"""What the Listening test tab says and offers in each design: its intro, the lines around the
vote, the vote buttons (with the words P.800 and CMOS give each score) and the clips it plays; and
the headphone check's words and answer buttons."""

import json
from dataclasses import dataclass

from kokoro_ui.abtest.design import AB, ABX, CMOS, MOS


@dataclass(frozen=True)
class Wording:
    """What the tab says and offers in one mode."""

    intro: str
    locked: str
    unlocked: str
    votes: list[tuple[str, str, str, str]]  # (choice, button text, elem_id, key that presses it)
    clips: tuple[str, ...]


AB_WORDING = Wording(
    "## Blind listening test\nYou will hear {n} pairs of clips, **A** and **B**: the same sentence and voice, "
    "spoken by the two Kokoro releases in an order that nobody shows you. Play both, then pick the one you "
    "prefer (or say you have no preference). One pair comes twice. At the end we reveal which was which.",
    "Play **both** clips, A and B, to the end. Then the vote opens.",
    "You heard both. Which one sounds better to you?",
    [("A", "A sounds better", "vote-a", "a"), ("none", "No preference", "vote-none", "n"), ("B", "B sounds better", "vote-b", "b")],
    ("A", "B"))
ABX_WORDING = Wording(
    "## Blind listening test (ABX)\nYou will hear {n} sets of three clips: **A** and **B** are the same sentence "
    "and voice spoken by the two Kokoro releases, in an order nobody shows you; **X** is one of them again. Play "
    "all three, then say whether X is A or B. If you cannot tell, make your best guess. At the end we reveal "
    "which was which.",
    "Play **all three** clips, A, B and X, to the end. Then you can answer.",
    "You heard all three. Is X the same as A, or as B?",
    [("A", "X is A", "vote-a", "a"), ("B", "X is B", "vote-b", "b")],
    ("A", "B", "X"))
MOS_WORDING = Wording(
    "## Blind listening test (MOS)\nYou will hear {n} clips, one at a time, each a sentence spoken by one of two "
    "Kokoro releases; nobody shows you which. Play each clip, then rate how natural it sounds, from 5 "
    "(Excellent) to 1 (Bad). At the end we reveal which release spoke each clip.",
    "Play the clip to the end. Then you can rate it.",
    "You heard it. How natural does it sound?",
    [("5", "5 Excellent", "vote-5", "5"), ("4", "4 Good", "vote-4", "4"), ("3", "3 Fair", "vote-3", "3"), ("2", "2 Poor", "vote-2", "2"),
     ("1", "1 Bad", "vote-1", "1")],
    ("A",))
CMOS_WORDING = Wording(
    "## Blind listening test (CMOS)\nYou will hear {n} pairs of clips, **A** and **B**: the same sentence and "
    "voice, spoken by the two Kokoro releases in an order that nobody shows you. Play both, then say how B "
    "sounds compared with A, from -3 (much worse) to +3 (much better). One pair comes twice. At the end we "
    "reveal which was which.",
    "Play **both** clips, A and B, to the end. Then you can rate B against A.",
    "You heard both. Compared with A, B sounds…",
    [("-3", "-3 Much worse", "vote-cmos-m3", "1"), ("-2", "-2 Worse", "vote-cmos-m2", "2"),
     ("-1", "-1 Slightly worse", "vote-cmos-m1", "3"), ("0", "0 About the same", "vote-cmos-0", "4"),
     ("1", "+1 Slightly better", "vote-cmos-p1", "5"), ("2", "+2 Better", "vote-cmos-p2", "6"),
     ("3", "+3 Much better", "vote-cmos-p3", "7")],
    ("A", "B"))
SCREENING_INTRO = ("**First, a short headphone check.** Put on headphones and set a comfortable volume. You will "
                   "hear three tones, three times; each time, say which tone was the quietest.")
SCREENING_LOCKED = "Play the sound to the end: three tones. Then say which one was the quietest."
SCREENING_UNLOCKED = "You heard all three tones. Which one was the quietest?"
SCREENING_ANSWERS = [("1", "1 (the first tone)", "screen-1", "1"), ("2", "2 (the second tone)", "screen-2", "2"),
                     ("3", "3 (the third tone)", "screen-3", "3")]  # (answer, button text, elem_id, key)
CHOICE_WORDS = {"A": "A", "B": "B", "none": "no preference"}
WORDINGS = {AB: AB_WORDING, ABX: ABX_WORDING, MOS: MOS_WORDING, CMOS: CMOS_WORDING}


def wording(mode: str) -> Wording:
    return WORDINGS[mode]


def keys_line(words: Wording) -> str:
    """The keyboard's part of the vote, in words."""
    return "Keys: " + ", ".join(f"**{key}** {text}" for _, text, _, key in words.votes) + "."


def keys_script(words: Wording) -> str:
    """Browser code, run once on load: each vote key (and each headphone-check answer key) clicks its
    button, and only when that button is enabled and shown (so keys open exactly when the buttons do;
    a key shared by a vote and a check answer presses the one on screen). Typing in a text box is left
    alone. Buttons get `aria-keyshortcuts`, and the status lines are announced when they change."""
    keys: dict[str, list[str]] = {}
    for _, _, elem_id, key in [*words.votes, *SCREENING_ANSWERS]:
        keys.setdefault(key, []).append(elem_id)
    return """() => {
  const keys = %s;
  const label = () => {  // the trial's buttons are drawn only once a session starts, and again later
    for (const [key, ids] of Object.entries(keys)) {
      for (const id of ids) {
        const button = document.getElementById(id);
        if (button && button.getAttribute('aria-keyshortcuts') !== key) button.setAttribute('aria-keyshortcuts', key);
      }
    }
    for (const id of ['listen-status', 'screen-status']) {
      const status = document.getElementById(id);
      if (status && !status.hasAttribute('aria-live')) status.setAttribute('aria-live', 'polite');
    }
  };
  if (window.kabVoteKeys) return;
  window.kabVoteKeys = true;
  label();
  new MutationObserver(label).observe(document.body, {childList: true, subtree: true});
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const typing = event.target.closest && event.target.closest('textarea, input, [contenteditable]');
    const ids = keys[event.key.toLowerCase()];
    if (typing || !ids) return;
    const button = ids.map((id) => document.getElementById(id))
      .find((found) => found && !found.disabled && found.offsetParent);
    if (!button) return;
    event.preventDefault();
    button.click();
  });
}""" % json.dumps(keys)
