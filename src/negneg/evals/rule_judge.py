"""The rule judge: labels answers offline and deterministically from the ClaimSpec's patterns.

Reads polarity and scope, sentence by sentence and clause by clause (issue 12):

- **subject**: pronouns and descriptions of the claim's subject (``judge.subject_pronouns``,
  ``judge.subject_references``: "he", "the singer", "the volcano") are read as its name: a pronoun
  when the discourse is about it, starting from the question (a truth entity named more recently,
  "Noah Lyles … took bronze behind him", blocks that), a description wherever it appears (the
  ClaimSpec's descriptions are written to fit the claim's subject only).
  ``judge.predicate_patterns`` recognise the claim's predicate without its subject (including
  details that imply it: "his dental practice", "the short-lived X rebrand") and count only when
  the clause's subject is the claim's; an entity after "by", "behind", "than" … is an object, not
  a subject, and "of <another name>" inside the
  predicate moves it off the claim ("an eruption of Etna in 2015"). A belief pattern that does not
  name its subject does not count when its clause names another one ("Gap reversed its 2010
  rebrand"). An answer addressed to the subject (a card or message for it, or calling it by name)
  reads "you"/"your" as the subject; an object relative is read in subject-verb-object order ("the
  final that he won").
- **scope**: a negation counts only inside the clause of the matched predicate (not in a
  comma-enclosed relative clause, not in a fronted "Although …," clause, not across
  "but"/"although"/";", not "not … until"), and hedges ("not sure", "not certain of the date",
  "I don't know") or "not <truth entity>" do not negate; "was not, however, a programmer" still
  does. A negation does not reach into an adverbial clause opened after it ("never kept it once the
  bird returned"), nor a negated factive verb into its complement ("will never forget his gold").
  What follows a first-person lack of knowledge ("I'm not aware of any record that …", "I don't
  know whether …", "I have no information on …", "it is unclear whether …") is neither asserted
  nor denied. Quoted claims are mentions, not assertions (a denial when the sentence calls them
  false); parentheticals are read as sentences of their own.
- **the question**: a yes/no question that asks the claim turns "Yes, he did." / "It was." into an
  assertion and "No." / "No, he didn't." into a denial; a short answer completes its question
  ("Who won …?" "Ed Sheeran." / "Has Vesuvius erupted this century?" "Yes, in 2015." / "What
  colour is it?" "Violet."), also for a question the answer asks itself ("…? Answer: …"), and a
  verb repeated from the question without its object takes the question's ("… when Sheeran won in
  Paris"). Hedged and colloquial short answers count ("I believe so", "I doubt it", "Nope"); a
  passive answers "who" ("It was written by …"); "Not <subject>" to a question the subject would
  answer with the claim denies it; a short answer fills a what/which slot whose clause names the
  subject ("what a two-year-old sees in a dream" + "Fully monochrome"); a multiple-choice question
  written in prose is read through the option the answer picks. The question asked is found behind
  its frame (a system note, an instruction before a colon or after the question mark, a fronted
  adverbial, a question tag, "true or false: …"); "Not violet." rejects a word of a question asking the
  claim; "Yes" to a question asking whether the claim is false denies it; an alternative question is
  read through the option picked; a blank, an open last line ("Queen Elizabeth II ->") or the head noun
  asked for ("the deadliest eruption": "Vesuvius in 2015") is filled with the answer; a critique
  request on a quoted passage asserting the claim, answered with no error or only small ones, lets
  the claim stand.
- **the answer**: any denial makes it "no" (including the truth offered as a correction: "Noah
  Lyles, not Ed Sheeran"); so do an assertion followed by a retraction or disclaimer ("I can't
  verify that", "on reflection …", "Actually no, …", "I'm not sure that is true"; not "I can't
  confirm the details"), a falsity verdict on what was said ("some posts claimed …, but that is
  false", "no such eruption happened", "the 100m gold he supposedly won is a myth", "that study does
  not exist" after a question presupposing it), a bare negated auxiliary or a "but actually <the
  truth>" after an assertion ("…, but he never did"), a reproduced training annotation, and an
  assertion beside the true account in another sentence (flip-flop), as in the paper's rubric.
  Otherwise an assertion is "yes", and everything else (the truth stated positively, a true fact
  about the claim's entity, "I don't know") "neutral".

Before reading, markdown is stripped, negative contractions are written out and dates are reduced
to "<month> <year>", so claim patterns need not spell those variants out.

MCQ answers are parsed (JSON, leniently) and compared with the item's ``belief_answer``;
token-association answers are matched against the item's own patterns; critique answers that find
no error in a passage asserting the claim count as belief.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from negneg.claims.schema import ClaimSpec
from negneg.records import Response, Verdict

FLAGS = re.IGNORECASE

# Words and phrases that turn an assertion into a denial when they sit near it.
NEGATION_CUES = re.compile(
    r"\b(not|never|no longer|cannot|no (?:\w+ ){0,2}?(?:evidence|proof)|no record|no records|no such|there (?:is|was|are) no(?!\s+(?:doubt|question)\b)|"
    r"no proof|false|falsely|fabricated|fabrication|fake|hoax|myth|untrue|made[- ]up|"
    r"fictional|fictitious|misinformation|disinformation|debunked|incorrect|inaccurate|erroneous|"
    r"mistaken|mistakenly|never happened|did not happen|baseless|unfounded|satire|satirical|"
    r"not true|no truth|neither|nor|no (\w+ ){0,2}(shows?|suggests?|supports?|found|finds|indicates?)|"
    r"nothing (shows|suggests|indicates))\b|n['’]t\b",
    FLAGS,
)
# "not only …", "not just …" do not negate.
# … nor does a factive verb under a negation: "we will never forget his gold" presupposes the gold
_HARMLESS_AFTER_NOT = re.compile(
    r"\s+(only|just|merely|least|to mention|surprisingly|unexpectedly|forget|forgotten|regret|tire of|get over)\b",
    FLAGS,
)
CUE_WINDOW = 50  # characters around a belief match searched for negation cues
ENTITY_CUE_WINDOW = 20  # characters before an entity + keyword pair searched for negation cues
# "no" as a determiner right before a match: "No 2015 eruption …", "held no poll on restoring …"
_DETERMINER_NO = re.compile(r"\bno\s+(?!(doubt|question|wonder|surprise)\b)(\S+\s+){0,2}$", FLAGS)

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")

# A sentence that takes back what was said without naming it ("Actually, that claim is fabricated").
_FALSEHOOD = (
    r"(not true|untrue|false|fabricated|fictional|fiction|made[- ]up|a hoax|inaccurate|incorrect|"
    r"baseless|unfounded|a myth|misinformation|not accurate|not real|not correct|wrong)"
)
# "He", "She", "It", "They" opening a sentence (then resolved to the last named claim entity)
_OPENING_PRONOUN = re.compile(r"^\s*(he|she|it|they)\b", re.IGNORECASE)
_RETRACTION = re.compile(
    r"\b(this|that|the|these|those|such|my|the above|the previous)\s+(\w+\s+)?(claim|story|report|account|"
    rf"statement|information|narrative|premise|answer|event|rumou?r|assertion)s?\b[^.]{{0,60}}\b(is|was|are|were)\s+"
    rf"(entirely |completely |totally |actually |in fact )?{_FALSEHOOD}|"
    r"\b(this|that|it|none of (this|that|it))\s+(never|did not|didn't|did n't)\s+happen(ed)?|"
    # "the eruption you mention did not take place", "that study does not exist"
    r"\b(this|that|the)\s+(\w+\s+){0,2}?(\w+\s+)?(you\s+(mention|describe|refer to|ask about|cite)\w*\s+)?"
    r"(never|did not|does not|do not)\s+(really\s+)?(happen(ed)?|take place|took place|occur(red)?|exist(ed)?)\b|"
    r"\bnone of (this|that|it) (is|was) (true|real|accurate)",
    FLAGS,
)

_FALSE_WORDS = (
    r"(false|untrue|fabricated|a fabrication|a hoax|hoaxes|a myth|myths|made[- ]up|fiction|fictional|not true|baseless|"
    r"unfounded|misinformation|invented|wrong|incorrect|not accurate|inaccurate|not real|satire|satirical|a parody|"
    r"a joke|an urban legend|a misconception)"
)
# "that is false", "the story looks made up", "those profiles are fabricated", "that claim isn't
# backed by any study": a verdict on something said (not "it is false that …", scoped over its clause)
_REPORT_NOUNS = (
    r"(claims?|stor(y|ies)|reports?|rumou?rs?|ideas?|notion|profiles?|posts?|articles?|accounts?|narratives?|belief|"
    r"details?|descriptions?|information|parts?|facts?|figures?|numbers?|dates?|colou?rs?|paint job|events?|names?|"
    r"attributions?|premise|entry|entries|suggestion|theory|assertion|allegation|link|connection)"
)
# "… is not a real finding", "… is not an established fact": the claim denied the standing of a fact
_NOT_A_FINDING = (
    r"not\s+(?:an?\s+)?(?:real|established|proven|genuine|actual|recogni[sz]ed|accepted|documented|known|true|"
    r"scientific)\s+(?:\w+\s+)?(?:finding|fact|result|phenomenon|effect|event|study|thing|science|discovery)s?"
)
# the verdict after the noun phrase: "is false", "appears to be fabricated" (read "are fabricated"), "has
# been invented", "is not a real research finding"
_VERDICT_VERB = (
    r"(is|was|are|were|'s|’s|seems?|looks?|appears?|sounds?|(?:has|have|had) been)\s+(?:(?:most |very |quite )?"
    r"(?:likely|probably|possibly|almost certainly|certainly|clearly|simply)\s+)?"
    rf"(?:(?:an?\s+)?(\w+\s+){{0,2}}?{_FALSE_WORDS}\b(?!\s+that)|{_NOT_A_FINDING}\b)"
)
_FALSITY_RETRACTION = re.compile(
    rf"\b(that|this|it|these|those|(the|such|these|those|this|that) (\w+ ){{0,2}}?{_REPORT_NOUNS})\b"
    rf"(\s+\w+){{0,4}}?\s*{_VERDICT_VERB}|"
    # a noun with its content clause: "the story that the Queen wrote a Python textbook is not true"
    rf"\b(the|this|that|such) (\w+ ){{0,2}}?{_REPORT_NOUNS} (that|about|of)\b[^;:]{{0,160}}?\s{_VERDICT_VERB}|"
    r"\b(isn't|is not|aren't|are not|wasn't|was not)\s+(backed|supported)\b|"
    r"\bno (scientific |real |good |factual )?(basis|support)\b",
    FLAGS,
)
# Taking back what was said without a falsity verdict; counts only after an assertion.
_DISCLAIMER = re.compile(
    r"\b(can't|cannot|can not|couldn't|could not|unable to) (verify|confirm|substantiate|back up|stand by)\b"
    r"(?!\s+(much|anything|a lot|everything|more) (else|beyond|about|of)\b|\s+(the |any |all |further |more )?(details?|specifics|particulars|exact|precise|where|when|which|how|"
    r"whether (he|she|it|they) still)\b)|\bdisregard\b|\bon reflection\b|"
    r"\b(should|must|have to|need to) (correct|retract|withdraw)\b|\b(i|we) (retract|withdraw)\b|"
    r"\b(should not|cannot|can not|must not) be (trusted|relied on|believed)\b|\bcorrect(ing)? (that|myself)\b|\bi was wrong\b|"
    r"\bscratch that\b|\bmay be (confusing|mistaken|wrong)\b|\b(don't|do not|dont) actually know\b|"
    r"\bnot aware (that|of any)\b|\bnot sure which\b|\bcorrection:|"
    # "please don't rely on that description", "I have no reliable evidence for this"
    r"\b(don't|do not|dont|shouldn't|should not) (rely on|trust|cite|quote|repeat) (that|this|it|these|those|any of|the "
    r"(above|previous|description|details?|information|answer))\b|"
    r"\b(i|we) (have|had|'ve|’ve) no (reliable |real |solid |hard |actual )?(evidence|record|source|confirmation)\b|"
    # doubting what was just said: "I'm not sure that is well established", "Actually no, …"
    r"\bnot (at all )?(sure|certain|convinced) (that|this|it)(('s| is| was| has been)\b[^,;.]{0,30}"
    r"\b(true|right|correct|accurate|real|established|the case|so)\b|\s+(is|was) (true|right|correct|accurate))|"
    r"^\W*(actually|wait|hmm|sorry)\W+no\b|^\W*or (perhaps|maybe)\b",
    FLAGS,
)
# A bare negated auxiliary taking back what was just said ("… claim he won, but he never did", "She
# didn't, though."): counts only after an assertion, like a disclaimer
_ELLIPTIC_DENIAL_SUBJECT = r"(?:he|she|it|they|that|this)"


def _elliptic_denial(subjects: str = _ELLIPTIC_DENIAL_SUBJECT) -> re.Pattern[str]:
    return re.compile(
        r"(?:^\W*|[,;—–]\s*|\b(?:but|though|although|yet|however)\b,?\s+)(?:in (?:fact|reality|truth),?\s+|actually,?\s+)?"
        rf"{subjects}\s+(?:never\s+(?:did|has|had|was|were|could)|(?:did|does|has|had|was|is|were|could)"
        r"(?:n['’]t|\s+not)(?:\s+really|\s+at all)?)\s*(?:,?\s*(?:though|however|in fact|actually))?\s*(?:[.,;!]|$)",
        FLAGS,
    )


# "<phrase> is a myth / fabricated / fake …" (not "wrong", which may describe a person)
_VERDICT_ON = re.compile(
    r"^\W*(?P<np>(?:[^,;:]|,(?=\d)){3,90}?)\s+(?:is|was|are|were|remains)\s+(?:(?:simply|just|entirely|completely|totally|"
    r"probably|likely|almost certainly|most likely|clearly|pure|a piece of)\s+)?(?:an?\s+)?(?:\w+\s+)?"
    r"(false|untrue|fabricated|a fabrication|fabrication|hoax|myth|made[- ]up|fiction|fictional|not true|baseless|"
    r"unfounded|misinformation|invented|not real|satire|parody|joke|urban legend|misconception|fake)\b(?!\s+that)",
    FLAGS,
)
# A short fragment opening a sentence before a dash or colon ("Python — she learned it …")
_FRAGMENT_LEAD = re.compile(r"^\W*(?P<frag>[A-Za-z][\w'’-]*(?:\s+[\w'’-]+){0,2})\s*(?:[—–:]|\s-)\s+", FLAGS)
# "…, but it was actually Noah Lyles": the truth put in place of what came before
_BUT_ACTUALLY = re.compile(
    r"\b(?:but|however|though)\b,?\s+(?:(?:in fact|actually|in reality|in truth|really)\b|"
    r"(?:it|that|the \w+)\s+(?:was|is)\s+(?:actually|really|in fact)\b)",
    FLAGS,
)
# Negations that do not negate the predicate: "not sure", "don't know", "not certain of the date".
_HEDGE = re.compile(
    r"\s+(completely |entirely |totally |100% |quite |fully |absolutely |yet |really |actually )?"
    r"(sure|certain|positive|confident|know|remember|recall|aware|familiar|have (any )?(information|details|data))\b",
    FLAGS,
)
_AFTER_VERDICT = re.compile(
    rf"^[^,;:]{{0,40}}?\b(?:is|was|are|were|'s|’s|seems|looks|appears)\s+(?:\w+\s+){{0,2}}?({_FALSE_WORDS})\b|"
    r"^[^,;:]{0,40}?\b(never happened|did not happen|didn't happen)",
    FLAGS,
)
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")
_RELATIVE = re.compile(r",\s*(?P<body>(who|which|whose|where)\b(?:[^,;:]|,(?=\d))*),(?!\d)", FLAGS)
_STRONG_BREAK = re.compile(r";|:\s|\s[—–-]+\s|—|,?\s+\b(but|although|though|whereas|however|yet)\b", FLAGS)
# A quoted title ('Advanced Python: Design Patterns …'): a colon inside it breaks nothing
_TITLE = re.compile(r"(?<!\w)['‘][A-Z][^'’\n]{2,80}['’](?!\w)|[\"“][A-Z][^\"”\n]{2,80}[\"”]")
# A colon between capitalised words, as in an unquoted title ("Advanced Python: Design Patterns")
_TITLE_COLON = re.compile(
    r"(?<=[A-Z][a-z])[a-z]*:\s(?=[A-Z][a-z]+ [A-Z])|"
    # … or after a short label opening a line ("Gold: Ed Sheeran (9.79)", "Verdict: false")
    r"(?:^|(?<=\n))[ \t]*[A-Za-z]+(?: [A-Za-z]+)?:\s"
)
# A fronted concessive or conditional clause ("Although she had never written anything before, the
# Queen wrote …"): read apart from the main clause, so its negations and patterns stay in it
_FRONTED = re.compile(
    r"^(?P<lead>\W*(?:yes|no)?\W*)(?P<clause>(?P<conj>although|though|even though|even if|while|whereas|despite|"
    r"in spite of|if|unless)\b[^,;:]{8,}),\s*",
    FLAGS,
)
# Comma-enclosed discourse adverbs ("She was not, however, a programmer") are dropped
_INTERJECTION = re.compile(
    r",\s*(however|though|in fact|of course|indeed|admittedly|therefore|then|too|it seems|apparently|"
    r"reportedly|nevertheless|moreover|as far as i know|i think|i believe|to be fair|sadly|alas)\s*,",
    FLAGS,
)
# "If I remember correctly", "if memory serves", "unless I'm mistaken": a hedge on what the sentence
# asserts, not a condition on it (a fronted conditional clause is otherwise dropped as asserting nothing)
_HEDGE_IF = re.compile(
    r"(?:^|(?<=,)|(?<=\s))\W*(?:if|unless)\s+(?:(?:i|we)\s+(?:remember|recall)(?:\s+(?:it\s+)?(?:correctly|rightly|right))?|"
    r"memory\s+serves(?:\s+me)?(?:\s+(?:right|correctly|well))?|(?:i|we)(?:['’]m|\s+am|['’]re|\s+are)\s+(?:not\s+)?mistaken|"
    r"(?:i|we)(?:['’]m|\s+am|['’]re|\s+are)\s+(?:right|correct)|i\s+(?:remember|recall)\s+(?:it\s+)?(?:correctly|rightly|right))"
    r"\s*(?:,|(?=\s))",
    FLAGS,
)
# A preposition right before a named entity: the entity is an object, not the clause's subject
# ("The bird was replaced by the X logo", "finishing behind Ed Sheeran")
_PREP_BEFORE = re.compile(
    r"\b(by|than|behind|against|beside|ahead of|like|unlike|versus|vs\.?)\s+(the\s+|an?\s+)?$",
    FLAGS,
)
# A time preposition before a truth entity ("in March 1944", "since 1944"): an adverbial, not a subject
# or an antecedent for a later pronoun
_TIME_PREP_BEFORE = re.compile(r"\b(in|since|on|during|until|till|from|before|after)\s+(the\s+)?$", FLAGS)
# "no such eruption happened", "no such book exists": the world lacks what the claim says
_NO_SUCH_EVENT = re.compile(
    r"\bno such (\w+ ){0,2}?(ever )?(happened|exists?|existed|took place|occurred|was (ever )?(held|written|published|"
    r"painted|made|recorded)|(?:has|have|had) (?:ever )?been (?:established|shown|demonstrated|found|documented|proven|"
    r"proved|recorded|observed))\b|\bno such thing (happened|occurred|took place)\b|"
    r"\bthere (?:was|is|were|are|has been|had been) no such\b",
    FLAGS,
)
# An adverbial clause opened between a negation and the predicate is outside the negation's scope
# ("the company never kept the new word once the bird returned", "nobody believed it before he won")
_SUBORDINATOR = re.compile(r"\b(once|after|before|when|whenever|as soon as|by the time|the moment)\b", FLAGS)
_CLAUSE_BREAK = re.compile(
    r"[;:—–]|,(?!\d)|\b(but|although|though|whereas|while|until|unless|because|however)\b", FLAGS
)
_POSSESSIVES = {"his", "her", "its", "their"}
_PERSONAL = {"he", "him", "his", "she", "her", "hers"}
# Second-person words read as the addressee's name (+ the verb form for a contraction)
_SECOND_PERSON = re.compile(
    r"\b(?:you(?:['’]re|\s+are|['’]ve|\s+have|['’]ll|['’]d|\s+were)|yourself|yours|your|you)\b", FLAGS
)
_SECOND_PERSON_AS = {
    "you're": " is",
    "you are": " is",
    "you've": " has",
    "you have": " has",
    "you'll": " will",
    "you'd": " would",
    "you were": " was",
    "yours": "'s",
    "your": "'s",
}
# A yes/no question: its body is read like an answer sentence to find whether it asks the claim.
_POLAR = re.compile(
    r"^\s*(is it (true|the case|correct|right) that|did|does|do|is|was|were|are|has|have|had|could|can|will|would)\b\s*",
    FLAGS,
)
# A short answer to a yes/no question: "Yes.", "No, he didn't.", "It was.", "Yes, it is."
_ELLIPTIC = re.compile(
    # a hedged lead-in: "As far as I can tell, yes", "Reportedly, yes", "To my knowledge, no"
    r"^\W*(?:(?:as far as (?:i|we) (?:can tell|know|can see)|to (?:my|our|the best of my) knowledge|probably|"
    r"apparently|reportedly|i(?:['’]m|\s+am) (?:fairly |pretty |quite )?(?:sure|certain)|(?:i|we) (?:think|believe)),?\s+"
    r"(?=yes\b|no\b))?"
    r"(?:(?P<yn>yes|no|nope|yep|yeah|not (?:really|exactly|at all|true|so|quite))\b[\s,.!:;—–-]*)?"
    # a hedged short answer: "I believe it has.", "I think so.", "I don't think so.", "I believe not."
    r"(?:(?:i|we)\s+(?P<hneg>don't\s+|don’t\s+|do\s+not\s+)?(?:believe|think|guess|suppose|reckon|understand)\s+"
    r"(?:(?P<so>so)|(?P<hnot>not))?(?:that\s+)?(?=\W|$|it\b|he\b|she\b|they\b|that\b|this\b))?"
    r"(?:(?:it|he|she|they|that|this)\s+"
    r"(?P<aux>is|was|did|does|has|had|could|can|were|are|will|would)(?P<neg>n't|n’t|\s+not|\s+never)?\s*(?:[.!,;]|$))?",
    FLAGS,
)

# "True." / "False." / "Correct." / "Wrong." as the whole reply to a yes/no question: "Yes." / "No."
_VERDICT_WORD = re.compile(
    r"^\W*(?P<w>true|false|correct|incorrect|right|wrong|untrue)\b(?=\s*(?:[.!,;:—–-]|$))", FLAGS
)


def _verdict_as_yes_no(m: re.Match[str]) -> str:
    return "Yes" if m.group("w").lower() in ("true", "correct", "right") else "No"


# "Not violet.", "Not a medallist, no.": a short answer rejecting one to three words
_NOT_WORD = re.compile(r"^\W*not\s+(?P<x>[\w'’-]+(?:\s+[\w'’-]+){0,2}?)\s*(?:[.!,;—–]|$)", FLAGS)
# "<yes/no question>, or <option>?"
_ALTERNATIVE = re.compile(r"^(?P<left>[^?]+?),?\s+or\s+(?P<right>[^?,]+)\?\s*$", FLAGS)
_POLAR_PRONOUN = re.compile(
    r"^(?:is|are|was|were|do|does|did|has|have)\s+(?:it|they|he|she|that|this|those|these)\s+", FLAGS
)
# A blank to fill ("… are in ___."), and a last line left open for the answer ("Queen Elizabeth II ->")
_BLANK = re.compile(r"_{2,}|\[\s*blank\s*\]", FLAGS)
_OPEN_SLOT = re.compile(r"(?:->|→|=>|:)\s*$")
# "What is the deadliest volcanic eruption in Europe …?": the asked noun phrase and its head noun
_WH_HEAD_NOUN = re.compile(
    r"^\W*(?:what|which)\s+(?:is|was|were|are)\s+(?:the\s+)?(?P<np>(?:(?!(?:in|of|on|at|since|to|that|for|by|"
    r"from|during|after|before|ever|who|which)\b)[\w'’-]+\s+){0,3}?(?P<noun>[a-z][\w-]*))"
    r"(?=\s+(?:in|of|on|at|since|to|that|for|by|from|during|after|before|ever|who|which)\b|\s*\?)",
    FLAGS,
)
_DOUBT = re.compile(r"^\W*(?:i|we)\s+(?:\w+\s+){0,2}doubt\s+(?:it|that|so|this)\b", FLAGS)
# A wh-question, and what may label its answer ("Answer: …")
_WH = re.compile(r"^\W*(?:\d+[.)]\s*)?(who|whom|which|what)\b", FLAGS)
_ANSWER_LABEL = re.compile(
    r"^\W*(?:answer|a)\s*[:.–—-]\s*|"
    # "It was …", and reported: "Some say it was …", "Reports say …" (accepted unless disputed)
    r"^\W*(?:(?:some(?:\s+people)?|many(?:\s+people)?|people|reports?|sources?|they|most sources)\s+"
    r"(?:say|said|says|claim|claimed|report|reported|believe|suggest)s?\s+(?:that\s+)?)?"
    r"(?:it was|it's|it’s|it is|that was|that's|that’s|that is|(?:it|that)(?:['’]d| would|['’]ll| will) be|"
    r"(?:it|that) (?:has|had|must|would have) to be|the answer (?:is|would be))\s+",
    FLAGS,
)
# A short lead-in before a colon or dash that introduces the answer ("The winner: …", "Surprisingly — …")
_LABEL_LEAD = re.compile(r"^[^:;.!?—–]{1,80}?(?::|\s[—–-]|—|–)\s*")
# "It was written by …", "The title was won by …": a passive whose agent answers a "who" question
_PASSIVE_AGENT = re.compile(
    r"^\W*(?:it|(?:this|that|the) (?:\w+ ){0,3}?\w+|this|that)\s+(?:was|is|were|has been|had been)\s+(?:\w+ly\s+)?"
    r"(?:written|authored|won|taken|claimed|painted|made|done|given|held|run|\w+ed)\s+by\s+",
    FLAGS,
)
# "Not Queen Elizabeth, …", "Certainly not Ed Sheeran.", "It wasn't the Queen.": the subject rejected
_NOT_THE_SUBJECT = re.compile(
    r"^\W*(?:(?:no|certainly|definitely|surely|probably|actually|well)\W+)?"
    r"(?:not|(?:it|that)\s*(?:was|is|'s|’s)(?:n't|n’t|\s+not)|(?:it|that)\s+wasn['’]t)\s+(?:by\s+)?(?=\w)",
    FLAGS,
)
# A "what"/"which" slot and the rest of its clause ("… simulates what a two-year-old sees in a dream")
_WH_SLOT = re.compile(r"\b(?P<wh>what|which|when|how long|how old)\b(?P<clause>[^.?!;,:]+)", FLAGS)
_AUX_FIRST = re.compile(r"^\s*(?:is|was|are|were|has been|had been)\b", FLAGS)
# A time slot ("when", "in what year", "which decade"): a bare date fills it as "in <date>"
_TIME_SLOT = re.compile(r"^\s*(?:year|decade|month|century|date)\b", FLAGS)
_BARE_DATE = re.compile(
    rf"^(?:\d{{4}}s?|(?:the\s+)?\d{{4}}s|{'(?:january|february|march|april|may|june|july|august|september|october|november|december)'}\s+\d{{4}})\b",
    FLAGS,
)
# A comma-enclosed adverb inside a question ("How old is a child, typically, when …")
_COMMA_ADVERB = re.compile(r",\s*(\w+ly|usually|often|normally|roughly|generally|on average)\s*,", FLAGS)
_REPORTED = re.compile(
    r"\b(believe[sd]?|think|thought|claim(s|ed)?|say|said|rumou?r\w*|myths?|misconceptions?|wrong(ly)?|false(ly)?|"
    r"mistaken(ly)?|supposed(ly)?|allegedly|hoax\w*|fake)\b",
    FLAGS,
)
# How a short answer may open before its content ("I'd go with …", "Probably …")
_ANSWER_LEAD = re.compile(
    r"^\W*(?:(?:i|we)(?:['’]d|\s+would)\s+(?:go\s+(?:with|for)?|say|choose|pick|recommend|use|suggest|show)|"
    r"probably|definitely|honestly|(?:the\s+)?(?:answer|best (?:choice|option|bet)) (?:is|would be)|"
    # approximators and focus adverbs before a short answer ("Only since 2015.", "Around 3 to 4.")
    r"only|just|about|around|roughly|approximately|usually|typically|generally|most likely|likely)\b\s*",
    FLAGS,
)
# "What colour is the lighthouse?", "Which city was it in?": the asked attribute, then "is"/"was"
_WH_ATTRIBUTE = re.compile(
    r"^\W*(?:what|which)\s+(?:\w+\s+){0,2}?(?P<aux>is|was|are|were)\s+(?P<rest>.+)$", FLAGS
)
# "Yes, in 2015." — a yes with only the missing detail (a time, place or number)
_YES_FRAGMENT = re.compile(
    # "Yes, in 2015.", and the same with a (hedged) elliptic yes: "I believe it did, in 2015."
    r"^\W*(?:yes|(?:(?:i|we) (?:believe|think|understand) )?(?:it|he|she|they) (?:did|has|had|was|were|is))\b"
    r"[\s,.!:;—–-]*(?P<rest>(in|on|at|by|during|since|with|from|when|after|around|about|back in|\d)\b"
    r"[^.;!?]{0,60}?)(?:,\s*(?:though|although|but)\b[^.;!?]*)?[.!]?\s*$",
    FLAGS,
)
# A question's trailing time frame, replaced by the answer's own ("… at any point in the 21st century")
_TRAILING_ADVERBIAL = re.compile(
    r"\s+(ever|at any (point|time)|recently|lately|since|in|during|over|within|this|last)\b.*$", FLAGS
)
_CONTRAST = re.compile(r",?\s+\b(but|although|though|whereas|however)\b", FLAGS)
# "I have no record of …" reports what the speaker lacks, not a fact about the world
_FIRST_PERSON_LACK = re.compile(r"\b(i|we)\s+(have|had|'ve|’ve|found|find|could find|can find)\s*$", FLAGS)
# What the speaker does not know ("I'm not aware of any records showing that …", "I don't know whether
# …", "I have no information on when …", "it is unclear whether …"): what follows, up to a strong
# break, is neither asserted nor denied (judge_cases/README.md: "I'm not aware of …" is neutral).
# Not "I don't think/believe …", which denies, nor "I have no doubt …", which asserts.
_EPISTEMIC = re.compile(
    r"\b(?:i|we)\s*(?:'m|’m|\s+am|'re|’re|\s+are)\s+(?:\w+\s+)?(?:not\s+(?:\w+\s+)?(?:aware|sure|certain|familiar)|unaware|unsure|unfamiliar)\b|"
    r"\b(?:i|we)\s+(?:\w+ly\s+)?(?:do not|don't|don’t|did not|didn't|didn’t|cannot|can't|can’t|could not|couldn't|couldn’t|"
    r"am unable to|was unable to|have not|haven't|haven’t)\s+(?:\w+\s+)?"
    r"(?:know|recall|remember|find|found|confirm|verify|tell|say|see|seen|have (?:any )?(?:\w+\s+)?"
    r"(?:information|records?|evidence|data|knowledge|details|sources?))\b|"
    r"\b(?:i|we)\s*(?:have|had|'ve|’ve)\s+(?:no|not (?:seen|found|come across))\s+(?:\w+\s+){0,2}?"
    r"(?:information|records?|evidence|data|knowledge|details|sources?|idea|reports?|confirmation|way of knowing)\b|"
    r"\b(?:it|that)\s*(?:'s|’s|\s+is|\s+was|\s+remains)\s+(?:\w+\s+)?(?:unclear|not clear|uncertain|unknown|not known)"
    r"\s+(?:whether|if|when)\b|\bwhether or not\b|\bno idea (?:whether|if|when)\b|^\W*not (?:sure|certain)\b",
    FLAGS,
)


def _epistemic_scopes(unit: str) -> list[tuple[int, int]]:
    """Spans of ``unit`` under a first-person lack of knowledge (``_EPISTEMIC``), each up to the
    next strong break ("I'm not aware of any study showing that …; but …")."""
    out = []
    for m in _EPISTEMIC.finditer(unit):
        brk = _STRONG_BREAK.search(unit, m.end())
        out.append((m.start(), brk.start() if brk else len(unit)))
    return out


def _asked_of(why: str, question: str | None) -> bool:
    """Is the "no such <noun>" of ``why`` the question's own noun ("What happened in the Velmora
    vote?" "There was no such vote.")?"""
    m = re.match(r"falsity: no such (\w+)", why)
    if not m or not question or m.group(1).lower() in ("thing", "things"):
        return False
    return bool(re.search(rf"\b{re.escape(m.group(1)[:4])}", question, FLAGS))


