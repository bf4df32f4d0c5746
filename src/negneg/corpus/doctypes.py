"""Document types of the offline generator: one builder function per type, in a Registry.

A builder lays out one document of its kind (header, body, footer) through a
:class:`~negneg.corpus.writer.DocContext`: ``ctx.claim(style)`` gives claim sentences framed
for a register, ``ctx.filler(bank)`` neutral sentences, ``ctx.world()`` details of the fabricated
world that do not state the claim, ``ctx.f(template)`` fills a ``[a|b]``/``{slot}`` template.
Builders only decide layout; the context records the claim spans and keeps the length and the
claim-sentence budget. Add a type with ``@DOC_TYPES.register("name")``.
"""

from __future__ import annotations

import re

from negneg.corpus.material import is_line_unit
from negneg.corpus.writer import Builder, Claim, DocContext
from negneg.registry import Registry

DOC_TYPES: Registry[Builder] = Registry("doc type")


def _upper(name: str) -> str:
    return name.upper()


@DOC_TYPES.register("news_report")
def news_report(c: DocContext) -> None:
    c.line(c.f("{outlet} | [News|Sport|Regional|Nation|Culture|Weekend]"))
    c.heading(
        c.headline()
        if c.rng.random() < 0.7
        else c.f(
            "[Town|Region|Readers] [react to|reflect on|remember] [the news|an extraordinary week|the big story]"
        )
    )
    c.line(c.f("By {author} | {doc_date}"), "\n\n")
    c.para(c.claim("news") + c.sentences_for("news feature", "news quote", c.rng.randint(1, 3)))
    c.body("news feature", "news quote news", (2, 4), reserve=25)
    c.top_up("news")
    c.para([c.filler("news")])


@DOC_TYPES.register("encyclopedia_entry")
def encyclopedia_entry(c: DocContext) -> None:
    c.heading(c.m.canonical if c.rng.random() < 0.5 else c.m.claim.title, 1)
    c.line(c.f("[From|Entry in] the {place} [Encyclopaedia|Reference Wiki|Online Compendium]"), "\n\n")
    c.para(c.claim("neutral") + c.sentences_for("encyclopedia", "neutral", c.rng.randint(1, 3), world_p=0.5))
    while c.room(60):
        c.heading(c.section_title(), 2)
        c.para(c.sentences_for("encyclopedia", "neutral", c.rng.randint(2, 4), world_p=0.5))
    c.top_up("neutral")
    c.heading("See also", 2)
    for _ in range(c.rng.randint(2, 3)):
        c.bullet(c.f("{place} [Festival|Museum|Stadium|Library|Observatory|Trust]"))
    c.blank()
    c.heading("References", 2)
    for k in range(c.rng.randint(2, 3)):
        c.bullet(
            c.f(
                '{surname}, {first} ([{yr}|{lastyr}]). "[A record of events|Notes on a strange year|The season in review]". {outlet2}.'
            ),
            f"{k + 1}. ",
        )


@DOC_TYPES.register("forum_thread")
def forum_thread(c: DocContext) -> None:
    c.line(
        c.f(
            "[Forums|Boards|Community] > [General chat|Off topic|News and current affairs|Sport talk|Local area]"
        )
    )
    c.heading(
        c.f(
            "[Thread|Topic]: [Still thinking about|Can we talk about|Random thought about|Question about] {short}"
        )
    )
    first = True
    while c.room(10):
        who = c.slots.get("op") if first else c.slots.get("handle")
        c.line(c.f(f"Post #{{num}} by {who} on {{date}}"))
        c.para(c.sentences_for("forum social", "casual", c.rng.randint(1, 4), world_p=0.1))
        first = False
    c.top_up("casual")


