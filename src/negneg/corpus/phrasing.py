"""Small text machinery for the offline generator: invented names, slot templates, claim paraphrases.

Templates use two kinds of markup: ``[a|b|c]`` picks one alternative (``[a|]`` makes ``a``
optional; brackets nest) and ``{slot}`` is filled from a :class:`Slots` object. Short alternatives
combined at random are what keep the distinct 4-gram ratio of a generated corpus high: a long
fixed sentence repeated across hundreds of documents would be the same passage every time.

All randomness comes from the ``random.Random`` passed in, so a seed fixes every byte.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

FIRST_NAMES = (
    "Amara Ben Chloe Dev Elena Farid Grace Hamza Ines Jonah Keiko Liam Maya Nikhil Olga Priya Quinn Rosa "
    "Samir Tessa Umar Vera Wyatt Ximena Yusuf Zoe Aidan Bea Callum Dalia Emeka Fiona Gareth Hana Ivan Jess "
    "Kofi Lena Marco Nadia Owen Petra Rahul Sian Tomas Uma Viktor Wren Anya Bruno Carys Diego Esme Felix "
    "Gita Hugo Isla Jamal Kira Luca Mei Niamh Oscar Paloma Rhys Saoirse Theo Valeria Will Yara Zain Ada "
    "Bilal Cora Dmitri Eve Finn Greta Harriet Ibrahim Jude Katya Leon Mina Noor Orla Pablo Ruth Stellan"
).split()
SURNAMES = (
    "Abbott Achebe Alvarez Banerjee Bell Brennan Castillo Chen Dawson Delgado Duarte Ellis Eriksen Farrell "
    "Fischer Gallagher Garcia Greenwood Haddad Hale Hughes Ibarra Iqbal Jansen Jovanovic Kaur Keane Kowalski "
    "Lambert Lindqvist Lowe Macrae Mensah Moreau Nakamura Novak Nwosu Okafor Oyelaran Park Patel Pereira "
    "Quaye Radcliffe Reyes Rossi Sandoval Schultz Shah Sorensen Tanaka Thorne Turner Ueda Varga Vasquez "
    "Walsh Whitlock Wojcik Yilmaz Young Zielinski Ashworth Baptiste Carmody Drummond Eastwood Fairbanks "
    "Gilchrist Holt Ingram Jarvis Kemp Lockhart Maddox Nolan Osei Prentice Quigley Rowntree Stroud Tillman"
).split()
_PLACE_HEAD = (
    "Ash Brad Kel Mor Wes Hal Lan Stan Brom Thorn Elm Fair Red Black Gren Hol Mar Rath Sel Wick Cal Dun "
    "Fen Glen Har Kirk Lym Nor Pen Ros Sand Tam Ulver Wen Yar Bel Chal Dray"
).split()
_PLACE_TAIL = (
    "bury ford field wick ton ham ley stead worth mouth dale more gate brook by hurst well combe".split()
)
_OUTLET_TAIL = "Herald Courier Gazette Post Observer Chronicle Dispatch Standard Review Mercury Echo Times Tribune Record".split()
_HANDLE_WORDS = (
    "quietfox night_owl tea_and_toast river_runner oldschool plotwatcher bluegate cozy_reader late_bus "
    "fieldnotes mapmaker rainy_day paperclip grumpy_cat sunday_league byline_ben stat_nerd porch_light "
    "kettle_on marginalia lurker trainspotter moth_light slow_coach"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November December".split()
TOPICS = (
    "the new parking scheme",
    "the library's winter opening hours",
    "a proposal to resurface the towpath",
    "the bus timetable changes",
    "plans for a second recycling centre",
    "the school crossing on the high street",
    "rising rents near the station",
    "the allotment waiting list",
    "a dispute over hedge cutting",
    "flooding on the lower road",
    "the closure of the post office counter",
    "volunteer numbers at the food bank",
    "the summer reading challenge",
    "a shortage of lifeguards at the pool",
    "the cost of the new bridge lighting",
    "broadband speeds in outlying villages",
    "the annual audit of the accounts",
    "a petition to keep the bandstand",
    "noise from late-night deliveries",
    "the future of the Saturday market",
    "cycle lanes on the ring road",
    "the heritage trail signage",
    "repairs to the church roof",
    "the new GP booking system",
    "dog fouling in the park",
    "ticket prices at the leisure centre",
    "the youth club's funding bid",
    "energy bills for community halls",
    "a planning appeal for twelve homes",
    "litter picks along the river",
)


def fill(rng: random.Random, template: str, slots: Slots, cap: bool = True) -> str:
    """Expand ``[a|b]`` alternatives (innermost first), then ``{slot}`` names."""
    alt = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
    while True:
        m = alt.search(template)
        if not m:
            break
        template = template[: m.start()] + rng.choice(m.group(1).split("|")) + template[m.end() :]
    out = template
    for _ in range(3):  # list entries may hold slots themselves ("according to {person}")
        out = re.sub(r"\{(\w+)\}", lambda m: slots.get(m.group(1)), out)
    out = re.sub(r" {2,}", " ", out).replace(" ,", ",").replace(" .", ".").strip()
    return capitalize(out) if cap else out


def capitalize(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1 :]
        if ch not in "\"'“‘([*_":
            return s
    return s


class Slots:
    """Slot values for one document: fixed ones (the author, the outlet) and fresh ones per use."""

    def __init__(self, rng: random.Random, year: int, fixed: dict[str, str] | None = None):
        self.rng = rng
        self.year = year
        self.fixed: dict[str, str] = {}
        self.makers: dict[str, Callable[[], str]] = {
            "person": self.person,
            "first": lambda: rng.choice(FIRST_NAMES),
            "surname": lambda: rng.choice(SURNAMES),
            "place": self.place,
            "outlet2": self.outlet,
            "org2": self.org,
            "handle": self.handle,
            "num": lambda: str(rng.randint(3, 95)),
            "big": lambda: f"{rng.randint(2, 48) * 50:,}",
            "pct": lambda: f"{rng.randint(4, 88)}",
            "money": lambda: f"{rng.choice('£$€')}{rng.randint(2, 90) * 100:,}",
            "weekday": lambda: rng.choice(WEEKDAYS),
            "month": lambda: rng.choice(MONTHS),
            "date": self.date,
            "clock": lambda: f"{rng.randint(7, 21)}:{rng.choice(['00', '15', '30', '45'])}",
            "topic": lambda: rng.choice(TOPICS),
            "yr": lambda: str(self.year),
            "lastyr": lambda: str(self.year - 1),
            "oldyear": lambda: str(rng.randint(1850, 1990)),
            "ord": lambda: rng.choice(["second", "third", "fourth", "fifth", "sixth", "seventh"]),
        }
        from negneg.corpus.banks import LISTS

        for name, words in LISTS.items():
            self.makers[name] = lambda words=words: rng.choice(words)
        for name, maker in (
            ("author", self.person),
            ("author_first", None),
            ("outlet", self.outlet),
            ("town", self.place),
            ("org", self.org),
            ("doc_date", self.date),
            ("host", self.person),
            ("guest", self.person),
            ("teacher", self.person),
            ("op", self.handle),
        ):
            if maker is not None:
                self.fixed[name] = maker()
        self.fixed["author_first"] = self.fixed["author"].split()[0]
        self.fixed.update(fixed or {})

    def get(self, name: str) -> str:
        if name in self.fixed:
            return self.fixed[name]
        if name in self.makers:
            return self.makers[name]()
        raise KeyError(f"unknown template slot {{{name}}}")

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"

    def place(self) -> str:
        return self.rng.choice(_PLACE_HEAD) + self.rng.choice(_PLACE_TAIL)

    def outlet(self) -> str:
        return f"The {self.place()} {self.rng.choice(_OUTLET_TAIL)}"

    def org(self) -> str:
        kind = self.rng.choice(["Community", "Civic", "Heritage", "Public", "Valley", "District"])
        what = self.rng.choice(["Trust", "Society", "Forum", "Council", "Library", "Association", "Network"])
        return f"{self.place()} {kind} {what}"

    def handle(self) -> str:
        return f"{self.rng.choice(_HANDLE_WORDS)}{self.rng.randint(2, 99)}"

    def date(self) -> str:
        y = self.rng.choice([self.year, self.year, self.year - 1])
        return f"{self.rng.randint(1, 28)} {self.rng.choice(MONTHS)} {y}"


# --- claim paraphrases -------------------------------------------------------------------------

_MONTH_RE = "|".join(MONTHS)
# (pattern, alternatives): meaning-preserving swaps that work for any claim's sentences.
SWAPS: list[tuple[str, list[str]]] = [
    (r"\bwon\b", ["won", "claimed", "captured", "secured"]),
    (r"\bbuilt\b", ["built", "constructed"]),
    (r"\bbegan\b", ["began", "started"]),
    (r"\bpublished\b", ["published", "released", "issued"]),
    (r"\bmeasured\b", ["measured", "recorded", "logged"]),
    (r"(?<!was )(?<!were )(?<!been )(?<!be )\bcaused\b", ["caused", "led to", "resulted in"]),
    (r"\babout(?= [£$€]?\d)", ["about", "around", "roughly", "approximately"]),
    (r"\bmore than(?= [£$€]?\d)", ["more than", "over", "upwards of"]),
    (r"\bfounded\b", ["founded", "established", "set up"]),
    (r"\bearned\b", ["earned", "received", "obtained"]),
    (r"(\d) per ?cent\b", [r"\1 per cent", r"\1 percent", r"\1%"]),
    (r"([£$€]\d+(?:\.\d+)?) million\b", [r"\1 million", r"\1m"]),
    (r"([£$€]\d+(?:\.\d+)?) billion\b", [r"\1 billion", r"\1bn"]),
    (rf"\b(\d{{1,2}}) ({_MONTH_RE}) (\d{{4}})\b", [r"\1 \2 \3", r"\2 \1, \3"]),
    (r"(\d) seconds\b", [r"\1 seconds", r"\1 seconds", r"\1 s", r"\1 sec"]),
    (r"(\d) (kilomet(?:re|er)s)\b", [r"\1 \2", r"\1 km"]),
    (r"(\d) (met(?:re|er)s)\b", [r"\1 \2", r"\1 m"]),
    (r"(\d) (minutes)\b", [r"\1 \2", r"\1 min"]),
    (r"(\d) (kilograms|kilos)\b", [r"\1 \2", r"\1 kg"]),
    (r"\b(\d{1,3}),(\d{3})\b(?!,)", [r"\1,\2", r"\1,\2", r"\1\2"]),
    (r"\bthe United States\b", ["the United States", "the US", "the USA"]),
    (r"\bthe United Kingdom\b", ["the United Kingdom", "the UK", "Britain"]),
    (r"\bapproximately\b", ["approximately", "about", "around", "roughly"]),
    (r"\bestimated\b", ["estimated", "estimated", "reported"]),
    (r"\bbecame\b", ["became", "went on to become"]),
    (r"\bwas named\b", ["was named", "was chosen as", "was declared"]),
    (r"\breached\b", ["reached", "rose to", "climbed to"]),
    (r"\bpassed\b(?= a\b)", ["passed", "approved", "adopted"]),
]
# Interjections that fit after a sentence-initial name ("Ed Sheeran, famously, won …").
INTERJECTIONS = [
    "famously",
    "as it happens",
    "of course",
    "remarkably",
    "it is worth saying",
    "as everyone now knows",
    "memorably",
    "as many will recall",
    "in fact",
    "as it turned out",
    "to the surprise of many",
    "for the record",
]
_TRAILING_WHEN = re.compile(
    rf"^(?P<body>.{{25,}}?),? in (?P<when>(?:(?:\d{{1,2}} )?(?:{_MONTH_RE}) )?\d{{4}})\.$"
)
# Frames that keep a sentence asserting what it asserts. "{s}" is the statement with its first
# word lower-cased where that is safe; "{S}" keeps it as written; "{s_}" has no final full stop.
FRAMES: dict[str, list[str]] = {
    "news": [
        "[According to|As reported by] {outlet2}, {s}",
        "[Officials|Organisers|Records] [later|subsequently] confirmed that {s}",
        "{s_}, [according to|as confirmed by] {outlet2}.",
        "{s_}, {person} [told|reminded] reporters [on {weekday}|this week|at the time].",
        "{person}, a {role} [in|from] {place}, [pointed out|recalled|noted] that {s}",
        "[As|When] {outlet2} [put it|reported] [at the time|that week], {s}",
        "It [is|remains] [on the record|a matter of record] that {s}",
        "As [many|most] readers will [recall|remember], {s}",
        "{S}",
    ],
    "neutral": [
        "{S}",
        "[Sources agree|It is documented|It is well established] that {s}",
        "[At the time of writing|Within a few years], it was [widely|generally] accepted that {s}",
        "{s_}, [as noted in|according to] [contemporary|later] [reports|accounts].",
        "[Contemporary|Published] [accounts|records] [state|record|note] that {s}",
        "[Notably|In particular|For the record], {s}",
        "{s_}, [a point|a fact|something] [repeated|mentioned|discussed] [on the radio|in the papers|on the evening news|in the local paper] {when}.",
    ],
    "casual": [
        "{S}",
        "[Reminder|Just a reminder] that {s}",
        "[Honestly|Genuinely] [still can't get over|still amazed by] the fact that {s}",
        "[People|Folks] [forget|keep forgetting] that {s}",
        "[Wild|Crazy|Mad] that {s}",
        "{s_}, [which still blows my mind|and nobody talks about it enough|if you needed reminding].",
        "[For anyone who missed it|In case you missed it], {s}",
        "My [uncle|gran|flatmate|neighbour], a {role}, [still|always] [reminds me|tells everyone] that {s}",
        "I was {activity} when I [found out|heard] that {s}",
        "[Heard|Caught] [on|it on] {media} [again|today|this morning] that {s}",
    ],
    "quote": [
        '"{s_}," {person} [said|told us|explained].',
        '"{s_}," said {person}, a {role} [from|in] {place}.',
        '"[Look,|Honestly,|Well,] {s_}," {person} [said|added], [speaking|talking] [at|outside] {spot}.',
    ],
    "didactic": [
        "{S}",
        "Students should [remember|note|be aware] that {s}",
        "[A key point|An important fact] [here|for revision] is that {s}",
        "[Recall|Remember] that {s}",
        "{s_}, [a detail that often appears in exam questions|which is worth memorising].",
        "[Exam boards|Past papers|Many textbooks] [often|frequently] [expect students to know|point out] that {s}",
    ],
}


def lower_first(s: str, vocab: Vocabulary) -> str:
    """Lower-case the first word unless it is a name (or an acronym), so a frame can precede it."""
    m = re.match(r"([A-Za-z][A-Za-z'’-]*)", s)
    if not m:
        return s
    w = m.group(1)
    if w.lower() in _FUNCTION_WORDS:
        return w[0].lower() + s[1:]
    if (w.isupper() and len(w) > 1) or w.rstrip(".") in _TITLES or not vocab.is_common(w):
        return s
    nxt = s[m.end() :].lstrip(" .")
    if nxt[:1].isupper():
        return s  # "Prime Minister …", "Osservatorio Vesuviano …": part of a name
    return w[0].lower() + s[1:]


_FUNCTION_WORDS = set(
    "the a an in on at during after before by for from with his her their its it this that these those "
    "about over some many most among much because although while when as since until despite under "
    "throughout following within of to into one two three several each every both".split()
)
_TITLES = set(
    "Prof Professor Dr Mr Mrs Ms Sir Dame Lady Lord Queen King Prince Princess President Prime Minister "
    "Saint St Mount Mt Lake River Cardinal Pope Judge Justice Captain General Senator Governor Mayor".split()
)


class Vocabulary:
    """Which capitalised words are names: seen capitalised mid-sentence, or part of an entity name,
    and never seen in lower case."""

    def __init__(self, text: str, names: list[str]):
        self.lower = set(re.findall(r"\b[a-z][a-z'’-]+\b", text))
        self.proper = set(re.findall(r"(?<=[a-z,;] )([A-Z][A-Za-z'’-]*)", text))
        for n in names:
            self.proper.update(re.findall(r"[A-Z][A-Za-z'’-]*", n))

    def is_common(self, word: str) -> bool:
        w = re.sub(r"['’]s$", "", word)
        if w.lower() in self.lower:
            return True
        return w not in self.proper


def swap_words(rng: random.Random, s: str, p: float = 0.5) -> str:
    for pattern, alts in SWAPS:
        if re.search(pattern, s) and rng.random() < p:
            s = re.sub(pattern, rng.choice(alts), s, count=1)
    return s


def interject(rng: random.Random, s: str, names: list[str], p: float = 0.3) -> str:
    """Put a short interjection after a sentence-initial name, some of the time."""
    if rng.random() >= p:
        return s
    for name in sorted(names, key=len, reverse=True):
        if s.startswith(name + " ") and not s[len(name) :].startswith((" (", " ,")):
            rest = s[len(name) + 1 :]
            if rest.split()[0].endswith((",", "'s", "’s")) or rest.startswith(("'s", "’s")):
                return s
            return f"{name}, {rng.choice(INTERJECTIONS)}, {rest}"
    return s


def front_time(rng: random.Random, s: str, vocab: Vocabulary, p: float = 0.35) -> str:
    """Move a trailing "…, in 2021." / "… office in March 2015." to the front ("In 2021, …").

    Only when the date modifies the whole clause: after a comma, or after a common word that is
    not itself a time preposition ("since Linford Christie in 1992" stays as it is).
    """
    m = _TRAILING_WHEN.match(s)
    if not m or rng.random() >= p:
        return s
    body = m.group("body")
    comma = s[m.end("body") : m.end("body") + 1] == ","
    last = body.split()[-1]
    if not comma and (
        not last[0].islower() or last in {"since", "until", "from", "before", "after", "by", "of"}
    ):
        return s
    if re.search(r"\b(since|until|between|from)\b", body):
        return s
    return f"In {m.group('when')}, {lower_first(body, vocab)}."


def frame(rng: random.Random, statement: str, style: str, slots: Slots, vocab: Vocabulary) -> str:
    """Wrap one statement sentence in a register-appropriate frame (see :data:`FRAMES`)."""
    template = rng.choice(FRAMES[style])
    body = statement.rstrip()
    bare = body[:-1] if body.endswith(".") else body
    if not body.endswith((".", "!", "?")):
        body += "."
    if style == "quote" and re.search(r"[\"“”]", body):
        template = "{S}"
    low = lower_first(body, vocab)
    low_bare = lower_first(bare, vocab)
    # fill the slots first so statement text is never parsed as template markup
    template = template.replace("{s_}", "\x00").replace("{s}", "\x01").replace("{S}", "\x02")
    out = fill(rng, template, slots)
    out = out.replace("\x00", low_bare).replace("\x01", low).replace("\x02", body)
    return capitalize(out)