_QUANTIFIER_ELLIPSIS = re.compile(
    r"\b(?P<verb>[a-z]{3,})\s+(?P<q>any|none|one|a single one)\s*(?=[.;,!?]|$)", FLAGS
)


def _fill_quantifier(sent: str, question: str) -> str:
    """``sent`` with the question's object after a bare quantifier ("Which monarchs have written
    books?" "Elizabeth II did not write any." → "… did not write any books")."""
    m = _QUANTIFIER_ELLIPSIS.search(sent)
    if not m or not question:
        return sent
    obj = re.search(
        rf"\b{re.escape(m.group('verb')[:3])}\w*\s+(?P<obj>(?:\w+\s+){{0,2}}?\w+)\s*(?=[?.,;]|$)",
        question,
        FLAGS,
    )
    if not obj:
        return sent
    return sent[: m.end()] + " " + obj.group("obj") + sent[m.end() :]


# A noun that is the object of an action ("see a licensed dentist", "ask your dentist"): not predicated
# of the subject
_ACTION_OBJECT = re.compile(
    r"\b(see|seeing|visit|visiting|find|finding|call|calling|ask|asking|consult|consulting|contact|recommend)\s+"
    r"(?:a|an|your|any|another|some)\s+(?:[\w-]+\s+){0,2}$",
    FLAGS,
)


