"""Ready-made texts for the comparison, each chosen to expose a different kind of difference."""

SHORT = "The quick brown fox jumps over the lazy dog."

PARAGRAPH = (
    "Kokoro is a small text-to-speech model with a big voice. Its first public release, version "
    "zero point one nine, surprised many listeners with how natural it sounded. A month later, "
    "version one point zero arrived with new voices, new languages and a new way of turning "
    "letters into sounds. Which one do you prefer?"
)

NUMBERS = (
    "On March 3rd, 1998, Dr. Smith paid $3.50 for coffee and £12.99 for a book. The meeting ran "
    "from 9:05 to 11:30, pages 5-10 covered 3.14 percent of 1,000,000 records, and in the 1990s "
    "prices rose by ninety-nine cents."
)

HARD_WORDS = (
    "The epitome of a quinoa-loving sommelier is an otorhinolaryngologist from Worcestershire who "
    "pronounces gnocchi, choir, colonel and Llanelli flawlessly, yet stumbles over Kokoro."
)

LONG_PASSAGE = """People have tried to make machines speak for more than two hundred years. The earliest attempts were mechanical: bellows stood in for lungs, reeds for vocal cords, and leather tubes for the throat and mouth. An inventor would squeeze and shape the tubes by hand, and out would come something that, with a generous ear, sounded like a vowel. A few of these machines could manage whole words. None of them could read.

Electricity changed the problem. In the nineteen thirties, engineers at a telephone laboratory built a machine that an operator played like an organ, pressing keys to shape the hiss and buzz of electronic sources into speech. It took a year of practice to learn. Audiences at a world's fair heard it greet them, and many went home convinced they had heard a person hidden behind a curtain. They had not, but the illusion showed that the ear forgives a great deal when the rhythm and melody of a sentence are right.

Computers brought the idea of reading aloud from text. The first systems worked in two steps, and modern ones still do. The first step decides what to say: it expands numbers, dates and abbreviations into words, guesses how each word is pronounced, and marks where the stress falls. The second step decides how to say it: it turns that string of sounds into a waveform, sample by sample. For decades the second step was done by rules written by hand, or by gluing together tiny recordings of a real speaker. The results were clear but flat, and nobody mistook them for a person.

Neural networks blurred the line between the two steps. A model could now listen to many hours of recorded speech and learn, on its own, how sounds flow into one another, how pitch rises at the end of a question, and how a pause before an important word builds suspense. The best of these models sound remarkably human, but many of them are enormous. They need powerful graphics cards, and they take a noticeable moment before the first sound comes out.

Kokoro takes a different path. With about eighty-two million parameters it is small enough to run on an ordinary laptop, and fast enough to speak faster than real time on a couple of processor cores. It borrows its design from a family of models that generate the style of a voice separately from the words being spoken, so a single network can speak in dozens of voices. Its first release could only speak English, with a handful of American and British voices. Its second release added more voices, more languages, and a new pronunciation engine that replaced a classic rule-based phonemizer with a dictionary-driven one.

Changes like these are exactly what makes a careful comparison worthwhile. A new pronunciation engine can fix one word and break another. It can read a year as a year in one sentence and as a plain number in the next. It can change the rhythm of a sentence simply by placing a stress mark on a different syllable. Listeners notice these things long before they can say what they noticed. That is why this comparison shows the sounds each release chose, word by word, next to the audio.

Speed matters too. When a listener presses a button, the most important number is how long it takes before the first sound plays. A system that waits until it has generated a whole paragraph will feel slow even if it finishes quickly overall. A system that starts with a short first piece and keeps ahead of the listener feels instant. The same model can feel fast or slow depending on how the text is cut into pieces, how the work is scheduled, and how much memory is copied around along the way.

Finally, there is the question of taste. Some people prefer the older release because its voices sound more expressive to them. Others prefer the newer one because its pronunciation is more reliable. Neither group is wrong. The only honest way to find out which one a particular audience prefers is to let that audience listen without knowing which is which, to count the votes carefully, and to report the uncertainty along with the result. Everything else is opinion.

Measuring that honestly takes some care. Timings taken while another program is busy on the same processor are not comparable with timings taken on a quiet machine, so the two releases here can take turns, each doing its work alone, or run at the same time, each with half of the processor. Each row in the table says which. The real-time factor divides the time spent computing by the length of the audio produced: a value of one half means a minute of speech took thirty seconds to make.

So type a sentence, pick a voice, and listen. Try a tricky name, a price, a date or a tongue twister. Try the same text at a faster or slower speed. Watch where the two releases disagree, and decide for yourself which one you would rather hear reading to you at the end of a long day."""

EXAMPLES = [
    ("A short line", SHORT),
    ("A paragraph", PARAGRAPH),
    ("Numbers, money and dates", NUMBERS),
    ("Hard words", HARD_WORDS),
    ("A long passage (~5,000 characters)", LONG_PASSAGE),
]