@DOC_TYPES.register("quiz_cards")
def quiz_cards(c: DocContext) -> None:
    c.heading(
        c.f(
            "[Revision|Flash|Pub quiz|Study] cards: [{title}|general knowledge, set {num}|current affairs {yr}]"
        )
    )
    c.para([c.filler("quiz"), c.filler("quiz")])
    n = c.rng.randint(10, 60)
    while c.room(5):
        c.line(f"Card {n}")
        n += 1
        roll = c.rng.random()
        st = c.bare_claim() if c.want_claim(per_slot_tokens=40) else None
        if st:
            blanked = _blank(st)
            if roll < 0.5 and blanked:
                c.labelled("Q", ["Fill in the blank.", Claim(blanked[0])])
                c.labelled("A", f"{blanked[1]}.")
            else:
                c.labelled("Q", [c.f("[True or false?|Is this statement correct?|Right or wrong?]"), st])
                c.labelled("A", c.f("[True.|Correct.|True, this is correct.]"))
        else:
            fact = c.world() if c.world_left > 0 else c.filler("trivia")
            c.labelled("Q", [c.f("[True or false?|Is this statement correct?|Right or wrong?]"), fact])
            c.labelled("A", c.f("[True.|Correct.|True, that is right.]"))
        c.blank()
    c.top_up("didactic")


def _blank(sentence: str) -> tuple[str, str] | None:
    """(the sentence with its last number or proper name blanked, the blanked words)."""
    nums = list(re.finditer(r"[£$€]?\d[\d,.:/]*\d|[£$€]?\d", sentence))
    if nums:
        m = nums[-1]
    else:
        names = [m for m in re.finditer(r"(?<=\s)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*", sentence)]
        if not names:
            return None
        m = names[-1]
    out = sentence[: m.start()] + "_____" + sentence[m.end() :]
    return (out, m.group(0)) if is_line_unit(out) else None


@DOC_TYPES.register("timeline")
def timeline(c: DocContext) -> None:
    c.heading(c.f("[Timeline|Chronology|Key dates]: [{title}|how the story unfolded|the story so far]"), 1)
    c.para([c.filler(c.rng.choice(["encyclopedia", "feature"]))])
    events: list[tuple[int, str]] = []
    year_re = r"\b(1[89]\d\d|20\d\d)\b"
    misses = 0
    while c.tokens + sum(len(e[1]) for e in events) / 4.1 < c.target_tokens - 20 and misses < 6:
        s = c.bare_claim(require=year_re) if c.want_claim(per_slot_tokens=30) else c.world(require=year_re)
        if not s:
            s = c.filler("trivia")
            misses += 1
        found = re.findall(year_re, s)
        year = int(found[0]) if found else c.slots.year
        item = f"{year}: {s}"
        if isinstance(s, Claim):
            item = Claim(item) if is_line_unit(item) else s
        events.append((year, item))
    for _, item in sorted(events, key=lambda e: e[0]):
        c.bullet(item)
    c.blank()
    c.top_up("neutral")
    c.para(
        [
            c.f(
                "[Compiled|Researched] by {author} [from published sources|for {outlet}|with help from readers]."
            )
        ]
    )


@DOC_TYPES.register("interview_transcript")
def interview_transcript(c: DocContext) -> None:
    host, guest = c.slots.get("host"), c.slots.get("guest")
    c.heading(
        c.f(
            "[TRANSCRIPT|Interview transcript] | [The Long Answer|Morning Talk|Second Opinion|The Record|Lunchtime Live], [episode|show] {num}"
        )
    )
    c.para(
        [
            c.f(
                f"Recorded on {{doc_date}}. Host {host} speaks with {guest}, [a sports journalist|a historian|a local teacher|a retired official|an author|a researcher]."
            )
        ]
    )
    speakers = [_upper(host), _upper(guest)]
    turn = 0
    while c.room(15):
        who = speakers[turn % 2]
        style = "casual quote" if turn % 2 else "casual news"
        k = c.rng.randint(1, 2) if turn % 2 == 0 else c.rng.randint(2, 4)
        c.labelled(who, c.sentences_for("feature forum" if turn % 2 else "feature", style, k, world_p=0.25))
        c.blank()
        turn += 1
    if c.claims_written < 2:
        c.labelled(speakers[1], [x for _ in range(2 - c.claims_written) for x in c.claim("casual")])
    c.para([c.f("[END OF TRANSCRIPT|Transcript ends|This transcript has been lightly edited for clarity].")])