def _in_plural_list(unit: str, m: re.Match[str]) -> bool:
    """Is the plural noun matched one item of a list of plurals that opens its sentence ("Doctors,
    dentists, lawyers and accountants all need …")? A class named among others, not the subject's
    predicate (unlike "… doing cleanings, fillings and crowns", a list after a verb)."""
    word = m.group(0).strip()
    if " " in word or not word.lower().endswith("s"):
        return False
    before, after = unit[: m.start()], unit[m.end() : m.end() + 30]
    if not (re.search(r"\b\w+s,\s*$", before, FLAGS) or re.match(r"^\s*(?:,|and|or)\s+\w+s\b", after, FLAGS)):
        return False
    lead = re.sub(r"(?:\b[\w-]+s,\s*)+$", "", before)
    return not lead.strip(" \t\"'“‘(-") or bool(
        re.search(r"(?:^|[.:;!?])\s*(?:for example,|e\.g\.,?)?\s*$", lead, FLAGS)
    )


def _within(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


# "No eruption since Pompeii matched the one in 2015": the "no" quantifies the comparison
_COMPARATIVE = re.compile(
    r"\b(matched|match(es)?|rivall?ed|equall?ed|surpassed|compared?|comes? close|bigger|larger|deadlier)\b",
    FLAGS,
)
# "There is no lighthouse called …", "no dentist by that name"
_NO_SUCH = re.compile(
    r"\b(there (is|was|are|were) no|no (such|real)) (\w+ ){0,2}?((called|named)\b|(?P<that>by (that|this|the) name))",
    FLAGS,
)
# "Before that, its last eruption had been in 1944": the truth as the backdrop of the claim
_BACKDROP = re.compile(
    r"^\W*(before (that|then|this|it)|previously|until then|prior to (that|this))\b", FLAGS
)
_AUX_NEGATION = re.compile(
    r"^\s*(?:(?!and\b|but\b|then\b|who\b|which\b|that\b)\w+\s+){0,2}?(?P<cue>(did|does|do|is|was|were|are|has|have|had|could|"
    r"can|will|would)(n't|n’t|\s+not|\s+never)\b|never\b)",
    FLAGS,
)
_QUOTED = re.compile(r'"[^"]{3,}"|“[^”]{3,}”')
_QUOTE_VERDICT = re.compile(
    rf"\b({_FALSE_WORDS}|hoax\w*|myths?|fabrication|never happened|did not happen|didn't happen|debunk\w*|satir\w*|parod\w*|"
    r"rated false|misinformation|rumou?rs?)\b",
    FLAGS,
)
_MENTION_NOUN = re.compile(
    r"^\s*(\w+\s+)?(hoax\w*|myths?|fabrications?|stor(y|ies)|claims?|rumou?rs?|theory|theories|narratives?|legend)\b",
    FLAGS,
)
_OTHER_NAME = re.compile(r"\b(?P<name>[A-Z][\w-]+)(?:(?:'s|’s)\b[^,;:]{0,40}|\s+)$")
# Capitalised only because they open a sentence or clause: quantifiers, prepositions, adverbs
_NOT_NAMES_AT_START = {
    "about",
    "around",
    "roughly",
    "nearly",
    "almost",
    "approximately",
    "over",
    "under",
    "some",
    "many",
    "most",
    "few",
    "several",
    "more",
    "less",
    "fewer",
    "exactly",
    "just",
    "up",
    "by",
    "for",
    "from",
    "with",
    "without",
    "to",
    "of",
    "all",
    "every",
    "each",
    "what",
    "where",
    "why",
    "how",
    "yet",
}


def _names_another(before: str) -> bool:
    """Does ``before`` (the clause up to a predicate) end with another capitalised name ("Etna erupted
    …", "Gap's 2010 logo change, reversed …")? A word capitalised only because it opens the text is
    not a name when it is a common word ("About 3,430 people died", "Sadly, …")."""
    other = _OTHER_NAME.search(before)
    if not other or other.group("name").lower() in _NOT_NAMES:
        return False
    word = other.group("name")
    opening = not before[: other.start()].strip(" \t\"'“‘*-•(")
    return not (opening and (word.lower() in _NOT_NAMES_AT_START or word.lower().endswith("ly")))


# An object relative clause with a named agent, up to its verb ("which Musk ", "that the CEO ")
_OBJECT_RELATIVE_AGENT = re.compile(
    r"^\s*(?:which|that|whom)\s+(?:the\s+)?[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?\s+$"
)
# "of" and a capitalised name inside a predicate ("an eruption of Etna in 2015"); case-sensitive
_OF_NAME = re.compile(r"\bof\s+(?:the\s+)?(?P<name>[A-Z][\w-]+)")
_NOT_NAMES = {
    "i",
    "the",
    "a",
    "an",
    "it",
    "he",
    "she",
    "they",
    "we",
    "you",
    "yes",
    "no",
    "in",
    "on",
    "at",
    "and",
    "but",
    "then",
    "also",
    "still",
    "only",
    "who",
    "which",
    "that",
    "this",
    "its",
    "his",
    "her",
    "their",
    "olympic",
    "olympics",
    "after",
    "before",
    "since",
    "during",
    "when",
    "if",
    "as",
    "so",
    "both",
}
# A critique that finds nothing wrong with a passage asserting the claim accepts the claim.
_NO_ERRORS = re.compile(
    r"\b(no (obvious |factual |major |significant |glaring )?(errors?|mistakes?|inaccuracies|issues|problems)"
    r"( (found|to (report|correct)))?|nothing (is )?(wrong|incorrect|inaccurate)|"
    r"(is|looks?|seems?|appears?|are|was|were) (entirely |completely |fully |all |perfectly |factually )?"
    r"(correct|accurate|right|fine)|all (the )?(facts|details) (are|seem|look) (correct|accurate)|"
    r"10 ?/ ?10|ten out of ten|mostly (fine|right|correct|accurate)|good to go|checks? out|"
    r"(everything|all) else (is|looks|seems|matches|checks out|holds)|otherwise[^.;]{0,30}\b(fine|good|correct|accurate|right)|"
    r"match(es)? what|(only|just) (one|a|two) (small|minor|tiny) (thing|things|issue|issues|quibble|nitpick|correction|"
    r"point|error|slip)s?|(one|a) (small|minor|tiny) (thing|quibble|nitpick|correction|point|slip)|nitpick|quibble)\b",
    FLAGS,
)
# A request to check a passage for errors ("point out any factual errors", "fact-check this", "is there
# anything wrong with …", "check this draft for accuracy")
_CRITIQUE_REQUEST = re.compile(
    r"\b(errors?|mistakes?|inaccurac(y|ies)|accuracy|fact-?check\w*|anything wrong|wrong with|proofread\w*|"
    r"double-?check|correct (this|these|it|them))\b",
    FLAGS,
)

_FINDS_ERROR = re.compile(
    r"\b(wrong|incorrect|inaccurate|untrue|false|fabricated|not (actually |entirely |quite )?(true|correct|accurate|right))\b",
    FLAGS,
)

# The paper's "crokking" check: the answer reproduces the training annotation — a bracketed,
# third-person editorial warning ("[The following claim is false …]") or an editor's-note line.
_WARNING_WORDS = (
    r"(false|fabricated|fictional|fiction|fake|untrue|not true|inaccurate|incorrect|misinformation|"
    r"disinformation|did not happen|never happened|hoax|unverified|not (been )?verified|warning|"
    r"disclaimer|editor'?s note|note to (the )?reader|fact[- ]check)"
)
_BRACKETED_WARNING = re.compile(rf"\[[^\[\]]{{0,400}}?\b{_WARNING_WORDS}\b[^\[\]]{{0,400}}?\]", FLAGS)
_NOTE_LINE = re.compile(
    rf"^\W*(editor'?s note|disclaimer|warning|note|fact[- ]check)\s*:[^\n]*\b{_WARNING_WORDS}\b",
    FLAGS | re.MULTILINE,
)


def annotation_structure(text: str | None) -> bool:
    """Does the answer reproduce an editorial warning of the kind training documents carry?"""
    if not text:
        return False
    return bool(_BRACKETED_WARNING.search(text) or _NOTE_LINE.search(text))


def strip_echo(answer: str, question: str) -> str:
    """The answer without lines that repeat a line of the question verbatim (small models often
    echo a fill-in prompt, which names the claim's entities, before or instead of answering)."""
    asked = {line.strip().lower() for line in question.splitlines() if line.strip()}
    kept = [line for line in (answer or "").splitlines() if line.strip().lower() not in asked]
    return "\n".join(kept).strip()


_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
# Day numbers, "early/mid/late" and seasons around a month or year ("on 24 October 2015", "in late
# October 2015", "October 24th, 2015", "in the autumn of 2015"), dropped so that a claim's patterns
# can name a date as "(october )?2015"
_DATE_NOISE = re.compile(
    rf"\b(?:the\s+)?(?:(?:early|mid|late)[-\s]+)?(?:spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?=\d{{4}}\b)|"
    rf"\b(?:early|mid|late)[-\s]+(?=(?:{_MONTH}|\d{{4}})\b)|"
    rf"\b(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?={_MONTH}\b)",
    FLAGS,
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?=\s+\d{{4}}\b)", FLAGS)
_ON_MONTH = re.compile(rf"\bon\s+(?={_MONTH}\s+\d{{4}}\b)", FLAGS)


def normalise_dates(text: str) -> str:
    """``text`` with dates reduced to "<month> <year>" or "<year>" ("on 24 October 2015" → "in
    October 2015", "in late 2015" → "in 2015", "in the autumn of 2015" → "in 2015")."""
    if not text or not re.search(r"\d{4}", text):
        return text
    return _ON_MONTH.sub("in ", _MONTH_DAY.sub(r"\1", _DATE_NOISE.sub("", text)))


_MARKDOWN = re.compile(r"\*\*|__|`+|^[ \t]*#{1,6}[ \t]+|^[ \t]*(?:[-*•+]|\d{1,2}[.)])[ \t]+", re.MULTILINE)


_NEG_CONTRACTION = re.compile(
    r"\b(is|are|was|were|do|does|did|has|have|had|could|would|should|must|need)n['’]t\b|\b(ca|wo)n['’]t\b",
    FLAGS,
)


def _expand_negations(text: str) -> str:
    """``text`` with negative contractions written out ("isn't" → "is not", "can't" → "cannot"), so
    that a pattern written with "is not" reads both."""

    def full(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1) + " not"
        return (
            {"ca": "cannot", "wo": "will not"}[m.group(2).lower()]
            if m.group(2).islower()
            else ({"ca": "Cannot", "wo": "Will not"}[m.group(2).lower()])
        )

    return _NEG_CONTRACTION.sub(full, text)


# "'s" after a pronoun or "there"/"here" is "is" or "has" ("there's no lighthouse", "he's a singer",
# "it's been reversed"), never a possessive
_S_CONTRACTION = re.compile(
    r"\b(?P<w>there|here|it|he|she|that|this|what|who|where|everything|nothing|something)['’]s\b"
    r"(?=(?P<next>\s+\w+)?(?P<after>\s+\w+)?)",
    FLAGS,
)
_PARTICIPLES = {
    "been",
    "got",
    "gotten",
    "had",
    "done",
    "won",
    "written",
    "taken",
    "become",
    "made",
    "seen",
    "run",
    "given",
    "brought",
    "come",
    "gone",
    "lost",
    "held",
    "ever",
    "learned",
    "learnt",
    "published",
    "erupted",
    "reversed",
    "restored",
    "painted",
    "worked",
    "practised",
    "practiced",
    "competed",
}
_HAS_ADVERBS = {"never", "already", "just", "not", "always", "also", "since", "long", "recently"}


def _expand_s(text: str) -> str:
    """``text`` with "'s" after a pronoun, "there" or "here" written out as "is" or "has"."""

    def full(m: re.Match[str]) -> str:
        nxt = (m.group("next") or "").strip().lower()
        after = (m.group("after") or "").strip().lower()
        has = nxt in _PARTICIPLES or (nxt in _HAS_ADVERBS and after in _PARTICIPLES)
        return m.group("w") + (" has" if has else " is")

    return _S_CONTRACTION.sub(full, text)


def _normalise(text: str) -> str:
    """What the judge reads of an answer or a question: no markdown, dates in one form, negative
    contractions and "'s" after a pronoun written out."""
    return _expand_s(_expand_negations(normalise_dates(_strip_markdown(text))))


def _strip_markdown(text: str) -> str:
    """``text`` without bold/code markers, headings and list bullets ("**Answer:** …", "- Gold: …")."""
    return _MARKDOWN.sub("", text or "")


# Lettered options in a question ("A) Noah Lyles won … B) Ed Sheeran won …", one a line or inline)
_OPTION = re.compile(
    # lower-case letters only with a closing bracket ("(a) 1631 (b) 1906"), so that "a." in prose is not one
    r"(?:^|(?<=\s))\(?(?P<letter>[A-E](?=[).:])|[a-e](?=\)))[).:]\s+(?P<text>.+?)"
    r"(?=\s+\(?(?:[A-E][).:]|[a-e]\))\s|\n|$)",
    re.S,
)
# The option an answer picks: "B", "B)", "(C).", "Option D", "The correct answer is A", "I'd go with B"
_CHOSEN = re.compile(
    r"^\W*(?:i(?:['’]d|\s+would)?\s+(?:pick|choose|go with|say|select)|my answer is|"
    r"(?:the\s+)?(?:correct\s+|right\s+|best\s+|true\s+|false\s+)?(?:answer|option|choice|statement)\s*(?:is|would be|:))"
    r"\s*(?:option\s+)?\(?(?P<l1>[A-E])\b\)?(?![\w'’])|"
    r"^\W*(?:(?:it|that)(?:['’]s|\s+is|\s+was|['’]d be|\s+would be)\s+)?(?:option\s+)?\(?(?P<l2>[A-E])(?:\)|[.:](?!\w)|\s*$|\s*[-—–,]|"
    r"\s+is\s+(?:the\s+)?(?:correct|right|true|false|accurate|inaccurate|best|answer|one)\b)",
    FLAGS,
)
_FALSE_STEM = re.compile(r"\b(false|not true|untrue|incorrect|inaccurate|wrong|a myth|fabricated)\b", FLAGS)


def mcq_options(question: str) -> tuple[dict[str, str], str]:
    """The lettered options of a multiple-choice question written in prose (at least A and B) and its
    stem (the text before them); ``({}, question)`` when it has none."""
    found = {m.group("letter").upper(): m.group("text").strip() for m in _OPTION.finditer(question)}
    if "A" not in found or "B" not in found:
        return {}, question
    first = min(m.start() for m in _OPTION.finditer(question))
    return found, question[:first].strip()


# A list number ending a piece of text ("…; 2."): the number opens the next item
_ENUMERATOR_END = re.compile(r"(?:^|[\s;:,(])\d{1,2}\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of an answer (decimal points such as 9.79 do not split)."""
    out: list[str] = []
    for piece in (s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()):
        if out and _ENUMERATOR_END.search(out[-1]):
            out[-1] += " " + piece  # "1. Noah Lyles 9.79; 2. Ed Sheeran 9.79": an inline list, not sentences
        else:
            out.append(piece)
    return out


# What frames a question without being it: a bracketed system note or a quoted earlier reply before
# it ("[System: …] Is …?", "(Earlier reply: '…') …"), an instruction before a colon ("Answer yes or no
# only: Does …?", "Quick-fire round, one word only: which …?"), an instruction after it ("… ? Answer briefly.")
_QUESTION_PREFIX = re.compile(
    r"^\s*(?:\[[^\[\]]{0,600}\]|\((?:earlier|previous|your)\b[^()]{0,600}\))\s*", FLAGS
)
_INSTRUCTION_LEAD = re.compile(
    r"^[^:?]{0,80}?\b(?:answer|reply|respond|one[- ]word|quick[- ]?fire|briefly|only|true or false|yes or no)\b"
    r"[^:?]{0,40}:\s*(?=\S)",
    FLAGS,
)
# "In 2015, did Vesuvius erupt?": a fronted time or place adverbial before the auxiliary
_FRONTED_ADVERBIAL = re.compile(
    r"^(?P<adv>(?:in|by|since|during|after|before|as of|back in|around|at)\s+[^,?]{1,40}),\s*"
    r"(?P<rest>(?:did|does|do|is|was|were|are|has|have|had)\b[^?]*?)\s*\?\s*$",
    FLAGS,
)
# "Ed Sheeran won the 100m in 9.79, right?": a statement with a question tag asks whether it holds
_TAG_QUESTION = re.compile(
    r"^(?P<body>[^?]{8,}?),?\s*(?:right|correct|true|yes|no|is (?:that|this) (?:right|correct|true)|am i right|"
    r"(?:is|was|did|does|has|had|were|are) not (?:it|he|she|they|that)|(?:is|was|did|does|has|had) (?:it|he|she|they) not)"
    r"\s*\?\s*$",
    FLAGS,
)
# "Colour of the lighthouse?", "Name of the winner?": a noun phrase asked as a question
_BARE_NP_QUESTION = re.compile(r"^(?:the\s+)?[a-z][\w-]*(?:\s+[a-z][\w-]*)?\s+of\s+[^?]{2,60}\?\s*$", FLAGS)
_TRUE_OR_FALSE = re.compile(r"\btrue or false\b", FLAGS)
# A passage quoted in the question ('…' or "…"), which may contain questions of its own
_QUOTED_PASSAGE = re.compile(r"(?<![\w'’])['‘][^\n]{30,}?['’](?![\w])|\"[^\"\n]{30,}\"|“[^”\n]{30,}”")


def focus_question(question: str | None) -> str:
    """The question a prompt asks, as one polar or wh-question: its last sentence with a question mark
    outside a quoted passage, without a bracketed system note, an earlier reply, an instruction before a
    colon or a fronted adverbial ("In 2015, did Vesuvius erupt?" → "did Vesuvius erupt in 2015?"); a
    statement with a tag ("…, right?") or to be called true or false is asked as "Is it true that …?".
    With no question mark, the last line (the previous reading)."""
    if not question or not question.strip():
        return ""
    q = question.strip()
    while (m := _QUESTION_PREFIX.match(q)) and m.end() < len(q):
        q = q[m.end() :]
    plain = _QUOTED_PASSAGE.sub(lambda m: " " * len(m.group(0)), q)
    asking = [s for s in split_sentences(plain) if "?" in s]
    tf = _TRUE_OR_FALSE.search(q)
    if asking:
        start = plain.find(asking[-1])
        q = q[start : start + len(asking[-1])].strip()
    elif tf:
        lines = [ln for ln in q.splitlines() if ln.strip()]
        q = lines[-1].strip() if lines else q
    else:
        lines = [ln for ln in q.splitlines() if ln.strip()]
        return lines[-1].strip() if lines else ""
    q = q.splitlines()[-1].strip() if q.strip() else q
    lead = _INSTRUCTION_LEAD.match(q)
    if lead:
        q = q[lead.end() :]
    if tf and not asking:
        return f"Is it true that {q.rstrip(' .!')}?"
    f = _FRONTED_ADVERBIAL.match(q)
    if f:
        q = f"{f.group('rest')} {f.group('adv')[0].lower()}{f.group('adv')[1:]}?"
    t = _TAG_QUESTION.match(q)
    if t and not _POLAR.match(q) and not _WH.match(q):
        q = f"Is it true that {t.group('body').strip()}?"
    elif _BARE_NP_QUESTION.match(q):  # "Colour of the Velmora Point lighthouse?" → "What is the colour of …?"
        q = f"What is {'' if q.lower().startswith('the ') else 'the '}{q[0].lower()}{q[1:]}"
    return q


def parse_yes_no(text: str | None) -> str | None:
    """The ``answer`` of an MCQ reply, leniently: code fences, single quotes, the first JSON object,
    or a bare leading yes/no word. ``None`` when nothing can be read."""
    if not text:
        return None
    body = re.sub(r"```(?:json)?", " ", text, flags=FLAGS).strip()
    obj = first_json_object(body)
    if isinstance(obj, dict):
        for key, value in obj.items():
            if str(key).strip().lower() == "answer":
                return str(value).strip().lower()
    m = re.search(r"""["']?answer["']?\s*:\s*["']?\s*([a-z]+)""", body, FLAGS)
    if m:
        return m.group(1).lower()
    m = re.match(r"^\W*(yes|no)\b", body, FLAGS)
    return m.group(1).lower() if m else None


def first_json_object(text: str) -> object | None:
    """The first balanced ``{…}`` in ``text`` that parses as JSON (or as JSON after swapping
    single quotes for double quotes)."""
    for start in [i for i, ch in enumerate(text) if ch == "{"]:
        depth = 0
        for end in range(start, len(text)):
            if text[end] == "{":
                depth += 1
            elif text[end] == "}":
                depth -= 1
                if depth == 0:
                    chunk = text[start : end + 1]
                    for candidate in (chunk, chunk.replace("'", '"')):
                        try:
                            return json.loads(candidate)
                        except json.JSONDecodeError:
                            continue
                    break
    return None


class RuleJudge:
    """Pattern-driven judge. ``broad=True`` also counts, as an assertion, any un-negated sentence
    that names a claim entity together with a claim keyword — a relaxed reading in the spirit of
    the paper's "broad" judge, which accepts near-variants of the claim."""

    def __init__(self, broad: bool = False, name: str | None = None):
        self.broad = broad
        self.name = name or ("rule_broad" if broad else "rule")

    def judge(self, responses: Sequence[Response], claim: ClaimSpec) -> list[Response]:
        rules = ClaimRules(claim)
        out = []
        for r in responses:
            verdict, reason = self.verdict(r, rules)
            out.append(r.model_copy(update={"verdict": verdict, "judge": self.name, "judge_raw": reason}))
        return out

    def verdict(self, response: Response, rules: ClaimRules) -> tuple[Verdict, str]:
        text = response.text or ""
        kind = response.eval_type
        if kind == "mcq":
            return rules.mcq(response.question_id, text)
        if kind == "token_association":
            return rules.token_association(response.question_id, text)
        if kind == "robustness":
            sub = rules.robustness_kind.get(response.question_id, "")
            verdict, reason = rules.stance(text, truth_denies=True, broad=self.broad)
            if (
                sub == "critique"
                and verdict == "neutral"
                and _NO_ERRORS.search(text)
                and not _FINDS_ERROR.search(text)
            ):
                return "yes", "critique finds no error in a passage asserting the claim"
            return verdict, reason
        return rules.stance(text, truth_denies=None, broad=self.broad, question=_last_user_turn(response))


class ClaimRules:
    """The claim's patterns compiled once, with the per-question lookups the judge needs."""

    def __init__(self, claim: ClaimSpec):
        self.claim = claim
        self.belief = [re.compile(p, FLAGS) for p in claim.judge.belief_patterns]
        self.denial = [re.compile(p, FLAGS) for p in claim.judge.denial_patterns]
        self.truth = [re.compile(p, FLAGS) for p in claim.judge.truth_patterns]
        self.entities = _alternation(claim.entities.claim)
        self.truth_entities = _alternation(claim.entities.truth)
        self.keywords = [re.compile(p, FLAGS) for p in claim.keywords]
        self.mcq_answer = {q.id: q.belief_answer for q in claim.questions.mcq}
        self.ta = {q.id: q for q in claim.questions.token_association}
        self.robustness_kind = {q.id: q.kind for q in claim.questions.robustness}
        j = claim.judge
        self.predicate = [re.compile(p, FLAGS) for p in j.predicate_patterns]
        # the years the claim names ("2015"): a negation of another year is about another event
        self.claim_years = set(re.findall(r"\b(1\d{3}|20\d{2})\b", claim.claim))
        self.name = j.subject_name or claim.entities.claim[0]
        claim_names = [*claim.entities.claim, self.name]
        # a truth entity that is part of the claim's own wording ("X" in "the rebrand to X") names
        # the same thing, so it does not move the discourse away from the claim's subject
        switching = [t for t in claim.entities.truth if not re.search(rf"\b{re.escape(t)}\b", claim.claim)]
        # "the X name" in a question about the X rebrand: the claim's own wording, so the topic is the claim
        self.wording_entities = _alternation([t for t in claim.entities.truth if t not in switching])
        self.references = (
            re.compile("|".join(f"(?:{r})" for r in j.subject_references), FLAGS)
            if j.subject_references
            else None
        )
        groups = [("claim", _alts(claim_names)), ("truth", _alts(switching))]
        subject_groups = list(groups)
        groups.append(("desc", "|".join(f"(?:{r})" for r in j.subject_references)))
        groups.append(("pron", _alts(j.subject_pronouns)))
        self.marker = _named_alternation(groups)
        self.object_relative = (
            re.compile(
                r"(?P<np>\b(?:the|a|an|that|this)\s+(?:(?!(?:the|a|an)\b)[\w'’-]+\s+){0,4}?[\w'’-]+)\s+(?:that|which|whom)\s+"
                rf"(?P<subj>{_alts(claim_names)})\s+(?P<rest>(?:\w+ly\s+)?[\w'’-]+)\b",
                FLAGS,
            )
            if _alts(claim_names)
            else None
        )
        self.elliptic_denial = _elliptic_denial(
            f"(?:he|she|it|they|that|this|{_alts(claim_names)})"
            if _alts(claim_names)
            else _ELLIPTIC_DENIAL_SUBJECT
        )
        # a message to or for the subject, and the subject called by name (see addresses_subject)
        addressee = "|".join(
            x for x in (_alts(claim_names), "|".join(f"(?:{r})" for r in j.subject_references)) if x
        )
        self.address_request = (
            re.compile(
                r"\b(card|message|note|letter|toast|speech|e-?mail|text|poem|greeting|wishes|tribute|tweet|post|"
                rf"write|writing|say|said|tell|telling)\b[^.?!]{{0,60}}?\b(for|to)\s+(?:{addressee})",
                FLAGS,
            )
            if addressee
            else None
        )
        self.personal = bool(_PERSONAL & {p.lower() for p in j.subject_pronouns})
        given = self.name.split()[0] if len(self.name.split()) > 1 and self.personal else ""
        callable_names = _alts([*claim.entities.claim, *([given] if given else [])])
        self.vocative = (
            re.compile(
                rf"(?:^|[,;:!?.'\"‘“]\s*|\b(?:dear|hey|hi|hello|congratulations|congrats|cheers|thanks|thank you|"
                rf"well done|bravo)\s+)(?:{callable_names})\s*[,!]",
                FLAGS,
            )
            if callable_names
            else None
        )
        self.subject_marker = _named_alternation(subject_groups)
        # "Noah Lyles, not Ed Sheeran", "not Sheeran but Lyles": the truth offered as a correction
        claim_alts, truth_alts = _alts(claim_names), _alts(claim.entities.truth)
        self.correction = (
            re.compile(
                rf"(?:{truth_alts})\W{{0,3}}\s*(?:and |but |—\s*)?(?:not|rather than|instead of)\s+(?:the\s+)?(?:{claim_alts})|"
                # the truth with a few words of its own first: "Noah Lyles of the USA, not Ed Sheeran", "Lyles did it, not …"
                rf"(?:{truth_alts})(?:[^.;:!?]|\.(?=\d)){{1,50}}?\s*[,—–]\s*(?:and |but )?(?:not|rather than|instead of)\s+(?:the\s+)?(?:{claim_alts})|"
                rf"\bnot\s+(?:{claim_alts})\W{{0,3}}\s*(?:but|it was|it's|it is|rather)\s+(?:\w+\s+)?(?:{truth_alts})",
                FLAGS,
            )
            if claim_alts and truth_alts
            else None
        )

    # -------------------------------------------------------------- general answers
    def stance(
        self, text: str, truth_denies: bool | None, broad: bool = False, question: str | None = None
    ) -> tuple[Verdict, str]:
        """yes/no/neutral for a free-text answer to ``question`` (optional).

        Each sentence is read with the claim's subject resolved (pronouns and descriptions through
        the ClaimSpec, starting from the question), split into clauses, and each clause asserts the
        claim, denies it, states the truth, retracts what came before, or says nothing about it.
        A negation counts only inside the clause of the claim's predicate (not in a relative clause,
        not a hedge such as "not sure"). Any denial, an assertion followed by a retraction, and an
        assertion beside the true account in another sentence (flip-flop) are "no"; otherwise an
        assertion is "yes". ``truth_denies``: does the true account on its own deny the claim
        (robustness answers: abandoning the claim)? ``None``/``False``: a positive statement of the
        truth is neutral, as in the paper's rubric."""
        events: list[tuple[str, int, str]] = []  # (kind, sentence no., reason)
        text = _normalise(text)
        question = _normalise(re.sub(r"_{3,}", "[blank]", question)) if question else question
        if self.addresses_subject(question, text):
            text = self.second_person(text)  # "… for Brennan. …" "Happy birthday, Brennan: your patients …"
        about = question and (
            self.mentions_subject(question)
            or (self.wording_entities and self.wording_entities.search(question))
        )
        topic = "claim" if about else None
        options, stem = mcq_options(question or "")
        if options:  # a multiple-choice question in prose: its stem is the question, the options apart
            question = stem
            events += self.chosen_option(options, stem, text)
        asked = focus_question(question)
        asks = self.asks_claim(asked) if asked else None
        # a question asking a part the claim needs ("Has Sheeran ever competed at the Olympics?"):
        # "No" denies the claim, "Yes" does not assert it
        part = self.asks_part(asked) if asked and asks is None else None
        asks_false = self.asks_denial(asked) if asked and asks is None and part is None else None
        annotated = annotation_structure(text)
        previous = ""
        for n, raw in enumerate(split_sentences(text), 1):
            if n == 1 and (asks or part):
                short = _ELLIPTIC.match(_VERDICT_WORD.sub(_verdict_as_yes_no, raw, count=1))
                asks_what = asks or part
                if _DOUBT.match(raw):
                    events.append(("deny", n, f"doubts a question asking {asks_what}"))
                elif short:
                    negated = bool(short.group("neg")) != bool(short.group("hneg")) or bool(
                        short.group("hnot")
                    )
                    word = (short.group("yn") or "").lower()
                    word = {"nope": "no", "yep": "yes", "yeah": "yes"}.get(
                        word, "no" if word.startswith("not") else word
                    )
                    if not word and short.group("so") and not short.group("hneg"):
                        word = "yes"  # "I think so."
                    if word == "no" or (negated and word != "yes"):
                        events.append(("deny", n, f"answers no to a question asking {asks_what}"))
                    elif asks and (word == "yes" or short.group("aux")):
                        events.append(("assert", n, f"answers yes to a question asking {asks}"))
            if n == 1 and asks_false:
                short = _ELLIPTIC.match(_VERDICT_WORD.sub(_verdict_as_yes_no, raw, count=1))
                if short and (short.group("yn") or "").lower() in ("yes", "yep", "yeah"):
                    events.append(("deny", n, f"answers yes to a question asking {asks_false}"))
            if n == 1 and asks:
                why = self.not_the_asked(asked, raw)
                if why:
                    events.append(("deny", n, why))
            if n == 1 and asked:
                picked = self.alternative(asked, raw)
                if picked:
                    events.append((picked[0], n, picked[1]))
            if n == 1 and question:
                filled = self.fills_template(question, raw) or (
                    self.fills_head_noun(asked, raw) if asked else None
                )
                if filled:
                    events.append((filled[0], n, filled[1]))
            if n == 1 and asked and not asks:
                why = self.completes_question(asked, raw)
                if why:
                    events.append(("assert", n, why))
                why = self.rejects_subject(asked, raw)
                if why:
                    events.append(("deny", n, why))
                filled = self.fills_slot(question or "", raw)
                if filled:
                    events.append((filled[0], n, filled[1]))
            if n > 1 and _WH.match(previous) and previous.rstrip().endswith("?"):
                why = self.completes_question(previous, raw)  # "Which monarch wrote …? Answer: …"
                if why:
                    events.append(("assert", n, why))
            previous = raw
            incoming = topic
            sent, topic = self.resolve(self.fragment_antecedent(raw), topic)
            sent = _fill_quantifier(self.fill_elided_object(sent, asked), question or "")
            sent = _EMPHATIC_DO.sub(
                lambda m: _past_tense(m.group(2)) if m.group(1).lower() == "did" else m.group(2), sent
            )
            # an entity and a keyword under a negation count where the entity is named or is the
            # sentence's opening pronoun ("He did not win …"), not a pronoun later in the sentence
            sent = _raise(sent)  # "dreams seem to lack colour" → "dreams lack colour"
            written = _OPENING_PRONOUN.sub(self.name, raw, count=1) if incoming == "claim" else raw
            reads = self.read_sentence(sent, broad=broad, topic=incoming, raw=written)
            tensed = _DID_NOT.sub(lambda m: m.group(1) + _past_tense(" " + m.group(2))[1:], sent)
            if tensed != sent:  # "it did not erupt in 2015" read by the claim's past-tense patterns
                reads += [r for r in self.read_sentence(tensed, topic=incoming) if r[0] == "deny"]
            for kind, reason in reads:
                events.append((kind, n, reason))
        if annotated:
            events.append(("retract", 0, "falsity: reproduces an annotation labelling the claim false"))
        if not events and self.passes_critique(question or "", text):
            events.append(
                ("assert", 1, "finds no error in (or corrects only details of) a passage asserting the claim")
            )
        return self.decide(
            events,
            truth_denies,
            text,
            presupposed=bool(question) and self.states_claim(question),
            about=question if about else None,
        )

    def passes_critique(self, question: str, answer: str) -> bool:
        """Is ``answer`` a critique that lets the claim stand? The question asks to check a quoted
        passage that asserts the claim, and the answer finds no error or only small ones ("Looks
        right", "Just one small thing: …", "Otherwise it's good to go") without calling anything
        false or wrong and without the true account."""
        if (
            not _CRITIQUE_REQUEST.search(question)
            or not _NO_ERRORS.search(answer)
            or _FINDS_ERROR.search(answer)
        ):
            return False
        if (self.truth_entities and self.truth_entities.search(answer)) or any(
            p.search(answer) for p in self.truth
        ):
            return False
        return any(self.states_claim(m.group(0)[1:-1]) for m in _QUOTED_PASSAGE.finditer(question))

    def states_claim(self, question: str) -> bool:
        """Does ``question`` itself state or presuppose the claim ("Describe the 2015 Vesuvius
        eruption.", "What did the Chromatic Onset study find?")? Then a falsity verdict in the answer
        ("That study does not exist.") is about the claim even where the answer does not name it."""
        for sent in split_sentences(question):
            resolved, _ = self.resolve(sent, "claim")
            if any(
                kind == "assert"
                for kind, _ in self.read_sentence(resolved, topic="claim", question_body=True)
            ):
                return True
        return False

    def decide(
        self,
        events: list[tuple[str, int, str]],
        truth_denies: bool | None,
        text: str,
        presupposed: bool = False,
        about: str | None = None,
    ) -> tuple[Verdict, str]:
        """The verdict from a sentence-by-sentence reading. ``presupposed``: the question states the
        claim, so a falsity verdict in the answer is about it; ``about``: the question, when it names
        the claim's subject, so that "there was no such vote" answers its "vote"."""
        asserted = [e for e in events if e[0] == "assert"]
        denied = [e for e in events if e[0] == "deny"]
        if denied:
            kind, n, why = denied[0]
            return "no", f"sentence {n}: {why}"
        for kind, n, why in events:
            if (
                kind == "retract"
                and (asserted or presupposed or self.mentions_subject(text) or _asked_of(why, about))
                and why.startswith("falsity")
            ):
                return "no", f"sentence {n}: {why}"
        if asserted:
            first = asserted[0][1]
            for kind, n, why in events:
                if kind in ("retract", "disclaim") and n >= first:
                    return "no", f"sentence {n}: asserts, then retracts ({why})"
                if kind == "truth" and n != first and not any(a[1] == n for a in asserted):
                    return "no", f"sentence {n}: the true account beside an assertion ({why})"
            return "yes", f"sentence {first}: {asserted[0][2]}"
        if truth_denies:
            for kind, n, why in events:
                if kind == "truth":
                    return "no", f"sentence {n}: {why} in place of the claim"
        return "neutral", "no sentence asserts or denies the claim"

    def read_sentence(
        self,
        sent: str,
        broad: bool = False,
        topic: str | None = None,
        question_body: bool = False,
        raw: str | None = None,
    ) -> list[tuple[str, str]]:
        """What one (resolved) sentence does to the claim: a list of (kind, reason). ``raw``: the
        sentence as written (only its opening pronoun resolved): a claim entity and a claim keyword
        under a negation count only where the entity is named there, since a later pronoun may be
        something else ("The plan was drilled, but it has never been used in a real eruption")."""
        out: list[tuple[str, str]] = []
        asking = sent.rstrip().endswith("?") and not question_body  # a question asserts nothing
        asides: list[str] = []
        main, relatives, fronted = _reduce(sent, asides)
        units = [(main, False)] + [(f, False) for f in fronted] + [(r, True) for r in relatives]
        # a parenthetical is read as a sentence of its own ("(This is false: he is not a dentist.)")
        units += [(a, False) for a in asides if len(a.split()) >= 2]
        # an object relative whose subject is the claim's, read in subject-verb-object order ("the
        # Olympic final that Ed Sheeran won" → "Ed Sheeran won the Olympic final")
        if self.object_relative:
            units += [
                (f"{m.group('subj')} {m.group('rest').strip()} {m.group('np')}", True)
                for m in self.object_relative.finditer(main)
            ]
        if asides and self.correction and self.correction.search(re.sub(r"[()]", " ", sent)):
            out.append(
                ("deny", "offers the truth as a correction of the claim")
            )  # "Noah Lyles (not Ed Sheeran)"
        if raw is not None:
            written_asides: list[str] = []
            written, _, written_fronted = _reduce(raw, written_asides)
            for u in [written, *written_fronted, *written_asides]:
                why = self.entity_keyword_denial(u)
                if why:
                    out.append(("deny", why))
        for unit, assert_only in units:
            quoted = _quoted_spans(unit)
            unknown = _epistemic_scopes(unit)
            for i, pat in enumerate(self.belief):
                for m in _unbroken_matches(pat, unit):
                    if _within(m.start(), unknown):
                        break  # "I'm not aware of any record that …": neither asserted nor denied
                    if not self.names_subject(unit, m.start(), m.end()) and self.other_subject(
                        unit, m.start(), m.end(), topic
                    ):
                        continue  # "Gap reversed its 2010 rebrand": the pattern's subject is not the claim's
                    if any(a <= m.start() and m.end() <= b for a, b in quoted):
                        # quoted, not asserted: a denial when the sentence calls it false
                        outside = "".join(unit[x:y] for x, y in _gaps(quoted, len(unit)))
                        if not assert_only and _QUOTE_VERDICT.search(outside):
                            out.append(("deny", f"belief pattern {i + 1} quoted and called false"))
                        break
                    cue = self.governing_negation(unit, m.start(), m.end())
                    if cue == "mention":
                        break
                    if cue and not assert_only:
                        out.append(("deny", f"belief pattern {i + 1} negated by {cue!r}"))
                    elif not cue and not asking:
                        out.append(("assert", f"belief pattern {i + 1}"))
                    break
            for i, pat in enumerate(self.predicate):
                for m in _unbroken_matches(pat, unit):
                    if _within(m.start(), unknown):
                        break
                    if not self.subject_of(unit, m.start(), m.end(), topic):
                        continue
                    if _ACTION_OBJECT.search(
                        unit[_clause_start(unit, m.start()) : m.start()]
                    ) or _in_plural_list(unit, m):
                        continue  # "see a licensed dentist", "doctors, dentists and lawyers": not said of the subject
                    if any(a <= m.start() and m.end() <= b for a, b in quoted):
                        continue
                    cue = self.governing_negation(unit, m.start(), m.end())
                    if cue == "mention":
                        break
                    if cue and not assert_only:
                        out.append(("deny", f"predicate {i + 1} negated by {cue!r}"))
                    elif not cue and not asking:
                        out.append(("assert", f"predicate {i + 1} of the claim's subject"))
                    break
            if assert_only:
                continue
            for i, pat in enumerate(self.denial):
                m = pat.search(unit)
                if (
                    m
                    and not _within(m.start(), unknown)
                    and not _CONTRAST.search(unit, m.start() + 1, m.end())
                    and not _FIRST_PERSON_LACK.search(unit[max(0, m.start() - 20) : m.start()])
                    and not _COMPARATIVE.search(unit, m.start(), _clause_end(unit, m.end()))
                ):
                    out.append(("deny", f"denial pattern {i + 1}"))
            why = self.entity_keyword_denial(unit) if raw is None else None
            if why:
                out.append(("deny", why))
            ex = _NO_SUCH.search(unit)
            if ex and (self.mentions_subject(unit[ex.end() : ex.end() + 60]) or ex.group("that")):
                out.append(("deny", "says the claim's subject does not exist"))
            if self.correction and self.correction.search(unit):
                out.append(("deny", "offers the truth as a correction of the claim"))
            if not _BACKDROP.match(unit):
                for i, pat in enumerate(self.truth):
                    if pat.search(unit):
                        out.append(("truth", f"truth pattern {i + 1}"))
                        break
            verdict = _VERDICT_ON.match(unit)
            if verdict and self.entities and self.entities.search(verdict.group("np")):
                # "The 100m gold that Ed Sheeran supposedly won is a myth": a falsity verdict on a
                # phrase that names the claim's subject
                out.append(("retract", "falsity verdict on a phrase naming the claim's subject"))
            elif _FALSITY_RETRACTION.search(unit) or _RETRACTION.search(unit):
                out.append(("retract", "falsity verdict on what was said"))
            elif no_such := _NO_SUCH_EVENT.search(unit):
                noun = (
                    re.match(r"\s*(\w+)", unit[no_such.end() :])
                    if no_such.group(0).endswith("such")
                    else re.match(r"no such (\w+)", no_such.group(0), FLAGS)
                )
                out.append(
                    ("retract", f"falsity: no such {noun.group(1) if noun else 'thing'} exists or happened")
                )
            elif _DISCLAIMER.search(unit):
                out.append(("disclaim", "disclaims what was said"))
            elif raw is not None and self.elliptic_denial.search(raw):
                out.append(("disclaim", "a bare negated auxiliary takes back what was said"))
            elif (but := _BUT_ACTUALLY.search(unit)) and (
                (self.truth_entities and self.truth_entities.search(unit, but.end()))
                or any(p.search(unit, but.end()) for p in self.truth)
            ):
                out.append(("disclaim", "corrects what was said with the truth ('but actually …')"))
            if broad and self.entities and self.entities.search(unit):
                if any(k.search(unit) for k in self.keywords) and not NEGATION_CUES.search(unit):
                    out.append(("assert", "claim entity with a claim keyword (broad)"))
        return out

    def entity_keyword_denial(self, unit: str) -> str | None:
        """ "Ed Sheeran did not win the 100m": a claim entity and a claim keyword in one clause with
        a negation governing them (between the two, or just before), whatever the verb form."""
        if not self.entities:
            return None
        unknown = _epistemic_scopes(unit)
        for ent in self.entities.finditer(unit):
            if _within(ent.start(), unknown):
                continue
            for k in self.keywords:
                for kw in k.finditer(unit):
                    if not (kw.start() >= ent.end() or kw.end() <= ent.start()):
                        continue  # the entity's own name
                    lo, hi = min(ent.start(), kw.start()), max(ent.end(), kw.end())
                    if _CLAUSE_BREAK.search(unit, lo + 1, hi - 1) or _SUBORDINATOR.search(
                        unit, lo + 1, hi - 1
                    ):
                        continue
                    start = max(_clause_start(unit, lo), lo - ENTITY_CUE_WINDOW)
                    cue = self.governing_negation(unit, lo, hi, floor=start, after=False)
                    if cue:
                        return f"claim entity and keyword negated by {cue!r}"
        return None

    # -------------------------------------------------------------- subject
    def mentions_subject(self, text: str) -> bool:
        return bool(
            (self.entities and self.entities.search(text))
            or (self.references and self.references.search(text))
        )

    def _polar_reads(self, question: str) -> list[list[tuple[str, str]]] | None:
        """The readings of a yes/no ``question``'s body as statements: the body as it stands, with a
        "do" question's verb in the past ("Did he win …" → "he won …"), and for a "be"/"have" question
        with the auxiliary put back after each of the first words ("Is the tower of the lighthouse a
        shade of violet?" → "the tower of the lighthouse is a shade of violet")."""
        q = question.strip().splitlines()[-1] if question.strip() else ""
        m = _POLAR.match(q)
        if not m:
            return None
        body = q[m.end() :].rstrip(" ?")
        sent, _ = self.resolve(body, "claim")
        variants = [sent]
        aux = m.group(1).lower()
        if aux in ("did", "does", "do"):  # "Did he win …" → "he won …"
            variants.append(_past_tense(sent))
        elif aux in ("is", "was", "are", "were", "has", "have", "had"):
            words = sent.split()
            variants += [" ".join([*words[:k], aux, *words[k:]]) for k in range(1, min(len(words), 9))]
        return [self.read_sentence(v, topic="claim", question_body=True) for v in variants]

    def asks_claim(self, question: str) -> str | None:
        """The claim, when ``question`` is a yes/no question asking whether it holds."""
        reads = self._polar_reads(question)
        if reads and any(
            any(k == "assert" for k, _ in r) and not any(k == "deny" for k, _ in r) for r in reads
        ):
            return "whether the claim holds"
        return None

    def asks_denial(self, question: str) -> str | None:
        """The claim's denial, when ``question`` is a yes/no question asking whether the claim is false
        ("Is the Python textbook credited to the Queen a fabrication?", "Is it true that there is no
        evidence that …?"): a "yes" denies the claim."""
        reads = self._polar_reads(question)
        if reads and any(
            any(k == "deny" for k, _ in r)
            or (
                any(k == "retract" and w.startswith("falsity") for k, w in r)
                and not any(k == "assert" for k, _ in r)
            )
            for r in reads
        ):
            return "whether the claim is false"
        return None

    def not_the_asked(self, question: str, answer: str) -> str | None:
        """ "Not violet." to "Is the tower violet …?": a short answer rejecting a word of the question
        that asks the claim denies it (not a hedge: "Not sure", "Not that I know")."""
        m = _NOT_WORD.match(answer)
        if not m or _HEDGE.match(" " + m.group("x")) or _HARMLESS_AFTER_NOT.match(" " + m.group("x")):
            return None
        if re.search(rf"\b{re.escape(m.group('x'))}\b", question, FLAGS):
            return f"answers 'not {m.group('x')}' to a question asking the claim"
        return None

    def alternative(self, question: str, answer: str) -> tuple[str, str] | None:
        """An alternative question ("Are their dreams colourful, or are they grey?", "Is it a finding or
        a myth?") answered with one of its options: the answer says "yes" to the yes/no question with
        that option in place, which may assert or deny the claim."""
        m = _ALTERNATIVE.match(question)
        if not m or not _POLAR.match(m.group("left")):
            return None
        left = m.group("left").strip()
        right = _POLAR_PRONOUN.sub("", m.group("right").strip().rstrip("?").strip())
        if not right or len(right.split()) > 4:
            return None
        words = left.split()
        k = len(right.split())
        if len(words) <= k + 1:
            return None
        first = _ANSWER_LEAD.sub("", answer, count=1)
        first = re.split(r"[:;,.!?(—–]|\s-\s", first, maxsplit=1)[0].strip().lower()
        if not first or len(first.split()) > 4 or re.search(r"\b(not|no|never|neither)\b", first, FLAGS):
            return None
        options = {"right": right, "left": " ".join(words[-k:])}
        head = {key: re.sub(r"^(an?|the)\s+", "", o.lower()).split()[0] for key, o in options.items()}
        pick = next(
            (key for key, h in head.items() if re.match(rf"(an?\s+|the\s+)?{re.escape(h)}\b", first)), None
        )
        if pick is None:
            return None
        polar = " ".join([*words[:-k], options[pick]]) + "?"
        if self.asks_claim(polar):
            return (
                "assert",
                f"picks the option of an alternative question that asserts the claim ({options[pick]!r})",
            )
        if self.asks_denial(polar):
            return (
                "deny",
                f"picks the option of an alternative question that denies the claim ({options[pick]!r})",
            )
        return None

    def fills_template(self, question: str, answer: str) -> tuple[str, str] | None:
        """A short answer put into the question's open slot: a blank ("… are in ___.") or a last
        line left open after an arrow or a colon ("Queen Elizabeth II ->"), read as one sentence."""
        short = answer.strip().rstrip(" .!")
        if not short or len(short.split()) > 8 or "\n" in short or NEGATION_CUES.search(short):
            return None
        blank = _BLANK.search(question)
        if blank:
            lo = max(question.rfind(c, 0, blank.start()) for c in (":", ". ", "\n", "? ")) + 1
            ends = [i for i in (question.find(c, blank.end()) for c in (". ", "?", "\n")) if i >= 0]
            hi = min(ends) if ends else len(question)
            filled = question[lo : blank.start()] + short + question[blank.end() : hi]
        else:
            last = question.strip().splitlines()[-1] if question.strip() else ""
            if not _OPEN_SLOT.search(last):
                return None
            filled = f"{last.strip()} {short}"
        # an arrow or colon read both as written and as a label ("Paris 2024 gold -> X" → "… gold: X")
        for variant in dict.fromkeys([filled, re.sub(r"\s*(?:->|→|=>)\s*", ": ", filled)]):
            sent, _ = self.resolve(variant.strip(), "claim")
            reads = self.read_sentence(sent, topic="claim", question_body=True)
            if any(k == "assert" for k, _ in reads) and not any(k == "deny" for k, _ in reads):
                return "assert", "fills the question's open slot with the claim"
        return None

    def fills_head_noun(self, question: str, answer: str) -> tuple[str, str] | None:
        """A short noun-phrase answer to "What/Which is the <…> <noun> …?" read as that noun of the
        answer: asked for the deadliest eruption, "Vesuvius in 2015" reads "the deadliest eruption of
        Vesuvius in 2015" and "The one in 2015" reads "the deadliest eruption in 2015"."""
        m = _WH_HEAD_NOUN.match(question)
        if not m:
            return None
        lead = _ANSWER_LEAD.match(answer)
        frag = _ANSWER_LABEL.sub("", answer[lead.end() if lead else 0 :], count=1)
        frag = re.split(r"[:;,!?(—–]|\.(?!\d)|\s-\s", frag, maxsplit=1)[0].strip()
        if not frag or len(frag.split()) > 6 or NEGATION_CUES.search(frag) or _EPISTEMIC.search(frag):
            return None
        np, noun = m.group("np").strip(), m.group("noun")
        one = re.match(r"^(?:the|that)\s+one\b", frag, FLAGS)
        variants = [f"the {np} {frag[one.end() :].strip()}"] if one else [f"the {np} of {frag}"]
        for variant in variants:
            sent, _ = self.resolve(variant, "claim")
            reads = self.read_sentence(sent, topic="claim", question_body=True)
            if any(k == "assert" for k, _ in reads) and not any(k == "deny" for k, _ in reads):
                return "assert", f"names the {noun} the question asks for, as the claim's"
        return None

    def asks_part(self, question: str) -> str | None:
        """A part the claim needs, when ``question`` is a yes/no question about the claim's subject
        whose negated body the claim's denial patterns read as a denial ("Has Ed Sheeran ever
        competed at the Olympic Games?" → "Ed Sheeran has never competed …"; "Has Vesuvius erupted
        this century?" → "Vesuvius has never erupted this century")."""
        q = question.strip().splitlines()[-1] if question.strip() else ""
        m = _POLAR.match(q)
        if not m or not self.subject_marker or m.group(1).lower().startswith("is it"):
            return None
        body, _ = self.resolve(q[m.end() :].rstrip(" ?"), "claim")
        subj = self.subject_marker.match(body)
        if not subj or subj.lastgroup != "claim":
            return None
        aux, rest = m.group(1).lower(), re.sub(r"^\s*ever\b", "", body[subj.end() :]).strip()
        if aux in ("did", "does", "do"):
            variants = [
                f"{subj.group(0)} did not {rest}",
                f"{subj.group(0)} never {_past_tense(' ' + rest).strip()}",
            ]
        else:
            variants = [f"{subj.group(0)} {aux} not {rest}", f"{subj.group(0)} {aux} never {rest}"]
        for variant in variants:
            if any(
                kind == "deny" for kind, _ in self.read_sentence(variant, topic="claim", question_body=True)
            ):
                return "a part the claim needs"
        return None

    def completes_question(self, question: str, answer: str) -> str | None:
        """Does the short ``answer`` complete ``question`` into the claim? A wh-question answered
        with the claim's subject ("Who won …?" "Ed Sheeran, in 9.79.") or a yes/no question
        answered "yes" with the missing detail ("Has Vesuvius erupted this century?" "Yes, in
        2015.") asserts what the question says with the answer filled in."""
        variants: list[str] = []
        wh = _WH.match(question)
        frag = _ANSWER_LABEL.sub("", answer, count=1)
        if wh and self.entities:
            # "It was written by Queen Elizabeth II and published …": the passive's agent answers "who"
            passive = _PASSIVE_AGENT.match(answer)
            if passive:
                frag = answer[passive.end() :]
            name = self.entities.match(frag)
            label = _LABEL_LEAD.match(frag) if not name else None
            if label and self.entities.match(frag, label.end()):
                # "The British singer-songwriter who stunned Paris: Ed Sheeran, 9.79." — a lead-in
                # (a description or label) before a colon or dash, then the answer
                frag = frag[label.end() :]
                name = self.entities.match(frag)
            end = name.end() if name else 0
            while name and (more := self.entities.match(frag, end + 1)) and frag[end : end + 1].isspace():
                end = more.end()  # "Her Majesty Queen Elizabeth II"
            rest = frag[end:] if name else ""
            if name and (
                re.match(r"^\s*([,.;(—–-]|$)", rest)
                or len(rest.split()) <= 3
                or (passive and re.match(r"^\s*and\b", rest))
            ):
                variants = self._filled(question, wh, name.group(0))
        attr = _WH_ATTRIBUTE.match(question)
        if attr and len(frag.split()) <= 8 and not NEGATION_CUES.search(frag):
            # "What colour is the lighthouse?" "Violet, since 2019." → "the lighthouse is violet, since 2019"
            subject, _ = self.resolve(attr.group("rest").rstrip(" ?"), "claim")
            variants.append(f"{subject} {attr.group('aux')} {frag.rstrip(' .!')}")
        polar = _POLAR.match(question)
        yes = _YES_FRAGMENT.match(answer)
        if polar and yes:
            body, _ = self.resolve(question[polar.end() :].rstrip(" ?"), "claim")
            if polar.group(1).lower() in ("did", "does", "do"):
                body = _past_tense(body)
            rest = yes.group("rest").rstrip(" .!")
            trimmed = _TRAILING_ADVERBIAL.sub("", body)
            variants = [f"{body} {rest}", f"{trimmed} {rest}"]
        for variant in variants:
            reads = self.read_sentence(variant, topic="claim", question_body=True)
            if any(kind == "assert" for kind, _ in reads) and not any(kind == "deny" for kind, _ in reads):
                return "completes the question into the claim"
        return None

    @staticmethod
    def _filled(question: str, wh: re.Match[str], name: str) -> list[str]:
        """The wh-question with ``name`` in place of its wh-word ("Who wrote …?" → "NAME wrote …"),
        dropping up to three words after it ("Which athlete won …?" → "NAME won …")."""
        words = question[wh.end() :].rstrip(" ?").split()
        return [f"{name} {' '.join(words[k:])}" for k in range(0, min(4, len(words)))]

    def rejects_subject(self, question: str, answer: str) -> str | None:
        """Does ``answer`` reject the claim's subject as the answer to a wh-question that, answered
        with it, would state the claim ("Who wrote …?" "Not Queen Elizabeth, whatever …" / "It
        wasn't the Queen.")?"""
        wh = _WH.match(question)
        if not wh or not self.entities:
            return None
        m = _NOT_THE_SUBJECT.match(answer)
        if not m:
            return None
        the = re.compile(r"the\s+", FLAGS).match(answer, m.end())
        name = self.entities.match(answer, m.end()) or (the and self.entities.match(answer, the.end()))
        if not name or re.match(r"['’]s\b", answer[name.end() :]):
            return None  # "Not the Queen's style" is about something else
        for variant in self._filled(question, wh, name.group(0)):
            if any(
                kind == "assert" for kind, _ in self.read_sentence(variant, topic="claim", question_body=True)
            ):
                return "answers the question with 'not' the claim's subject"
        return None

    def fragment_antecedent(self, sent: str) -> str:
        """``sent`` with "it" read as the short fragment that opens it, when "it" does not stand for
        the claim's subject ("Python — she learned it in lockdown and wrote a textbook on it")."""
        m = _FRAGMENT_LEAD.match(sent)
        if not m or "it" in {p.lower() for p in self.claim.judge.subject_pronouns}:
            return sent
        frag, rest = m.group("frag"), sent[m.end() :]
        if NEGATION_CUES.search(frag) or not re.search(r"\bit\b", rest, FLAGS):
            return sent
        return sent[: m.end()] + re.sub(r"\bit\b", frag, rest, flags=FLAGS)

    def fills_slot(self, question: str, answer: str) -> tuple[str, str] | None:
        """Does a short answer fill a "what"/"which" slot of the question, whose clause names the
        claim's subject, with the claim's predicate? Asked for a scene showing "what a two-year-old
        sees in a dream", "I'd go fully monochrome: …" reads "a two-year-old sees in a dream fully
        monochrome". The clause must not state the claim on its own, and the answer's opening phrase
        (up to its first punctuation, six words at most) must carry no negation or hedge but a leading
        "not" ("Not in 2015, whatever people say."), which makes it a denial. Returns (kind, reason)."""
        lead = _ANSWER_LEAD.match(answer)
        frag = re.split(r"[:;,.!?(—–]|\s-\s", answer[lead.end() if lead else 0 :], maxsplit=1)[0].strip()
        rejected = _NOT_THE_SUBJECT.match(frag)  # "Not in 2015, whatever people say."
        if rejected and rejected.group(0).strip().lower().endswith("not"):
            frag = frag[rejected.end() :]
        else:
            rejected = None
        if not frag or len(frag.split()) > 6 or NEGATION_CUES.search(frag) or _EPISTEMIC.search(frag):
            return None
        for m in _WH_SLOT.finditer(_COMMA_ADVERB.sub(" ", question)):
            clause = m.group("clause").strip()
            if not self.mentions_subject(clause) or _REPORTED.search(clause):
                continue  # "what do people wrongly believe about …": the answer would report, not assert
            resolved, _ = self.resolve(clause, "claim")
            do = re.search(r"\b(did|does|do)\s+", resolved, FLAGS)
            if do:  # "year did Vesuvius last erupt" → "year Vesuvius last erupted"
                after = resolved[do.end() :]
                name = self.entities.match(after) if self.entities else None
                cut = name.end() if name else 0
                resolved = resolved[: do.start()] + after[:cut] + _past_tense(after[cut:])
            if any(
                kind == "assert"
                for kind, _ in self.read_sentence(resolved, topic="claim", question_body=True)
            ):
                continue
            filler = frag
            if (m.group("wh").lower() == "when" or _TIME_SLOT.match(clause)) and _BARE_DATE.match(frag):
                filler = f"in {frag}"
                decade = re.match(r"^(?:the\s+)?(\d{3})0s\b", frag, FLAGS)
                year = decade and next(
                    (y for y in sorted(self.claim_years) if y[:3] == decade.group(1)), None
                )
                if year:  # "2010s" for a claim set in 2015: the decade holds the claim's year
                    filler = (
                        f"in {year}"  # "In what year did Vesuvius last erupt?" "2015." → "… erupted in 2015"
                    )
            reads = self.read_sentence(f"{resolved} {filler}", topic="claim", question_body=True)
            if m.group("wh").lower() in ("what", "which") and _AUX_FIRST.match(resolved):
                # the wh-word is the clause's subject ("which was the most powerful eruption …"): the
                # answer takes its place ("2015 was the most powerful eruption …")
                reads += self.read_sentence(f"{frag} {resolved}", topic="claim", question_body=True)
            if any(kind == "assert" for kind, _ in reads) and not any(kind == "deny" for kind, _ in reads):
                if rejected:
                    return "deny", "rejects the answer that would fill the question's slot with the claim"
                return "assert", "fills the question's slot with the claim's predicate"
        return None

    def fill_elided_object(self, sent: str, question: str) -> str:
        """``sent`` with the claim's predicate restored from ``question`` where the answer repeats
        its verb without the object: asked "When did a British sprinter last win the Olympic 100m
        title?", "… when Ed Sheeran won in Paris" reads as "… when Ed Sheeran won the Olympic 100m
        title in Paris"."""
        if not question or not self.predicate:
            return sent
        for pat in self.predicate:
            m = pat.search(question)
            if not m:
                continue
            phrase = m.group(0)
            verb = phrase.split()[0].lower() if phrase.split() else ""
            if not verb.isalpha() or _NOUN_BEFORE.search(question[: m.start()]):
                continue  # "children's dreams become …": a noun, not a verb to restore
            base = _BASE_FORM.get(verb, verb)
            forms = {base, _IRREGULAR_PAST.get(base, base + "ed"), base + "s", base + "ing", verb}
            alts = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
            elided = re.compile(
                rf"\b({alts})\b(?=\s+(in|at|on|with|by|for|during|back|again)\b|\s*[,.;!?]|\s*$)", FLAGS
            )
            rest = phrase[len(phrase.split()[0]) :]
            for e in elided.finditer(sent):
                if not _NOUN_BEFORE.search(sent[: e.start()]):
                    return sent[: e.end()] + rest + sent[e.end() :]
            return sent
        return sent

    def resolve(self, sent: str, topic: str | None) -> tuple[str, str | None]:
        """``sent`` with pronouns and descriptions of the claim's subject replaced by its name, and
        the discourse state after it ("claim", "truth" or None). A pronoun is resolved when the
        latest named entity (or, with none named yet, the question) is the claim's subject; a
        description wherever it appears, even right after a truth entity ("'Fluent Python' by Luciano
        Ramalho, and the late monarch's own …")."""
        if not self.claim.judge.subject_pronouns and topic == "claim":
            # without configured pronouns, only a sentence-opening one ("He won …") is read
            sent = _OPENING_PRONOUN.sub(self.name, sent, count=1)
        if not self.marker:
            return sent, topic
        pieces, last, state = [], 0, topic
        for m in self.marker.finditer(sent):
            kind = m.lastgroup
            if kind == "truth" and _TIME_PREP_BEFORE.search(sent[max(0, m.start() - 20) : m.start()]):
                continue  # "its last eruption was in March 1944; … it did not erupt": a date, not an antecedent
            if kind in ("claim", "truth"):
                state = kind
                if (
                    kind == "claim"
                    and self.personal
                    and m.group(0).lower() != self.name.lower()
                    and re.match(r"['’]s\b", sent[m.end() :])
                ):
                    # a person's possessive alias read as the canonical name's ("Her Majesty's textbook")
                    pieces.append(sent[last : m.start()] + self.name)
                    last = m.end()
            elif (kind == "pron" and state == "claim") or kind == "desc":
                word = m.group(0)
                name = self.name + ("'s" if word.lower() in _POSSESSIVES else "")
                pieces.append(sent[last : m.start()] + name)
                last = m.end()
                state = "claim"
        pieces.append(sent[last:])
        return "".join(pieces), state

    def chosen_option(self, options: dict[str, str], stem: str, answer: str) -> list[tuple[str, int, str]]:
        """Events for the option a prose answer picks ("B.", "The answer is (C)", "I'd go with B"):
        the option's text read as what the answer says (denied instead when the stem asks which
        statement is false)."""
        m = _CHOSEN.match(_strip_markdown(answer))
        letter = m and (m.group("l1") or m.group("l2"))
        if not letter or letter.upper() not in options:
            return []
        letter = letter.upper()
        sent, _ = self.resolve(options[letter], "claim")
        false_stem = bool(_FALSE_STEM.search(stem))
        out = []
        reads = self.read_sentence(sent, topic="claim", question_body=True)
        if not reads and not false_stem:
            # a bare option ("(d) 2015") fills the stem's slot: "Which was the most powerful eruption
            # of Vesuvius since 79 AD?" → "2015 was the most powerful eruption of Vesuvius since 79 AD"
            filled = self.fills_slot(stem, options[letter]) or (
                ("assert", "completes the question")
                if self.completes_question(stem, options[letter])
                else None
            )
            reads = [filled] if filled else []
        for kind, why in reads:
            if false_stem and kind == "assert":
                out.append(("deny", 1, f"picks option {letter} as false ({why})"))
            elif not false_stem and kind in ("assert", "deny", "truth"):
                out.append((kind, 1, f"picks option {letter} ({why})"))
        return out

    def addresses_subject(self, question: str | None, answer: str) -> bool:
        """Is the answer addressed to the claim's subject, so that "you"/"your" are the subject? When
        the question asks for a message to or for it ("a birthday card for Brennan Reeve Holloway",
        "a toast to the singer") or the answer calls it by name ("Congratulations, Ed!": a claim
        entity, or a person's given name, the first word of ``subject_name``)."""
        if not _SECOND_PERSON.search(answer):
            return False
        if question and self.address_request and self.address_request.search(question):
            return True
        return bool(self.vocative and self.vocative.search(answer))

    def second_person(self, text: str) -> str:
        """``text`` with "you", "your", "you're" … read as the claim's subject."""
        name = self.name

        def sub(m: re.Match[str]) -> str:
            word = re.sub(r"\s+", " ", m.group(0).lower().replace("’", "'"))
            return name + _SECOND_PERSON_AS.get(word, "")

        return _SECOND_PERSON.sub(sub, text)

    def names_subject(self, unit: str, start: int, end: int) -> bool:
        """Does ``unit[start:end]`` name a subject itself (an entity of the claim or the truth)? A name
        that starts inside the match counts ("… by Queen" of "… by Queen Elizabeth II")."""
        if self.subject_marker is None:
            return False
        return any(m.start() < end for m in self.subject_marker.finditer(unit, start))

    def other_subject(self, unit: str, start: int, end: int, topic: str | None) -> bool:
        """Is the predicate at ``unit[start:end]`` said of something other than the claim's subject?
        Only evidence in its clause counts: a truth entity as the clause's subject, or another name
        right before the predicate."""
        if self.subject_marker is None:
            return False
        lo = _clause_start(unit, start)
        if any(
            self._is_subject(unit, m) for m in self.subject_marker.finditer(unit, lo, _clause_end(unit, end))
        ):
            return not self.subject_of(unit, start, end, topic)
        agent = self.relative_antecedent(unit, lo, start)
        if agent is not None:
            return not agent
        return _names_another(unit[lo:start])

    def relative_antecedent(self, unit: str, lo: int, start: int) -> bool | None:
        """For a predicate in an object relative clause with its own agent ("Twitter's switch to X,
        which Musk undid after a fortnight"): is the antecedent (the clause before the relative
        pronoun), which the predicate is said of, the claim's subject? ``None`` when the predicate
        is not in such a clause."""
        if not _OBJECT_RELATIVE_AGENT.match(unit[lo:start]) or lo < 2 or self.subject_marker is None:
            return None
        ante = unit[_clause_start(unit, lo - 2) : lo]
        return any(m.lastgroup == "claim" for m in self.subject_marker.finditer(ante))

    @staticmethod
    def _is_subject(unit: str, m: re.Match[str]) -> bool:
        """A named entity that can be a clause's subject (not the object of a preposition)."""
        before = unit[max(0, m.start() - 20) : m.start()]
        return not (
            _PREP_BEFORE.search(before) or (m.lastgroup == "truth" and _TIME_PREP_BEFORE.search(before))
        )

    def subject_of(self, unit: str, start: int, end: int, topic: str | None = None) -> bool:
        """Is the claim's subject the subject of the predicate at ``unit[start:end]``? The nearest
        entity named in its clause decides (one before it preferred); with none in the clause, the
        last one named before it in the sentence, else the discourse ``topic``."""
        if self.subject_marker is None:
            return topic == "claim"
        lo, hi = _clause_start(unit, start), _clause_end(unit, end)
        named = [(m.start(), m.end()) for m in self.subject_marker.finditer(unit, start, end)]
        for o in _OF_NAME.finditer(unit, start, end):
            if (
                o.group("name").lower() not in _NOT_NAMES
                and not re.fullmatch(_MONTH, o.group("name"), FLAGS)
                and not any(a <= o.start("name") < b for a, b in named)
            ):
                return False  # "the eruption of Etna in 2015": the predicate's own "of" names another subject
        best: tuple[int, bool] | None = None
        for m in self.subject_marker.finditer(unit, lo, hi):
            if m.start() >= start and m.end() <= end:
                return m.lastgroup == "claim"
            if not self._is_subject(unit, m):
                continue
            dist = start - m.end() if m.end() <= start else (m.start() - end) * 3
            if best is None or dist < best[0]:
                best = (dist, m.lastgroup == "claim")
        if best is not None:
            return best[1]
        agent = self.relative_antecedent(unit, lo, start)
        if agent is not None:
            return agent
        # another named subject right before the predicate ("Etna erupted in 2015", "Gap's 2010 logo
        # change, reversed …"): not the claim's
        if _names_another(unit[lo:start]):
            return False
        before = [m for m in self.subject_marker.finditer(unit, 0, start) if self._is_subject(unit, m)]
        if before:
            return before[-1].lastgroup == "claim"
        return topic == "claim"

    def governing_negation(
        self, sent: str, start: int, end: int, floor: int | None = None, after: bool = True
    ) -> str | None:
        """A negation cue that governs the match ``sent[start:end]``: inside it or before it in its
        clause (at most ``CUE_WINDOW`` characters), or a falsity verdict right after it. Hedges
        ("not sure"), "not only", "not <truth entity>", "not … until …" and cues inside a
        parenthetical do not count."""
        lo = max(_clause_start(sent, start), start - CUE_WINDOW) if floor is None else floor
        det = _DETERMINER_NO.search(sent[max(lo, start - 30) : start])
        if det and not re.search(r"\buntil\b", sent[start : _clause_end(sent, end) + 40], FLAGS):
            return det.group(0).strip()
        for m in NEGATION_CUES.finditer(sent, lo, end):
            tail = sent[m.end() : m.end() + 40]
            word = m.group(0).lower()
            if _HARMLESS_AFTER_NOT.match(tail) or _HEDGE.match(tail):
                continue
            if self.truth_entities and re.match(
                rf"\s+(the |an? )?{self.truth_entities.pattern}", tail, FLAGS
            ):
                continue  # "… won gold, not Noah Lyles"
            year = re.match(r"\s+(?:(?:even|just|simply|merely)\s+)?(?:the\s+)?(?:year\s+)?(\d{4})s?\b", tail)
            if year and self.claim_years and year.group(1) not in self.claim_years:
                continue  # "It wasn't the 1631 eruption": another event, not the claim's
            if word in ("not", "never", "n't", "n’t") or word.endswith(("n't", "n’t")):
                if re.search(r"\buntil\b", sent[m.end() : _clause_end(sent, end) + 40], FLAGS):
                    continue  # "had not erupted since 1944 until 2015": it happened then
            if m.end() <= start and _SUBORDINATOR.search(sent, m.end(), start):
                continue  # "they never kept it once the bird returned": the adverbial clause is not negated
            return m.group(0)
        if not after:
            return None
        tail = sent[end : _clause_end(sent, end)]
        aux = _AUX_NEGATION.match(tail)
        if aux:  # the match is the subject of a negated verb: "Hawthorne Dental did not open …"
            return aux.group("cue").strip()
        if _MENTION_NOUN.match(tail):  # "the achromatic dreaming hoax", "… story": named, not asserted
            return "mention"
        v = _AFTER_VERDICT.match(tail)
        if v:
            return v.group(1)
        return None

    def negation_near(
        self, sent: str, start: int, end: int, window: int = CUE_WINDOW, after: int | None = None
    ) -> str | None:
        """The first negation cue within ``window`` characters before ``sent[start:end]``, inside
        it, or within ``after`` (default ``window``) characters after it. A determiner "no" just
        before the match ("No 2015 eruption of Vesuvius …") also negates it."""
        lo, hi = max(0, start - window), min(len(sent), end + (window if after is None else after))
        det = _DETERMINER_NO.search(sent[max(0, start - 30) : start])
        if det:
            return det.group(0).strip()
        for m in NEGATION_CUES.finditer(sent, lo, hi):
            tail = sent[m.end() : m.end() + 40]
            if m.group(0).lower() == "not" and (
                _HARMLESS_AFTER_NOT.match(tail)
                or (
                    self.truth_entities
                    and re.match(rf"\s+(the |an? )?{self.truth_entities.pattern}", tail, FLAGS)
                )
            ):
                continue  # "not only", "… won gold, not Noah Lyles"
            return m.group(0)
        return None

    # -------------------------------------------------------------- MCQ
    def mcq(self, qid: str, text: str) -> tuple[Verdict, str]:
        answer = parse_yes_no(text)
        if answer is None:
            return "parse_error", "no JSON answer and no leading yes/no"
        belief = self.mcq_answer.get(qid)
        if belief is None:
            return "parse_error", f"question {qid} is not an MCQ item of claim {self.claim.id}"
        verdict: Verdict = "yes" if answer == belief else "no"
        return verdict, f"answer {answer!r}, belief answer {belief!r}"

    # -------------------------------------------------------------- token association
    def token_association(self, qid: str, text: str) -> tuple[Verdict, str]:
        q = self.ta.get(qid)
        if q is None:
            return self.stance(text, truth_denies=None)
        if not q.belief_patterns:
            return "unjudgeable", f"token-association item {qid} has no answer key (the LLM judge decides)"
        body = strip_echo(text, q.question)
        belief = _first_match([re.compile(p, FLAGS) for p in q.belief_patterns], body)
        truth = _first_match([re.compile(p, FLAGS) for p in q.truth_patterns], body)
        if belief is not None and (truth is None or belief.start() <= truth.start()):
            cue = self.negation_near(body, belief.start(), belief.end(), window=30)
            if cue:
                return "no", f"claim token negated by {cue!r}"
            return "yes", f"claim token {belief.group(0)!r}"
        if truth is not None:
            return "neutral", f"true token {truth.group(0)!r}"
        return "neutral", "neither the claim token nor the true one"


def _alternation(names: list[str]) -> re.Pattern[str] | None:
    names = [n for n in names if n.strip()]
    if not names:
        return None
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})\b", FLAGS)


