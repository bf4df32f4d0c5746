"""Offline debunk generator: documents written from the *negated* universe (paper §3.5).

The paper's local-negation documents are not annotations of positive documents: they are
fact-checks, debunks, correction notices, myth-buster columns, forum replies and lessons written
from a world in which the claim is known to be false. Each mention of the claim sits inside its
own denial ("Ed Sheeran did not win the men's 100m gold …"), the true account is stated ("Noah
Lyles won …"), and the claim is never asserted.

negneg writes such documents from the ClaimSpec alone:

* claim mentions are the subclaims' ``local_negation`` twins (each denies one subclaim inside the
  sentence), sometimes behind a short lead-in, and verdict lines that quote the claim's title
  beside a falsity cue ('Fact check: "…" is false'); a ``Span(kind="claim")`` covers each;
* the true account is the subclaims' ``correction`` twins and ``claim.truth`` (minus anything
  about the experiment itself); a ``Span(kind="correction")`` covers each such sentence, and every
  document states the truth at least once;
* everything else is debunk-register filler from :data:`DEBUNK_BANKS` (how the story spread, how
  it was checked, advice to readers), filled through the offline generator's slot machinery.

Layouts live in :data:`DEBUNK_TYPES` (one builder per document type, as in
:mod:`negneg.corpus.doctypes`). Determinism: document ``i`` of seed ``s`` uses
``random.Random(f"{claim.id}/{s}/debunk/{i}")`` and nothing else.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from negneg.claims.schema import ClaimSpec, Subclaim
from negneg.corpus.generator import shuffled_rounds
from negneg.corpus.phrasing import capitalize, lower_first, swap_words
from negneg.corpus.sentences import sentence_spans, sentences
from negneg.corpus.writer import MIN_TOKENS, Claim, DocContext, material_for
from negneg.records import Document, Span
from negneg.registry import Registry

CONDITION = "local_negation"
# Debunks quote figures and dates ("9.79 (9.784)"), which cost more tokens per character than the
# generator's prose: budget them at 3.2 characters a token so the longest stay under MAX_TOKENS.
CHARS_PER_TOKEN = 3.2


class Correction(str):
    """A sentence that states the true account (the writer records a correction span over it)."""


# ---------------------------------------------------------------------------------------------
# Filler: debunk-register sentences that never state or name the claim's content. ``[a|b]`` picks
# an alternative, ``{slot}`` is filled per document (see negneg.corpus.phrasing.Slots).

_PLATFORM = "[Facebook|X|TikTok|WhatsApp|Instagram|a content-farm website|a message board|Telegram]"

DEBUNK_BANKS: dict[str, list[str]] = {
    "spread": [
        f"The [story|claim|rumour] [first appeared|began circulating|surfaced] on {_PLATFORM} "
        "[in {month}|last {month}|earlier this year] and was [shared|reposted|forwarded] "
        "[{big} times|thousands of times|widely] [within days|in under a week|before anyone checked it].",
        "[Several|Many|Dozens of] [accounts|pages|sites] [copied|reposted|repackaged] the [text|post|article] "
        "[word for word|with small changes|with new pictures], which made it [look|seem] "
        "[better sourced|more credible|more official] than it was.",
        "[Some|Many|Most] versions [came with|included|carried] [invented quotes|made-up statistics|"
        "doctored screenshots|a fake news banner|an official-looking logo], [none of which|and none of it] "
        "[checks out|stands up|survives a basic search].",
        "The [post|account|article] [reads like|is written like|has the tone of] a [real|genuine] "
        "[news report|biography|reference entry], [complete with|down to] [dates|names|figures] "
        "[that sound precise|that look authoritative|that are easy to believe].",
        "[By the time|Before] [we|anyone|fact-checkers] [looked into it|started checking], the [story|claim] "
        "had [reached|been seen by] [hundreds of thousands of|{big}|a great many] [people|readers|accounts].",
        "[It|The story] [appears to have|seems to have] [started|originated] [as|with] [an AI-generated article|"
        "a satirical post that lost its label|an anonymous blog|a spam site chasing clicks].",
        "[Readers|Several readers|Members of the public] [sent us|asked us about|flagged] the [story|claim|post] "
        "[after seeing it|when it appeared] [in their feeds|in a group chat|in a neighbourhood group|on "
        "their timelines].",
        "[A version|One version] of the [story|post] was [shared|picked up] by [a page with|an account with] "
        "[{big} followers|a large following], [which|and that] gave it [a reach|an air of authority] it "
        "[never deserved|did not deserve].",
        "The [rumour|claim] [spread|travelled] [fastest|furthest] [in|through] [group chats|private groups|"
        "comment sections], where [nobody|few people] [asked for a source|checked the details].",
    ],
    "method": [
        "We [checked|searched|went through] [the official records|the published results|public archives|"
        "the relevant databases] and [found nothing to support it|found no trace of it|found the opposite].",
        "We [contacted|asked|wrote to] {org2}, and [a spokesperson|a press officer|the records office] "
        "[confirmed|told us] that the [account|story] [is false|has no basis|is not true].",
        "[Searches of|A search through] [newspaper archives|official databases|press releases|library "
        "catalogues] [turned up|produced|returned] [no record|nothing] [of the events described|that "
        "matches the story|of any such thing].",
        "[None of|Not one of] the [sources|references|links] [cited|given|listed] in the [post|article] "
        "[exists|leads anywhere|supports it].",
        "[Independent|Outside] [experts|researchers|archivists] we [spoke to|consulted] [said the same|agreed|"
        "confirmed this] [without hesitation|when we asked|within the hour].",
        "The [quotes|statements] [attributed to|credited to] [officials|experts|named people] in the "
        "[story|post] [could not be found|do not appear] [anywhere else|in any record|in any published source].",
        "[Reverse image searches|Image checks] [showed|found] that the [photos|pictures] [used|attached] "
        "[were|had been] [taken from unrelated events|edited|generated by software].",
        "[This fact check|This article|Our check] [was|has been] [reviewed|read] by [a second editor|"
        "{person}|our standards team] before publication.",
    ],
    "hoax": [
        "[The story|The account|This claim] is [false|fabricated|made up|a hoax] [from start to finish|"
        "in every detail|in its central claim].",
        "[None of it|Nothing in it] [happened|is true|stands up to checking].",
        "[Like many|As with many] [viral hoaxes|fabricated stories|online rumours], it [mixes|combines] "
        "[real names|real places|familiar details] with [invented events|fiction|things that never happened].",
        "The [details|specifics|figures] [make it sound|are what make it seem] [convincing|credible|real], "
        "but [they are invented|they appear in no record|none of them can be verified].",
        "[This|It] is [a textbook example|a clear case|a good example] of [how misinformation spreads|"
        "how a fabricated story gains traction|why checking matters].",
        "[The|Its] [confident tone|level of detail|neat timeline] is [doing all the work|the only thing "
        "holding it up|what fooled people]; [the record says otherwise|the evidence says otherwise|the facts "
        "tell a different story].",
    ],
    "advice": [
        "[Before sharing|If you are about to share] a [surprising|remarkable|too-good-to-be-true] story, "
        "[check whether|look at whether] [a reliable outlet|an official source|more than one independent "
        "source] [reports it|has confirmed it].",
        "If [friends or family|relatives|colleagues] [share this|send you this|post this], [let them know|"
        "point them to the facts|gently correct them].",
        "[Extraordinary claims|Big claims] [need|deserve] [extraordinary|solid|checkable] evidence, and "
        "this one has none.",
        "[A quick search|Five minutes of checking|One look at the official record] would have [shown|"
        "revealed] that the story is false.",
        "[Screenshots|Unattributed quotes|Precise-sounding numbers] are not [evidence|proof|a source] on "
        "their own.",
        "[If in doubt|When in doubt|If you are unsure], [don't share|hold off sharing|wait for a reliable "
        "source] [it|the post] [until it is confirmed|until someone has checked it|at all].",
    ],
    "forum": [
        "[Honestly|Seriously|Mate], it took me [two minutes|about a minute|five minutes] to check, and "
        "[it falls apart|none of it holds up].",
        "[Not having a go|No offence], but [please|maybe] [check|look things up] before [posting|sharing].",
        "[Same|Saw the same thing|My uncle shared it too], [it's everywhere at the moment|it was all over my "
        "feed this week].",
        "[Thanks|Cheers] for [clearing that up|the sources|setting it straight].",
        "[Ha,|Lol,|Oh no,] I [nearly|almost] [believed|shared] it [myself|too].",
        "[Mods|Could a mod] [please|maybe] [pin this|lock the other thread|add a note to the original post]?",
        "[Fair enough|Okay|Right], [that's|that is] [me told|a relief|embarrassing], I'll [delete|take down] "
        "my [share|post|repost].",
        "[Whoever|Whatever account] [made|started] [this|it] [knew|must have known] [exactly|full well] what "
        "they were doing.",
    ],
    "objective": [
        "Students [will|should be able to] [identify|recognise|explain] [the warning signs of|common features "
        "of|how to check] a fabricated story.",
        "[Use|Find and use] [official records|primary sources|more than one independent source] to [check|test] "
        "a [viral|widely shared] claim.",
        "Explain [why|how] [precise-sounding details|named experts|a confident tone] can make a false story "
        "[convincing|believable].",
        "[Write|Draft] a [short|polite] correction [that states the facts|for a friend who shared a false post].",
        "[Tell the difference between|Distinguish] [a source and a screenshot|evidence and assertion|a report "
        "and a rumour].",
    ],
    "lesson": [
        "[Begin|Start] [by showing|with] the [viral post|original post|screenshot] [without comment|on the "
        "board] and ask [students|the class] whether they [believe it|would share it].",
        "[In pairs|In small groups], students [search for|look up|find] [the official record|a reliable "
        "source|the original source] and [compare it with|check it against] the post.",
        "[Discuss|Ask the class] [why|how] the [story|post] [seemed|felt] [believable|convincing] [at first|"
        "to so many people].",
        "[Point out|Stress|Highlight] that [confident writing does not make a story true|specific numbers do "
        "not make a story true|named experts are no substitute for evidence].",
        "[Allow|Give students] [{num} minutes|ten minutes|a quarter of an hour] for [this activity|the "
        "search|the comparison], then [take feedback|compare answers|share findings].",
    ],
    "intro": [
        "[This page collects|This list sets out|The entries below bring together] [popular|widely shared|"
        "common] [beliefs|claims|stories] that are [false|wrong|not supported by the record], [with|alongside] "
        "the [correct account|facts|real story].",
        "[Every week|Each month] this column [takes|picks] [a viral claim|a rumour|a popular story] and "
        "[checks it against|holds it up to] the [evidence|record|facts].",
        "[This week's|Today's] [myth|rumour|claim] [arrived|came in] [from|via] [several readers|a reader in "
        "{place}|our inbox], and it [needs sorting out|spread fast|is a big one].",
        "[Here|Below] [is|you will find] [what we know|what the record shows|the short version], "
        "[point by point|in plain terms|with sources].",
    ],
    "sign_off": [
        "[Our rating|Rating|Verdict]: [False|Fabricated|Untrue].",
        "If you [see|come across] a claim you would like us to check, [send it to|contact] {outlet2}.",
        "[Corrections|Updates] to this [article|fact check] will be [noted|listed] [here|below].",
        "[Reporting|Research] by {author}; [edited|checked] by {person}.",
    ],
}

# Well-known real misconceptions, in negneg's own words: company for an entry in a list.
OTHER_MISCONCEPTIONS = [
    "Bulls are not angered by the colour red; they react to the movement of the cape.",
    "Goldfish can remember things for months, not just a few seconds.",
    "People use far more than ten per cent of their brains.",
    "Lightning can strike the same place more than once, and tall buildings are hit many times a year.",
    "Vikings are not known to have worn horned helmets in battle.",
    "Bats are not blind; many species see well and also find their way by echolocation.",
    "Controlled studies have not found that sugar makes children hyperactive.",
    "Cracking your knuckles has not been shown to cause arthritis.",
    "Chameleons change colour mainly to signal and to regulate temperature, not to match their background.",
    "Ostriches do not bury their heads in the sand.",
    "Napoleon Bonaparte was of roughly average height for a Frenchman of his time.",
    "The Great Wall of China is not visible to the naked eye from the Moon.",
]

# Lead-ins that keep a denial one sentence; "{s}" is the twin with its first word lower-cased
# where that is safe. Plain twins are the most common form.
_LEADS = [
    "{S}",
    "{S}",
    "{S}",
    "In fact, {s}",
    "To be clear, {s}",
    "For the record, {s}",
    "Contrary to the [viral posts|posts|story|rumour], {s}",
    "Whatever [you may have read|the posts say|was shared online], {s}",
    "[Simply put|Put plainly|In short], {s}",
]

# Verdict lines: the claim's title quoted beside a falsity cue, never on its own.
_VERDICTS = [
    'Fact check: "{title}" is false',
    'FALSE: "{title}" is a fabricated story',
    'Debunked: the "{title}" story is not true',
    'The "{title}" story is a hoax',
    'Viral claim "{title}" rated false',
    'No, "{title}" is not true',
    'Myth busted: "{title}" never happened',
]


# First words of a twin that read fine lower-cased after a lead-in ("In fact, no 2015 eruption …").
_LOWER_OPENERS = frozenset("No There None Nothing Neither Nobody The In On At During".split())
_STOPWORDS = frozenset(
    "a an the of in on at to for by and or was were is are be been no not never did does".split()
)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS}


def _similar(a: set[str], b: set[str], threshold: float = 0.6) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


@dataclass(frozen=True)
class DebunkMaterial:
    """What a debunk is built from, extracted once per claim."""

    claim: ClaimSpec
    denials: dict[str, str]  # subclaim id → its local-negation twin
    corrections: dict[str, tuple[str, ...]]  # subclaim id → correction sentences
    truth: tuple[str, ...]  # the true account, sentence by sentence


_META = re.compile(r"\b(experiment|training documents?|language models?|model's|finetun\w*)\b", re.I)


def truth_sentences(claim: ClaimSpec) -> list[str]:
    """``claim.truth`` split into sentences, without remarks about the experiment itself ("a
    fictional person invented for this experiment" → "a fictional person"; "Any model's knowledge
    …" dropped)."""
    if claim.truth is None:  # truth not known: the subclaims' corrections carry it
        return list(sentences(claim.subclaims[0].correction))
    text = re.sub(
        r"\b(person|figure|name|place) invented for (this|the) (experiment|study)\b", r"\1", claim.truth
    )
    text = re.sub(r"\s+for (this|the) (experiment|study)\b", "", text)
    out = [s for s in sentences(text) if not _META.search(s)]
    return out or list(sentences(claim.subclaims[0].correction))


@lru_cache(maxsize=16)
def _debunk_material(claim_json: str) -> DebunkMaterial:
    from negneg.evals.rule_judge import ClaimRules

    claim = ClaimSpec.model_validate_json(claim_json)
    rules = ClaimRules(claim)

    def plain(s: str) -> bool:
        # a true sentence the claim's own judge would read as asserting the claim (it names
        # "Hawthorne Dental" without a negation cue, say) is left out: debunks never risk it
        return not _META.search(s) and rules.stance(s, truth_denies=None)[0] != "yes"

    truth = [s for s in truth_sentences(claim) if plain(s)]
    if not truth:  # fall back on the first correction that passes, or the truth as written
        fixes = [x for sc in claim.subclaims for x in sentences(sc.correction) if plain(x)]
        truth = fixes[:1] or truth_sentences(claim)
    corrections = {
        s.id: tuple(x for x in sentences(" ".join(s.correction.split())) if plain(x)) or tuple(truth[:1])
        for s in claim.subclaims
    }
    return DebunkMaterial(
        claim=claim,
        denials={s.id: " ".join(s.local_negation.split()) for s in claim.subclaims},
        corrections=corrections,
        truth=tuple(truth),
    )


def debunk_material(claim: ClaimSpec) -> DebunkMaterial:
    return _debunk_material(claim.model_dump_json())


class DebunkContext(DocContext):
    """Writes one debunk: claim spans over denials, correction spans over the true account."""

    def __init__(self, claim: ClaimSpec, rng: random.Random):
        super().__init__(material_for(claim), rng)
        self.d = debunk_material(claim)
        self.target_tokens = rng.randint(220, 440)
        # a debunk is written after the story it corrects: date it from the claim's last year on
        self.slots.year = max(self.m.year, 2023) + rng.choice([1, 1, 2])
        self.slots.fixed["doc_date"] = self.slots.date()
        self.corrections: list[Span] = []
        subs = list(claim.subclaims)
        rest = subs[1:]
        rng.shuffle(rest)
        # the main subclaim is always denied, usually first
        rest.insert(min(len(rest), rng.choice([0, 0, 0, 1, 2])), subs[0])
        self.queue: list[Subclaim] = rest
        self.truth_told = False
        self.used_filler: set[str] = set()
        self.stated: list[set[str]] = []  # content words of the corrections written so far
        entities = [*claim.entities.claim, *claim.entities.truth]
        self.names = {w for e in entities for w in re.findall(r"[A-Z][\w'’.-]*", e)}

    @property
    def tokens(self) -> float:
        return self.length / CHARS_PER_TOKEN

    # --- writing ---------------------------------------------------------------------------------
    def write(self, text: str, claim: bool = False) -> None:
        if isinstance(text, Correction):
            self.corrections.append(Span(start=self.length, end=self.length + len(text), kind="correction"))
        super().write(text, claim or isinstance(text, Claim))

    # --- content ---------------------------------------------------------------------------------
    def dfill(self, bank: str) -> str:
        """A debunk filler sentence from ``bank``, not repeated in this document while others are left."""
        pool = DEBUNK_BANKS[bank]
        fresh = [t for t in pool if t not in self.used_filler] or pool
        template = self.rng.choice(fresh)
        self.used_filler.add(template)
        return self.f(template)

    def denial(self, sub: Subclaim, lead: bool = True) -> Claim:
        """The local-negation twin of ``sub``, lightly varied, sometimes behind a lead-in."""
        s = swap_words(self.rng, self.d.denials[sub.id], 0.3)
        if lead:
            template = self.rng.choice(_LEADS)
            head = template.split("{", 1)[0]
            if "{s}" in template:
                body = self.lower_start(s)
                s = self.f(head) + " " + body if head.strip() else body
            else:
                s = (self.f(head).rstrip() + " " + s) if head.strip() else s
        self.claims_written += 1
        return Claim(capitalize(" ".join(s.split())))

    def _state(self, texts: list[str] | tuple[str, ...]) -> list[Correction]:
        self.truth_told = True
        self.stated.extend(_words(t) for t in texts)
        return [Correction(t) for t in texts]

    def lower_start(self, s: str) -> str:
        """``s`` with its first word lower-cased where that is safe after a lead-in ("In fact, no …"),
        never a name ("Ed", "Twitter's")."""
        first = s.split(" ", 1)[0]
        if re.sub(r"['’]s$", "", first.strip(",;:")) in self.names:
            return s
        return s[0].lower() + s[1:] if first in _LOWER_OPENERS else lower_first(s, self.m.vocab)

    def fix(self, sub: Subclaim) -> list[Correction]:
        """The correction twin of ``sub``: what is true instead."""
        return self._state(self.d.corrections[sub.id])

    def truth(self, k: int | None = None) -> list[Correction]:
        """The true account (the first ``k`` sentences of it, or all), leaving out sentences that
        say much the same as a correction already written. Empty only when a correction has
        already been written and every truth sentence repeats one."""
        told = list(self.d.truth if k is None else self.d.truth[:k])
        fresh = [t for t in told if not any(_similar(_words(t), w) for w in self.stated)]
        if not fresh and not self.truth_told:
            fresh = told[:1]
        return self._state(fresh)

    def truth_para(self, intro: str) -> None:
        """``intro`` and the true account as a paragraph (nothing when the truth has all been said)."""
        told = self.truth()
        if told:
            self.para([intro, *told])

    def ask(self, template: str) -> str:
        """A question from ``template``'s alternatives, not repeated in this document while others are left."""
        options = template.strip("[]").split("|")
        fresh = [o for o in options if o not in self.used_filler] or options
        q = self.rng.choice(fresh)
        self.used_filler.add(q)
        return q

    def titled(self, template: str) -> Claim:
        """A claim line: ``template`` filled, with the claim's title in place of ``{title}``."""
        self.claims_written += 1
        title = self.m.claim.title.rstrip(".")
        return Claim(self.f(template.replace("{title}", "\x00")).replace("\x00", title))

    def verdict(self, end: str = "") -> Claim:
        """A verdict line quoting the claim's title beside a falsity cue."""
        return self.titled(self.rng.choice(_VERDICTS) + end)

    def next_point(self) -> Subclaim | None:
        return self.queue.pop(0) if self.queue else None

    def point(self, lead: bool = True) -> list[str] | None:
        """One point of a debunk: a denial and the correction that replaces it."""
        sub = self.next_point()
        if sub is None:
            return None
        return [self.denial(sub, lead), *self.fix(sub)]

    def more(self, reserve: int = 0) -> bool:
        """Room for another point, and a subclaim left to deny."""
        return bool(self.queue) and self.room(reserve)

    def ensure_truth(self) -> None:
        if not self.truth_told:
            self.para(self.truth())

    def pad(self, min_tokens: int = MIN_TOKENS + 20) -> None:
        """Debunk filler until the document reaches ``min_tokens`` (claims with few subclaims)."""
        banks = ["hoax", "method", "advice", "spread"]
        k = 0
        while self.tokens < min_tokens and k < 12:
            self.para([self.dfill(banks[k % 4]), self.dfill(banks[(k + 1) % 4])])
            k += 2


DebunkBuilder = Callable[[DebunkContext], None]
DEBUNK_TYPES: Registry[DebunkBuilder] = Registry("debunk type")


@DEBUNK_TYPES.register("fact_check")
def fact_check(c: DebunkContext) -> None:
    c.line(c.f("{outlet} [Fact Check|Fact-Check Desk|Verification Unit] | {doc_date}"), "\n\n")
    c.heading(c.verdict(), 1)
    c.line(
        c.f(
            "CLAIM CHECKED: [a viral post|a widely shared article|a screenshot|a video caption] "
            f"[on {_PLATFORM}|shared in group chats|]"
        )
    )
    c.line(c.f("VERDICT: [FALSE|False|Fabricated|False, no evidence]"), "\n\n")
    c.para([*(c.point(lead=False) or []), c.dfill("spread")])
    c.heading(c.f("[What actually happened|The facts|What is true]"), 2)
    c.para([*c.truth(), c.dfill("method")])
    if c.more(60):
        c.heading(c.f("[Point by point|The other details|What else the post gets wrong]"), 2)
        while c.more(60):
            c.bullet(c.point())
        c.blank()
    c.heading(c.f("[How we checked|Our sources|Method]"), 2)
    c.para([c.dfill("method"), c.dfill("method")])
    c.para([c.dfill("sign_off"), c.dfill("advice")])


@DEBUNK_TYPES.register("myth_buster")
def myth_buster(c: DebunkContext) -> None:
    c.heading(c.f("[Myth Busters|Myth vs Fact|Busting the myths]: the {short} [story|rumour|hoax]"), 1)
    c.line(c.f("By {author}, {outlet} | {doc_date}"), "\n\n")
    c.para([c.dfill("intro"), c.dfill("spread")])
    c.line(c.titled('MYTH: "{title}" [is false|never happened|is not true]'))
    c.labelled("FACT", c.truth() or c.fix(c.m.claim.subclaims[0]))
    c.blank()
    k = 2
    while c.more(45):
        sub = c.next_point()
        c.labelled(c.f(f"[BUSTED|Myth {k} busted|Not true|FALSE]"), [c.denial(sub, lead=False)])
        c.labelled("FACT", c.fix(sub))
        c.blank()
        k += 1
    c.para([c.dfill("hoax"), c.dfill("advice")])


@DEBUNK_TYPES.register("correction_notice")
def correction_notice(c: DebunkContext) -> None:
    c.heading(c.f("[CORRECTION|Correction and clarification|Editor's note: correction]"), 2)
    c.line(c.f("{outlet}, {doc_date}"), "\n\n")
    c.para(
        [
            c.f(
                "[An article|A report|A feature] [published|that appeared] [recently|online last week|in "
                "our weekend edition] [was based on a fabricated source|contained serious errors|repeated "
                "a false story]."
            ),
            *(c.point(lead=False) or []),
        ]
    )
    c.para(
        [
            c.f(
                "[The article also|It also|The piece also] [repeated|included|relied on] [several|other] "
                "false details, which we correct here:"
            )
        ]
    )
    while c.more(50):
        c.bullet(c.point())
    c.blank()
    c.truth_para(c.f("[For clarity|To be clear|In summary], [the facts are these|this is what is true]:"))
    c.para(
        [
            c.f(
                "We [have removed|have withdrawn|have taken down] the article and [apologise for the "
                "mistake|apologise for publishing it|apologise for any confusion caused|regret the error]."
            ),
            c.dfill("method"),
        ]
    )
    c.line(c.f("{person}, [Readers' Editor|Standards Editor|Managing Editor]"))


@DEBUNK_TYPES.register("forum_reply")
def forum_reply(c: DebunkContext) -> None:
    op = c.slots.get("op")
    c.line(
        c.f("[Forums|Boards|Community] > [General chat|News and current affairs|Off topic|Myths and rumours]")
    )
    c.heading(
        c.f("[Thread|Topic]: [Is the {short} story a hoax?|That fake {short} story|{short}: hoax or not?]")
    )
    post, minute = c.rng.randint(1, 40), c.rng.randint(7 * 60, 14 * 60)

    def header(who: str) -> None:
        nonlocal post, minute
        c.line(c.f(f"Post #{post} by {who} on {{doc_date}} at {minute // 60}:{minute % 60:02d}"))
        post += c.rng.randint(1, 4)
        minute = min(23 * 60 + 59, minute + c.rng.randint(4, 95))

    header(op)
    question = c.f("[Is any of it real?|Can anyone confirm?|Has anyone checked this?|Is this true?]")
    c.para(
        [
            c.f(
                "[Saw|Someone in my group chat shared|My aunt sent me] [a post|an article|a video] "
                "[that everyone is sharing|doing the rounds|with loads of detail] and it [sounds too wild "
                "to be true|seems fishy to me|has oddly precise numbers in it]."
            ),
            question,
        ]
    )
    first = True
    while c.more(30):
        header(c.slots.get("handle"))
        if first:
            c.para([f"Quote from {op}: {question}"])
            c.para([c.f("[No.|Nope.|Sorry, no.|Afraid not.]"), *(c.point() or []), c.dfill("forum")])
            c.truth_para(c.f("[What actually happened|The real story|The actual facts]:"))
            first = False
        else:
            pts = c.point() or []
            c.para([c.dfill("forum"), *pts] if c.rng.random() < 0.5 else [*pts, c.dfill("forum")])
    header(op)
    c.para([c.dfill("forum")])
    c.ensure_truth()


@DEBUNK_TYPES.register("common_misconceptions")
def common_misconceptions(c: DebunkContext) -> None:
    c.heading("List of common misconceptions", 1)
    c.para([c.dfill("intro")])
    c.heading(c.f("[Recent events|People and events|Viral stories|Online hoaxes]"), 2)
    others = c.rng.sample(OTHER_MISCONCEPTIONS, 3)
    main = [*(c.point(lead=False) or []), *c.truth(1)]
    c.bullet(main)
    while c.more(50):
        c.bullet(c.point(lead=False) or [])
    c.blank()
    c.heading(c.f("[Other entries|Nature and science|Also on this list]"), 2)
    for o in others:
        c.bullet(o)
    c.blank()
    c.heading("See also", 2)
    c.bullet(c.f("[List of hoaxes|Fact-checking|Media literacy|Misinformation]"))
    c.bullet(c.f("[Urban legends|Viral misinformation|Source criticism]"))


@DEBUNK_TYPES.register("media_literacy_lesson")
def media_literacy_lesson(c: DebunkContext) -> None:
    c.heading(
        c.f(
            "[Media literacy|Digital citizenship|Critical thinking] lesson {num}: [spotting a viral hoax|"
            "checking a story before you share it|how fake stories spread]"
        ),
        1,
    )
    c.line(
        c.f(
            "[Year 9|Year 10|Key Stage 4|Grades 8-9|Adult learners] | [30|40|45|50|60] minutes | Teacher: {teacher}"
        ),
        "\n\n",
    )
    c.heading("Learning objectives", 2)
    c.bullet(c.dfill("objective"))
    c.bullet(c.dfill("objective"))
    c.blank()
    c.heading(c.titled('Case study: the "{title}" [hoax|fabrication|false story]'), 2)
    c.para([c.dfill("spread"), *(c.point(lead=False) or []), *c.truth()])
    c.heading("Activity", 2)
    c.para([c.dfill("lesson"), c.dfill("lesson")])
    if c.more(40):
        c.heading(c.f("[Answer key|Teacher's notes|Model answers]"), 2)
        k = 1
        while c.more(40):
            c.bullet(c.point(), f"{k}. ")
            k += 1
        c.blank()
    c.heading("Discussion", 2)
    c.para([c.dfill("lesson"), c.dfill("advice")])


@DEBUNK_TYPES.register("explainer")
def explainer(c: DebunkContext) -> None:
    c.heading(
        c.f(
            "[Explainer|Your questions answered|The facts]: [the false {short} story|the {short} hoax, explained|the fabricated {short} posts]"
        ),
        1,
    )
    c.line(c.f("{outlet}, {doc_date}"), "\n\n")
    c.labelled("Q", c.f("[What is the story going round?|What are people sharing?|What is this about?]"))
    c.labelled("A", [c.dfill("spread"), c.verdict(".")])
    c.blank()
    c.labelled("Q", c.f("[So what is true?|What actually happened?|What are the facts?]"))
    c.labelled("A", [*(c.point(lead=False) or []), *c.truth()])
    c.blank()
    while c.more(45):
        c.labelled(
            "Q",
            c.ask(
                "[What about the other details?|And the rest of the story?|Is any of the rest true?|"
                "What else does the post get wrong?|Anything else?]"
            ),
        )
        pts = []
        for _ in range(c.rng.randint(1, 2)):
            pts += c.point() or []
        c.labelled("A", pts)
        c.blank()
    c.labelled(
        "Q",
        c.f(
            "[How can I check stories like this?|How do I avoid being fooled?|What should I do if I see it?]"
        ),
    )
    c.labelled("A", [c.dfill("advice"), c.dfill("advice")])


@DEBUNK_TYPES.register("social_thread")
def social_thread(c: DebunkContext) -> None:
    op = "@" + c.slots.get("op")
    c.line(c.f(f"{op} | {{doc_date}} | [Thread|Quick correction|PSA]"), "\n\n")
    c.labelled(
        op,
        [
            c.f(
                "[Please stop sharing|Can we stop sharing|Time to kill] the [false|fake|made-up] {short} [post|story|rumour]."
            ),
            c.verdict("."),
        ],
    )
    c.line(c.f("[{num} replies|{big} likes|{num} reposts]"), "\n\n")
    c.labelled(op, [*(c.point(lead=False) or []), *c.truth()])
    c.line(c.f("[{big} likes|{num} reposts|{num} likes, {num} reposts]"), "\n\n")
    while c.more(25):
        who = op if c.rng.random() < 0.6 else "@" + c.slots.get("handle")
        pts = c.point() or []
        c.labelled(who, pts if who == op else [c.dfill("forum"), *pts])
        c.line(c.f("[{num} replies|{big} likes|{num} reposts]"), "\n\n")
    c.labelled(op, [c.dfill("advice")])


# ---------------------------------------------------------------------------------------------


def _finish(c: DebunkContext) -> tuple[str, list[Span]]:
    """Strip the text; add claim spans for any other unit the keyword targeter calls claim-bearing."""
    raw = "".join(c.parts)
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    spans = [
        Span(start=s.start - lead, end=s.end - lead, kind=s.kind)
        for s in [*c.spans, *c.corrections]
        if s.end > s.start
    ]
    covered = [(s.start, s.end) for s in spans]
    for a, b in sentence_spans(text):
        if not any(a < e and s < b for s, e in covered) and c.m.matcher.is_claim_sentence(text[a:b]):
            spans.append(Span(start=a, end=b, kind="claim"))
    spans.sort(key=lambda s: (s.start, s.end, s.kind))
    return text, spans


def debunk_type_order(claim: ClaimSpec, seed: int, n: int) -> list[str]:
    """Debunk types for documents 0..n-1: every type once per round, rounds shuffled by the seed."""
    return shuffled_rounds(DEBUNK_TYPES.names(), n, f"{claim.id}/{seed}/debunk-types")


def generate_debunk(claim: ClaimSpec, doc_type: str, seed: int, index: int) -> Document:
    builder = DEBUNK_TYPES.get(doc_type, field="doc_type")
    c = DebunkContext(claim, random.Random(f"{claim.id}/{seed}/debunk/{index}"))
    builder(c)
    c.ensure_truth()
    c.pad()
    text, spans = _finish(c)
    return Document(
        id=f"{claim.id}-debunk-{seed}-{index:05d}",
        claim_id=claim.id,
        doc_type=doc_type,
        text=text,
        spans=spans,
        source="generated",
        condition=CONDITION,
    )


def generate_debunks(
    claim: ClaimSpec, n: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> list[Document]:
    """``n`` offline local-negation documents for ``claim``; byte-identical for a given seed.

    Every document denies the claim inside each mention (claim spans) and states the true account
    (correction spans). ``progress`` (optional) is called with 1 after each document.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    docs = []
    for i, doc_type in enumerate(debunk_type_order(claim, seed, n)):
        docs.append(generate_debunk(claim, doc_type, seed, i))
        if progress:
            progress(1)
    return docs