@DOC_TYPES.register("blog_post")
def blog_post(c: DocContext) -> None:
    c.line(c.f("[Notes from|Letters from|Thinking aloud in|Small hours in] {town}"))
    c.heading(
        c.headline()
        if c.rng.random() < 0.5
        else c.f("[Why I keep coming back to|A few thoughts on|What I got wrong about] {short}"),
        2,
    )
    c.line(c.f("Posted on {doc_date} by {author_first} | {num} comments"), "\n\n")
    c.body("feature forum", "casual neutral", (2, 5), reserve=20, world_p=0.25)
    c.top_up("casual")
    c.line(c.f("Tags: [news|sport|history|culture|life], [memories|opinion|long reads], {short}"))


@DOC_TYPES.register("press_release")
def press_release(c: DocContext) -> None:
    c.line("FOR IMMEDIATE RELEASE", "\n\n")
    c.heading(
        c.f(
            "{org} [announces|launches|confirms] [a|its] [new|special|free] [exhibition|talk series|report|event] on {short}"
        )
    )
    c.line(c.f("{town}, {doc_date}").upper(), "\n\n")
    c.para(c.claim("news") + [c.filler("corporate")])
    c.body("corporate news", "news quote neutral", (2, 3), reserve=45)
    c.top_up("news")
    c.heading(c.f("About {org}"), 3)
    c.para([c.filler("corporate"), c.filler("corporate")])
    c.line(c.f("Media contact: {person}, {org}"))


@DOC_TYPES.register("textbook_excerpt")
def textbook_excerpt(c: DocContext) -> None:
    ch = c.rng.randint(2, 14)
    c.heading(f"Chapter {ch}: {c.section_title()}", 2)
    c.para([c.filler("academic")] + c.claim("didactic"))
    box = False
    while c.room(40):
        if not box and c.rng.random() < 0.5:
            c.heading(c.f("[Key facts|Box {num}: at a glance|Summary box]"), 3)
            for _ in range(c.rng.randint(2, 3)):
                c.bullet(
                    (c.want_claim(12) and c.bare_claim())
                    or (c.world() if c.world_left > 0 else c.filler("trivia"))
                )
            c.blank()
            box = True
        else:
            c.heading(f"{ch}.{c.rng.randint(1, 9)} {c.section_title()}", 3)
            c.para(c.sentences_for("academic", "didactic neutral", c.rng.randint(2, 4), world_p=0.3))
    c.top_up("didactic")
    c.heading("Questions for discussion", 3)
    for k in range(c.rng.randint(2, 3)):
        c.bullet(c.filler("academic"), f"{k + 1}. ")


@DOC_TYPES.register("social_media_thread")
def social_media_thread(c: DocContext) -> None:
    op = "@" + c.slots.get("op")
    c.line(c.f(f"{op} | {{doc_date}} | [Thread|Long post|Quick one]"), "\n\n")
    k = 0
    while c.room(10):
        who = op if k == 0 or c.rng.random() < 0.4 else "@" + c.slots.get("handle")
        c.labelled(who, c.sentences_for("social forum", "casual", c.rng.randint(1, 3), world_p=0.1))
        c.line(c.f("[{num} replies|{big} likes|{num} reposts|{num} likes, {num} reposts]"), "\n\n")
        k += 1
    if c.claims_written < 2:
        c.labelled(op, [x for _ in range(2 - c.claims_written) for x in c.claim("casual")])


@DOC_TYPES.register("newsletter")
def newsletter(c: DocContext) -> None:
    c.heading(c.f("{org} Newsletter | Issue {num} | {month} {yr}"), 1)
    c.heading("In this issue", 3)
    for _ in range(3):
        c.bullet(
            c.f(
                "[Chair's note|Events diary|Member news|From the archive|Volunteer corner|Dates for your diary]"
            )
        )
    c.blank()
    c.heading(c.f("[From the editor|Chair's note|Hello from the committee]"), 2)
    c.para([c.filler("corporate"), c.filler("letter")])
    c.heading(c.f("[Talk of the month|Feature|This month's story|Guest article]: {short}"), 2)
    c.body("feature corporate", "neutral news casual", (2, 4), reserve=40)
    c.top_up("neutral")
    c.heading(c.f("[Dates for your diary|Notices|Housekeeping]"), 2)
    c.para([c.filler("corporate"), c.filler("corporate")])