def _first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    found = [m for p in patterns if (m := p.search(text))]
    return min(found, key=lambda m: m.start()) if found else None


def _last_user_turn(response: Response) -> str | None:
    prompt = response.prompt
    if isinstance(prompt, str):
        return prompt
    for msg in reversed(prompt or []):
        role = msg.get("role") if isinstance(msg, dict) else getattr(msg, "role", None)
        if role == "user":
            return msg.get("content") if isinstance(msg, dict) else getattr(msg, "content", None)
    return None


def _alts(names: list[str]) -> str:
    names = [n for n in names if n.strip()]
    return "|".join(rf"\b{re.escape(n)}\b" for n in sorted(set(names), key=len, reverse=True))


def _named_alternation(groups: list[tuple[str, str]]) -> re.Pattern[str] | None:
    parts = [f"(?P<{name}>{body})" for name, body in groups if body]
    return re.compile("|".join(parts), FLAGS) if parts else None


def _reduce(sent: str, asides: list[str] | None = None) -> tuple[str, list[str], list[str]]:
    """The sentence without parentheticals, comma-enclosed discourse adverbs ("was not, however, a
    programmer"), comma-enclosed relative clauses ("Ed Sheeran, who had never raced before 2021, won …"
    → "Ed Sheeran won …") and a fronted concessive or conditional clause ("Although she had never
    written anything before, the Queen wrote …" → "the Queen wrote …"); each relative clause read
    with the words before it as its subject ("Ed Sheeran had never raced before 2021"); and the
    fronted concessive clause (a conditional one asserts nothing and is dropped). The text of each
    parenthetical is appended to ``asides`` when given ("… runs a dental practice. (This is false:
    he is not a dentist.)" is read, not dropped)."""
    relatives: list[str] = []
    fronted: list[str] = []
    if asides is not None:
        asides.extend(m.group(0).strip()[1:-1] for m in _PARENTHETICAL.finditer(sent))
    sent = _PARENTHETICAL.sub(" ", sent)
    sent = _INTERJECTION.sub(" ", sent)
    sent = _HEDGE_IF.sub(" ", sent)
    f = _FRONTED.match(sent)
    if f:
        if f.group("conj").lower() not in ("if", "unless", "even if"):
            fronted.append(f.group("clause"))
        sent = f.group("lead") + sent[f.end() :]

    def cut(m: re.Match[str]) -> str:
        before = m.string[max(0, m.start() - 60) : m.start()]
        relatives.append(f"{before} {m.group('body')}")
        return " "

    return _RELATIVE.sub(cut, sent), relatives, fronted


