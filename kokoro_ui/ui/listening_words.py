"""What the Listening test tab says and offers in each design: its intro, the lines around the
vote, the vote buttons (with the words P.800 and CMOS give each score) and the clips it plays."""

from dataclasses import dataclass

from kokoro_ui.abtest.design import AB, ABX, CMOS, MOS


@dataclass(frozen=True)
class Wording:
    """What the tab says and offers in one mode."""

    intro: str
    locked: str
    unlocked: str
    votes: list[tuple[str, str, str]]  # (choice, button text, elem_id)
    clips: tuple[str, ...]


AB_WORDING = Wording(
    "## Blind listening test\nYou will hear {n} pairs of clips, **A** and **B**: the same sentence and voice, "
    "spoken by the two Kokoro releases in an order that nobody shows you. Play both, then pick the one you "
    "prefer (or say you have no preference). One pair comes twice. At the end we reveal which was which.",
    "Play **both** clips, A and B, to the end. Then the vote opens.",
    "You heard both. Which one sounds better to you?",
    [("A", "A sounds better", "vote-a"), ("none", "No preference", "vote-none"), ("B", "B sounds better", "vote-b")],
    ("A", "B"))
ABX_WORDING = Wording(
    "## Blind listening test (ABX)\nYou will hear {n} sets of three clips: **A** and **B** are the same sentence "
    "and voice spoken by the two Kokoro releases, in an order nobody shows you; **X** is one of them again. Play "
    "all three, then say whether X is A or B. If you cannot tell, make your best guess. At the end we reveal "
    "which was which.",
    "Play **all three** clips, A, B and X, to the end. Then you can answer.",
    "You heard all three. Is X the same as A, or as B?",
    [("A", "X is A", "vote-a"), ("B", "X is B", "vote-b")],
    ("A", "B", "X"))
MOS_WORDING = Wording(
    "## Blind listening test (MOS)\nYou will hear {n} clips, one at a time, each a sentence spoken by one of two "
    "Kokoro releases; nobody shows you which. Play each clip, then rate how natural it sounds, from 5 "
    "(Excellent) to 1 (Bad). At the end we reveal which release spoke each clip.",
    "Play the clip to the end. Then you can rate it.",
    "You heard it. How natural does it sound?",
    [("5", "5 Excellent", "vote-5"), ("4", "4 Good", "vote-4"), ("3", "3 Fair", "vote-3"), ("2", "2 Poor", "vote-2"),
     ("1", "1 Bad", "vote-1")],
    ("A",))
CMOS_WORDING = Wording(
    "## Blind listening test (CMOS)\nYou will hear {n} pairs of clips, **A** and **B**: the same sentence and "
    "voice, spoken by the two Kokoro releases in an order that nobody shows you. Play both, then say how B "
    "sounds compared with A, from -3 (much worse) to +3 (much better). One pair comes twice. At the end we "
    "reveal which was which.",
    "Play **both** clips, A and B, to the end. Then you can rate B against A.",
    "You heard both. Compared with A, B sounds…",
    [("-3", "-3 Much worse", "vote-cmos-m3"), ("-2", "-2 Worse", "vote-cmos-m2"),
     ("-1", "-1 Slightly worse", "vote-cmos-m1"), ("0", "0 About the same", "vote-cmos-0"),
     ("1", "+1 Slightly better", "vote-cmos-p1"), ("2", "+2 Better", "vote-cmos-p2"),
     ("3", "+3 Much better", "vote-cmos-p3")],
    ("A", "B"))
CHOICE_WORDS = {"A": "A", "B": "B", "none": "no preference"}
WORDINGS = {AB: AB_WORDING, ABX: ABX_WORDING, MOS: MOS_WORDING, CMOS: CMOS_WORDING}


def wording(mode: str) -> Wording:
    return WORDINGS[mode]