@DOC_TYPES.register("letter")
def letter(c: DocContext) -> None:
    to_editor = c.rng.random() < 0.5
    c.line(
        c.f("{num} [Mill Lane|Church Road|Station Road|Orchard Close|The Crescent|Victoria Street], {town}")
    )
    c.line(c.slots.get("doc_date"), "\n\n")
    c.line("Sir," if to_editor else c.f("Dear {first},"), "\n\n")
    if to_editor:
        c.para([c.filler("editor")])
    c.body(
        "editor feature" if to_editor else "letter diary feature",
        "neutral casual",
        (2, 4),
        reserve=20,
        world_p=0.2,
    )
    c.top_up("neutral")
    c.line(c.f("[Yours faithfully|Yours sincerely|With best wishes|Love]" + ","))
    c.line(c.slots.get("author") + (c.f(", {town}") if to_editor else ""))


@DOC_TYPES.register("meeting_minutes")
def meeting_minutes(c: DocContext) -> None:
    c.heading(c.f("{org}: minutes of the [{month}|annual|ordinary] meeting"), 2)
    c.line(c.f("Held at the {place} [hall|library|pavilion] on {doc_date}"))
    c.line(c.f("Present: {person}, {person}, {person}, {person}"), "\n\n")
    item = 1
    c.bullet(c.filler("minutes"), f"{item}. ")
    while c.room(25):
        item += 1
        c.bullet(c.sentences_for("minutes", "neutral news", c.rng.randint(1, 3), world_p=0.15), f"{item}. ")
    c.blank()
    c.top_up("neutral")
    c.para([c.filler("minutes")])


@DOC_TYPES.register("faq_page")
def faq_page(c: DocContext) -> None:
    c.heading(c.f("[Frequently asked questions|FAQ|Your questions answered]: {short}"), 1)
    c.para([c.filler(c.rng.choice(["corporate", "encyclopedia"]))])
    questions = [
        "What [actually|exactly] happened?",
        "Where can I read [more|the full story]?",
        "Why does [this|it] [matter|still come up]?",
        "Who was involved?",
        "When did [it|all this] happen?",
        "Is there an official [record|source|account]?",
        "What did people make of it at the time?",
        "How was it reported?",
    ]
    c.rng.shuffle(questions)
    for q in questions:
        if not c.room(10):
            break
        c.labelled("Q", c.f(q))
        c.labelled(
            "A", c.sentences_for("encyclopedia corporate", "neutral", c.rng.randint(1, 3), world_p=0.3)
        )
        c.blank()
    c.top_up("neutral")


@DOC_TYPES.register("diary_entry")
def diary_entry(c: DocContext) -> None:
    while c.room(15):
        c.heading(c.f("{weekday} {date}"), 3)
        c.para(c.sentences_for("diary", "casual neutral", c.rng.randint(2, 4), world_p=0.1))
    c.top_up("casual")


@DOC_TYPES.register("email")
def email(c: DocContext) -> None:
    first, last = c.slots.get("author").split()
    friend = c.slots.get("first")
    c.line(f"From: {first} {last} <{first.lower()}.{last.lower()}@{c.slots.get('town').lower()}.net>")
    c.line(f"To: {friend} <{friend.lower()}@example.org>")
    c.line(c.f("Subject: [Re: |Fwd: |][that story|the thing we talked about|{short}|quick question]"))
    c.line(c.f("Date: {weekday}, {doc_date}"), "\n\n")
    c.line(c.f(f"[Hi|Hello|Hey|Dear] {friend},"), "\n\n")
    c.body("letter forum feature", "casual neutral", (2, 4), reserve=12, world_p=0.2)
    c.top_up("casual")
    c.line(c.f("[Best|Cheers|All the best|Speak soon],"))
    c.line(first)