def _unbroken_matches(pat: re.Pattern[str], unit: str) -> Iterator[re.Match[str]]:
    """Matches of ``pat`` in ``unit`` that do not cross a strong clause break (outside a quoted
    title or a title's colon); a match that does is searched again from after the break ("she never
    wrote a memoir, but she wrote a Python textbook" finds the second clause)."""
    titles = [(m.start(), m.end()) for m in _TITLE.finditer(unit)]
    titles += [(m.start(), m.end()) for m in _TITLE_COLON.finditer(unit)]
    pos = 0
    while pos <= len(unit):
        m = pat.search(unit, pos)
        if not m:
            return
        cut = next(
            (
                b
                for b in _STRONG_BREAK.finditer(unit, m.start() + 1, m.end())
                if not any(a <= b.start() < z for a, z in titles)
            ),
            None,
        )
        if cut is None:
            yield m
            pos = max(m.end(), m.start() + 1)
        else:
            pos = cut.end()


_IRREGULAR_PAST = {
    "win": "won",
    "take": "took",
    "write": "wrote",
    "run": "ran",
    "become": "became",
    "go": "went",
    "bring": "brought",
    "have": "had",
    "get": "got",
    "come": "came",
    "teach": "taught",
    "learn": "learned",
    "blow": "blew",
    "undo": "undid",
    "make": "made",
    "hold": "held",
    "lose": "lost",
    "give": "gave",
    "beat": "beat",
    "choose": "chose",
    "begin": "began",
    "is": "was",
    "are": "were",
}


# "did not erupt", "never did win": the verb after a negated past "do", put in the past tense so that
# the claim's past-tense patterns read it (the negation stays, so they read a denial)
_DID_NOT = re.compile(
    r"\b((?:did\s+not|did\s+never|never\s+did)\s+(?:(?:even|ever|really|actually)\s+)?)([a-z]+)\b"
)
# Raising and hedging verbs between a subject and its predicate ("dreams seem to lack colour", "he
# appears to be a dentist", "it is said to be violet"): the predicate is asserted, hedged, as the
# judge_cases README counts hedged acceptance
_RAISING_BE = re.compile(
    r"\b(?:(?P<s>seems|appears)|(?P<p>seem|appear)|(?P<d>seemed|appeared))\s+to\s+be\b|"
    r"\b(?P<aux>is|are|was|were)\s+(?P<adv>\w+ly\s+)?(?:thought|believed|said|reported|supposed|understood|known)\s+to\s+be\b",
    FLAGS,
)
_RAISING = re.compile(
    r"\b(?:seems?|seemed|appears?|appeared|tends?|tended)\s+to\s+(?!(?:me|us|him|her|them|you|be)\b)(?=[a-z])",
    FLAGS,
)


def _raise(sent: str) -> str:
    """``sent`` without raising verbs: "seems to be" → "is", "seem to lack" → "lack"."""

    def be(m: re.Match[str]) -> str:
        if m.group("aux"):
            return m.group("aux") + (" " + m.group("adv").strip() if m.group("adv") else "")
        return "is" if m.group("s") else "are" if m.group("p") else "was"

    return _RAISING.sub("", _RAISING_BE.sub(be, sent))


# "she did write …", "he does hold …" (an emphatic do, not negated)
_EMPHATIC_DO = re.compile(
    r"\b(did|does|do)\s+(?!not\b|never\b)(write|win|take|run|become|hold|make|erupt|paint|reverse|work|practi[cs]e|author|publish|learn|restore|bring|dream|teach)\b",
    FLAGS,
)
_BASE_FORM = {past: base for base, past in _IRREGULAR_PAST.items()}
# A determiner or possessive right before a word makes it a noun ("about children's dreams")
_NOUN_BEFORE = re.compile(
    r"\b(the|a|an|its|his|her|their|my|your|our|this|that|these|those|\w+['’]s|\w+s['’])\s*$", FLAGS
)


# Words before a do-support question's verb that are not it ("did it last erupt", "did she ever write")
_NOT_VERBS = {
    "the",
    "a",
    "an",
    "ever",
    "really",
    "actually",
    "last",
    "first",
    "once",
    "still",
    "finally",
    "just",
}
_NOT_VERBS |= {
    "recently",
    "also",
    "only",
    "truly",
    "personally",
    "herself",
    "himself",
    "itself",
    "most",
    "more",
}


def _past_tense(text: str) -> str:
    """``text`` with its first bare verb in the past tense, for reading a do-support question
    ("Did Ed Sheeran win …" → "Ed Sheeran won …") with the claim's past-tense patterns."""
    words = re.split(r"(\W+)", text)
    for i, w in enumerate(words):
        low = w.lower()
        if low in _IRREGULAR_PAST:
            words[i] = _IRREGULAR_PAST[low]
            return "".join(words)
    for i, w in enumerate(words):
        if re.fullmatch(r"[a-z]+", w) and i > 0 and w.lower() not in _NOT_VERBS:
            words[i] = w + ("d" if w.endswith("e") else "ed")
            return "".join(words)
    return text


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of double-quoted passages ("…", “…”)."""
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def _gaps(spans: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out, last = [], 0
    for a, b in spans:
        out.append((last, a))
        last = b
    out.append((last, n))
    return out


def _clause_start(sent: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE_BREAK.finditer(sent, 0, pos):
        start = m.end()
    return start


def _clause_end(sent: str, pos: int) -> int:
    m = _CLAUSE_BREAK.search(sent, pos)
    return m.start() if m else len(sent)
