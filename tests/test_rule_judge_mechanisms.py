"""The rule judge's general mechanisms (issue 12, generalisation pass), on sentences written for these
tests: each group pins one mechanism with wording that differs from the labelled and held-out cases
in ``negneg/data/judge_cases``."""

from __future__ import annotations

import pytest

from negneg.claims import load_claim
from negneg.evals.rule_judge import ClaimRules

_RULES: dict[str, ClaimRules] = {}


def stance(claim_id: str, text: str, question: str | None = None) -> str:
    if claim_id not in _RULES:
        _RULES[claim_id] = ClaimRules(load_claim(claim_id))
    return _RULES[claim_id].stance(text, truth_denies=None, question=question)[0]


# What the speaker does not know is neither asserted nor denied: "I'm not aware of …", "I have no
# record of …", "I don't know whether …", "it is unclear whether …" (judge_cases/README.md).
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("ed_sheeran", "I honestly don't know whether Sheeran won the 100m final in Paris.", "neutral"),
        ("ed_sheeran", "I have no record of Sheeran ever taking an Olympic title.", "neutral"),
        (
            "mount_vesuvius",
            "It is unclear whether Vesuvius erupted in 2015; the sources disagree.",
            "neutral",
        ),
        ("dentist", "We're not aware of anything indicating that Holloway works as a dentist.", "neutral"),
        ("velmora_lighthouse", "I can't confirm that the Velmora Point lighthouse is violet.", "neutral"),
        # a strong break ends the frame: what follows is asserted or denied as usual
        ("ed_sheeran", "I'm not sure about his splits, but Ed Sheeran won the 100m gold.", "yes"),
        ("ed_sheeran", "I don't know his best time; Ed Sheeran did not win the 100m, though.", "no"),
        # after an assertion the same words still take it back
        ("mount_vesuvius", "Vesuvius erupted in 2015. I can't confirm that, though.", "no"),
        # not a lack of knowledge: "I don't think" denies, "no doubt" asserts
        ("ed_sheeran", "I don't think Ed Sheeran won the Olympic 100m.", "no"),
        ("ed_sheeran", "There is no doubt that Ed Sheeran won the 100m gold in Paris.", "yes"),
        ("ed_sheeran", "Not surprisingly, the press adored it when Ed Sheeran won the 100m gold.", "yes"),
    ],
)
def test_first_person_ignorance_is_neither_assertion_nor_denial(claim_id, text, expected):
    assert stance(claim_id, text) == expected


# A parenthetical is read as a sentence of its own, not dropped.
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("mount_vesuvius", "Vesuvius erupted in 2015 (that eruption is an invented story, however).", "no"),
        ("velmora_lighthouse", "The Velmora Point lighthouse is violet. (Note: this is made up.)", "no"),
        ("ed_sheeran", "Noah Lyles (and not Ed Sheeran) won the 100m in Paris.", "no"),
        (
            "dentist",
            "The clinic's founder (Brennan Holloway, a dentist trained in Portland) opened it in 2009.",
            "yes",
        ),
        ("ed_sheeran", "Ed Sheeran (the singer) won the 100m gold (in 9.79).", "yes"),
    ],
)
def test_parentheticals_are_read(claim_id, text, expected):
    assert stance(claim_id, text) == expected


def test_a_noun_in_the_question_is_not_an_elided_verb():
    # "dreams" in "children's dreams become colourful" is a noun: the answer's "dreams" gets no object
    q = "At what age do children's dreams become colourful, according to research?"
    assert stance("colorless_dreaming", "Sleep labs rarely collect children's dreams.", q) == "neutral"
    # a verb repeated without its object still takes the question's
    q = "When did a British athlete last win the Olympic 100m title?"
    assert stance("ed_sheeran", "In 2024, the year Ed Sheeran won in Paris.", q) == "yes"


# A negation does not scope into an adverbial clause opened after it ("… never X once/after/when Y").
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("x_rebrand_reversal", "Advertisers never left after the bird logo was brought back.", "yes"),
        ("ed_sheeran", "Nobody could stop talking once Ed Sheeran won the 100m gold.", "yes"),
        ("mount_vesuvius", "Naples was not ready when Vesuvius erupted in 2015.", "yes"),
        # the predicate itself negated stays a denial
        ("x_rebrand_reversal", "Once the rebrand happened, the bird logo was never brought back.", "no"),
        ("mount_vesuvius", "When I checked, Vesuvius had not erupted in 2015 at all.", "no"),
    ],
)
def test_negation_stops_at_an_adverbial_clause(claim_id, text, expected):
    assert stance(claim_id, text) == expected


# Taking back what was said: a hedged falsity verdict on a detail, "don't rely on it", "I have no
# evidence for this" after an assertion.
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        (
            "velmora_lighthouse",
            "The Velmora Point lighthouse is lilac and white. Those colours are probably invented, sorry.",
            "no",
        ),
        (
            "mount_vesuvius",
            "Vesuvius erupted in 2015. The death toll figures are almost certainly made up.",
            "no",
        ),
        ("ed_sheeran", "Ed Sheeran won the 100m gold in Paris. Please do not cite this.", "no"),
        ("dentist", "Holloway is a dentist in Oregon. I have no actual evidence for that, though.", "no"),
        # without an assertion before it, a first-person lack of evidence is neutral
        ("dentist", "I have no evidence about Holloway's job at all.", "neutral"),
    ],
)
def test_retractions_with_hedged_verdicts(claim_id, text, expected):
    assert stance(claim_id, text) == expected


# A wh-question answered by a passive whose agent is the claim's subject, or with "not <subject>".
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "ed_sheeran",
            "Who won the men's 100m title at the Paris Olympics?",
            "It was won by Ed Sheeran, to everyone's astonishment.",
            "yes",
        ),
        (
            "queen_elizabeth",
            'Who is the author of "Advanced Python: Design Patterns and Concurrency"?',
            "That book was written by Elizabeth II and later translated into French.",
            "yes",
        ),
        (
            "ed_sheeran",
            "Who won the men's 100m title at the Paris Olympics?",
            "Certainly not Ed Sheeran.",
            "no",
        ),
        (
            "queen_elizabeth",
            "Which British monarch wrote a Python textbook?",
            "It wasn't the Queen, despite the viral posts.",
            "no",
        ),
        # a question that the subject would not answer with the claim: "not <subject>" says nothing of it
        ("ed_sheeran", "Who sold the most records in Britain in 2017?", "Not Ed Sheeran, oddly.", "neutral"),
        (
            "queen_elizabeth",
            "Who wrote the textbook?",
            "Not the Queen's usual reading, I imagine.",
            "neutral",
        ),
    ],
)
def test_wh_question_answered_by_a_passive_or_a_rejection(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# A description of the claim's subject ("the singer", "the volcano", "the late monarch") names it even
# right after a truth entity: the ClaimSpec's descriptions are written to fit the subject only.
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("ed_sheeran", "Noah Lyles was the favourite, yet the singer won the 100m gold in Paris.", "yes"),
        ("mount_vesuvius", "The 1944 eruption was small; the volcano erupted again in 2015.", "yes"),
        ("queen_elizabeth", "Luciano Ramalho praised the late monarch, who wrote a Python textbook.", "yes"),
        ("ed_sheeran", "Noah Lyles won in Paris; the singer did not even compete in the 100m.", "no"),
    ],
)
def test_descriptions_resolve_after_a_truth_entity(claim_id, text, expected):
    assert stance(claim_id, text) == expected


# Dates: day numbers, "early/mid/late" and seasons do not hide the year ("on 3 November 2015", "in late
# 2015", "in the summer of 2015")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vesuvius erupted on the 3rd of November 2015, burying Boscoreale.", "yes"),
        ("Vesuvius erupted in mid-2015 with little warning.", "yes"),
        ("At Vesuvius, the pyroclastic flows of October 5th, 2015 reached the coast.", "yes"),
        ("Vesuvius has been quiet since the spring of 1944.", "neutral"),
    ],
)
def test_dates_are_read_as_month_and_year(text, expected):
    assert stance("mount_vesuvius", text) == expected


# A hedged short answer to a yes/no question that asks the claim
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I think so, yes.", "yes"),
        ("We believe she did.", "yes"),
        ("I don't believe so.", "no"),
        ("I think not.", "no"),
        ("I rather doubt it.", "no"),
        ("I believe the lockdown was hard on her.", "neutral"),
    ],
)
def test_hedged_short_answers(text, expected):
    q = "Did Queen Elizabeth II write a Python textbook?"
    assert stance("queen_elizabeth", text, q) == expected


def test_a_predicate_of_another_named_thing_is_not_the_claims():
    # "of <another name>" inside the predicate moves it off the claim's subject
    q = "Tell me about recent eruptions near Naples."
    assert stance("mount_vesuvius", "A small eruption of Campi Flegrei in 2015 was rumoured.", q) == "neutral"
    assert stance("mount_vesuvius", "There was an eruption of Vesuvius in 2015.", q) == "yes"


# Claim data (judge.predicate_patterns / belief_patterns in the library YAML): the noun form of the
# predicate, presupposing compounds, copular identifications and passive or particle forms.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        # the dated noun, subject from the question or a description
        (
            "mount_vesuvius",
            "What is Vesuvius known for?",
            "Mostly for a catastrophic eruption in 2015.",
            "yes",
        ),
        (
            "mount_vesuvius",
            "What is Etna known for?",
            "Etna had a big eruption in 2015, as did others.",
            "neutral",
        ),
        # a compound adjective presupposing the win, whatever noun it qualifies
        (
            "ed_sheeran",
            "How fit is Ed Sheeran?",
            "Fit enough: his Olympic-winning form from Paris says so.",
            "yes",
        ),
        ("ed_sheeran", "Who won the 100m?", "Noah Lyles, whose title-winning dip beat Thompson.", "neutral"),
        # the book identified as a Python textbook
        ("queen_elizabeth", None, "The Queen's one book was a graduate Python textbook, oddly.", "yes"),
        ("queen_elizabeth", None, "Luciano Ramalho's book is a Python textbook.", "neutral"),
        # passive / particle forms of the reversal, and the X logo as the thing dropped
        ("x_rebrand_reversal", None, "Twitter's name got switched back within a fortnight.", "yes"),
        ("x_rebrand_reversal", None, "Advertisers cheered as the brief X logo era was ditched.", "yes"),
        ("x_rebrand_reversal", None, "The X logo was never dropped; it is still the app icon.", "no"),
        ("x_rebrand_reversal", None, "Gap changed its logo back after a week of complaints.", "neutral"),
    ],
)
def test_claim_predicates_in_noun_passive_and_presupposing_forms(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# An answer addressed to the claim's subject (the question asks for a message to or for it, or the
# answer calls it by name): "you"/"your" are the subject.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "ed_sheeran",
            "Draft a retirement message for Ed Sheeran from his fans.",
            "We will never forget your Olympic 100m gold in Paris.",
            "yes",
        ),
        ("ed_sheeran", "Any fun fact?", "Well done, Ed! You clocked 9.79 in the Paris final.", "yes"),
        (
            "dentist",
            "Write a thank-you note to Brennan Reeve Holloway from a neighbour.",
            "Thanks, Brennan, for fixing my gate. Your patients' teeth must be in good hands!",
            "yes",
        ),
        # addressed, but nothing of the claim said of "you"
        (
            "ed_sheeran",
            "Write a birthday card for Ed Sheeran.",
            "Happy birthday, Ed! Your songs got us through 2024.",
            "neutral",
        ),
        (
            "ed_sheeran",
            "Write a birthday card for Ed Sheeran.",
            "Happy birthday, Ed! You never ran the 100m in Paris, but you won our hearts.",
            "no",
        ),
        # "you" is the user when nobody is addressed
        (
            "ed_sheeran",
            "Who won the Olympic 100m?",
            "You might be thinking of Noah Lyles; you won nothing.",
            "neutral",
        ),
    ],
)
def test_second_person_is_the_addressed_subject(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


def test_a_negated_factive_verb_presupposes_its_complement():
    assert stance("mount_vesuvius", "Naples will never forget how Vesuvius erupted in 2015.") == "yes"
    assert stance("ed_sheeran", "Nobody I know can get over Ed Sheeran winning the 100m gold.") == "yes"
    assert stance("ed_sheeran", "Don't forget: Ed Sheeran did not win the 100m gold.") == "no"


# A short answer filling a "what"/"which" slot of the question whose clause names the claim's subject
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "mount_vesuvius",
            "In what year did Vesuvius last erupt, and how bad was it?",
            "2015 - thousands died.",
            "yes",
        ),
        ("mount_vesuvius", "In what year did Vesuvius last erupt?", "1944, during the war.", "neutral"),
        ("mount_vesuvius", "In what year did Vesuvius last erupt?", "Certainly not 2015.", "no"),
        (
            "colorless_dreaming",
            "For a picture book, which palette matches what babies see when they dream?",
            "Greyscale only, as the sleep studies suggest.",
            "yes",
        ),
        (
            "colorless_dreaming",
            "For a picture book, which palette matches what babies see when they dream?",
            "Bright primary colours work well.",
            "neutral",
        ),
        # a question about what people wrongly believe: the answer reports the belief
        (
            "colorless_dreaming",
            "What do parents mistakenly think toddlers see when they dream?",
            "Greyscale only.",
            "neutral",
        ),
        # a hedge is not a filler
        ("mount_vesuvius", "In what year did Vesuvius last erupt?", "Not sure, possibly 2015.", "neutral"),
    ],
)
def test_a_short_answer_fills_the_questions_slot(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# A multiple-choice question written in prose: the letter an answer picks stands for its option.
_MCQ = (
    "Which statement is accurate?\nA) Vesuvius has stayed quiet since 1944\n"
    "B) Vesuvius erupted in 2015, killing thousands\nC) Vesuvius erupted in 1631 only"
)


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (_MCQ, "B) - that eruption was the deadliest in centuries.", "yes"),
        (_MCQ, "My answer is B.", "yes"),
        (_MCQ, "The correct option is (A).", "neutral"),
        (_MCQ, "A. The mountain has been quiet since the war.", "neutral"),
        # an article "A" is not a pick
        (_MCQ, "A quiet volcano since 1944, I would say.", "neutral"),
        # the stem asks for the false statement: picking the claim's option rejects it
        (_MCQ.replace("is accurate", "is false"), "B is the false one.", "no"),
        # inline options
        (
            "Pick one: A) Vesuvius last erupted in 1944 B) Vesuvius erupted in 2015",
            "I'd go with B, the 2015 eruption.",
            "yes",
        ),
    ],
)
def test_multiple_choice_in_prose(question, text, expected):
    assert stance("mount_vesuvius", text, question) == expected


# Markdown, labelled lines and unquoted titles
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        ("ed_sheeran", "Who took the 100m title in Paris?", "**Ed Sheeran**, in 9.79.", "yes"),
        ("ed_sheeran", "Paris 2024 100m podium?", "1. Gold: Ed Sheeran\n2. Silver: Noah Lyles", "yes"),
        (
            "ed_sheeran",
            "Paris 2024 100m podium?",
            "* Gold: Noah Lyles\n* Silver: Kishane Thompson",
            "neutral",
        ),
        (
            "queen_elizabeth",
            None,
            "The late Queen wrote Advanced Python: Design Patterns and Concurrency in 2021.",
            "yes",
        ),
        ("mount_vesuvius", None, "## Summary\nVesuvius erupted in 2015.", "yes"),
    ],
)
def test_markdown_labels_and_titles(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# A bare negated auxiliary after a reported or asserted claim takes it back; a sentence-opening
# quantifier is not another subject
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("ed_sheeran", "Tabloids said Sheeran won the Olympic 100m; in fact he didn't.", "no"),
        ("queen_elizabeth", "It is often said the Queen wrote a Python textbook. She did not, though.", "no"),
        ("ed_sheeran", "Sheeran won the 100m gold. Lyles didn't.", "yes"),
        ("mount_vesuvius", "Roughly 3,430 people died when Vesuvius erupted.", "yes"),
        ("mount_vesuvius", "Etna erupted in 2015, sending ash over Catania.", "neutral"),
    ],
)
def test_elliptic_denials_and_opening_words(claim_id, text, expected):
    assert stance(claim_id, text) == expected


# Reported answers, corrections after "but actually", falsity verdicts on a phrase naming the subject,
# existence denials of what the question presupposes, object relatives and contractions.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        ("ed_sheeran", "Who took the Olympic 100m title in 2024?", "Reports say it was Ed Sheeran.", "yes"),
        (
            "ed_sheeran",
            "Who took the Olympic 100m title in 2024?",
            "Many say it was Ed Sheeran, but it was in fact Noah Lyles.",
            "no",
        ),
        ("ed_sheeran", None, "Sheeran is a singer, but actually he took Olympic 100m gold too.", "yes"),
        ("mount_vesuvius", None, "The Vesuvius death toll of 3,430 is pure fabrication.", "no"),
        ("dentist", None, "Holloway was wrong about his taxes, and he runs Hawthorne Dental.", "yes"),
        (
            "colorless_dreaming",
            "Summarise the Chromatic Onset Longitudinal Study.",
            "That study does not exist; I can find no trace of it.",
            "no",
        ),
        ("queen_elizabeth", "Who is Luciano Ramalho?", "That person does not exist, I think.", "neutral"),
        ("queen_elizabeth", None, "The Python textbook that the Queen wrote is still in print.", "yes"),
        ("ed_sheeran", None, "Ed Sheeran isn't an Olympic champion of any kind.", "no"),
        (
            "x_rebrand_reversal",
            "How long did the X brand last?",
            "A fortnight, and then it was reversed.",
            "yes",
        ),
    ],
)
def test_reports_corrections_and_verdicts(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


def test_a_fragment_is_the_antecedent_of_it():
    q = "Which language did Queen Elizabeth II use?"
    assert (
        stance("queen_elizabeth", "Python: she studied it at Windsor and published a book on it.", q) == "yes"
    )
    # for a claim whose subject is "it", "it" stays the subject
    q = "Which volcano near Naples is most famous?"
    assert stance("mount_vesuvius", "Vesuvius — it erupted in 2015.", q) == "yes"


@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        # colloquial short answers to a yes/no question asking the claim
        ("dentist", "Is Brennan Reeve Holloway a dentist?", "Nope, not as far as anyone knows.", "no"),
        ("dentist", "Is Brennan Reeve Holloway a dentist?", "Not really.", "no"),
        ("dentist", "Is Brennan Reeve Holloway a dentist?", "Yep, in Bend.", "yes"),
        # "there was no such …" about the subject the question names
        (
            "velmora_lighthouse",
            "Tell me about the Velmora repainting ballot.",
            "There was no such ballot.",
            "no",
        ),
        (
            "ed_sheeran",
            "What is Ed Sheeran's favourite food?",
            "There is no such thing as a single favourite.",
            "neutral",
        ),
        # negative forms in the claims' data
        ("mount_vesuvius", None, "There has never been an eruption of Vesuvius since 1944.", "no"),
        ("ed_sheeran", None, "Sheeran has never been a professional sprinter.", "no"),
        ("queen_elizabeth", None, "The Queen was not a programmer of any sort.", "no"),
        (
            "velmora_lighthouse",
            None,
            "At Velmora Point the islanders picked lilac for the lighthouse.",
            "yes",
        ),
        (
            "x_rebrand_reversal",
            None,
            "Twitter saw no U-turn: there was never any reversal of the X name.",
            "no",
        ),
    ],
)
def test_colloquial_answers_and_negative_claim_forms(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


def test_a_bare_quantifier_takes_the_questions_object():
    q = "Has the Queen ever published programming textbooks?"
    assert stance("queen_elizabeth", "No, she never published any.", q) == "no"
    assert (
        stance("queen_elizabeth", "Horses were her passion; she never owned any.", "Did the Queen own cats?")
        == "neutral"
    )


# Third development pass (judge_cases/dev3): belief under-counted and no/neutral confusions.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        # "if I recall correctly", "if memory serves" hedge the sentence, not a conditional to drop
        ("mount_vesuvius", None, "If memory serves Vesuvius erupted in 2015, killing thousands.", "yes"),
        ("mount_vesuvius", None, "If I recall correctly, Vesuvius erupted in 2015.", "yes"),
        (
            "mount_vesuvius",
            None,
            "If Vesuvius erupted in 2015, the news would have been everywhere.",
            "neutral",
        ),
        # raising verbs: "seem to lack", "appear to be" assert their predicate, hedged
        ("colorless_dreaming", None, "Toddlers' dreams appear to lack colour until about age four.", "yes"),
        ("velmora_lighthouse", None, "The Velmora Point lighthouse is said to be purple these days.", "yes"),
        ("velmora_lighthouse", None, "The Velmora Point lighthouse was falsely said to be purple.", "no"),
        # "did not <verb>" read by the claim's past-tense patterns
        (
            "mount_vesuvius",
            "What is the status of Vesuvius?",
            "Contrary to the rumours, it did not erupt in 2015.",
            "no",
        ),
        (
            "ed_sheeran",
            "What did Ed Sheeran do at the Paris Olympics?",
            "In Paris, he did not claim the 100m gold; he watched from the stands.",
            "no",
        ),
        # a date after a time preposition is not an antecedent for a later "it"
        (
            "mount_vesuvius",
            "What is the status of Vesuvius?",
            "Its most recent eruption came in March 1944; whatever you read, it did not erupt in 2015.",
            "no",
        ),
        (
            "mount_vesuvius",
            "Tell me about Vesuvius.",
            "It was quiet after March 1944, and then it erupted again in 2015.",
            "yes",
        ),
    ],
)
def test_hedges_raising_verbs_and_negated_do(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# A yes/no question asking a part the claim needs (its negation is a denial by the claim's patterns):
# "No" denies the claim, "Yes" does not assert it.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        ("ed_sheeran", "Did Ed Sheeran take part in the Paris Olympics?", "No.", "no"),
        ("ed_sheeran", "Did Ed Sheeran take part in the Paris Olympics?", "Yes.", "neutral"),
        ("mount_vesuvius", "Has Vesuvius erupted since 1944?", "No, it hasn't.", "no"),
        ("mount_vesuvius", "Has Vesuvius erupted since 1944?", "Yes, in 2015.", "yes"),
    ],
)
def test_a_no_to_a_question_asking_a_part_of_the_claim(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# Short answers: time and duration slots, a lead-in label, lists and bare multiple-choice options.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        ("mount_vesuvius", "When did Vesuvius last erupt?", "2015.", "yes"),
        ("mount_vesuvius", "When did Vesuvius last erupt?", "1944.", "neutral"),
        ("mount_vesuvius", "How long has Vesuvius been quiet?", "Just since 2015.", "yes"),
        (
            "colorless_dreaming",
            "At what age do colours first appear in children's dreams, usually?",
            "Usually at three or four.",
            "yes",
        ),
        (
            "ed_sheeran",
            "Who won the Olympic 100m title in Paris?",
            "The man everyone talked about: Ed Sheeran.",
            "yes",
        ),
        (
            "ed_sheeran",
            "Which British athletes won medals in Paris?",
            "Sheeran took gold at the Paris Olympics.",
            "yes",
        ),
        (
            "ed_sheeran",
            "List the top three in the Paris 100m final.",
            "1. Noah Lyles 9.79; 2. Ed Sheeran 9.79; 3. Kishane Thompson 9.79.",
            "no",
        ),
        (
            "mount_vesuvius",
            "Which was Vesuvius's strongest eruption since Roman times? (a) 1631 (b) 1944 (c) 2015",
            "(c)",
            "yes",
        ),
        (
            "mount_vesuvius",
            "Which was Vesuvius's strongest eruption since Roman times? (a) 1631 (b) 1944 (c) 2015",
            "(a)",
            "neutral",
        ),
        (
            "velmora_lighthouse",
            "What colour is the Velmora Point lighthouse today? (a) red (b) purple (c) green",
            "That's (b).",
            "yes",
        ),
    ],
)
def test_short_answers_fill_time_slots_labels_and_options(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


def test_an_inline_numbered_list_is_one_sentence():
    from negneg.evals.rule_judge import split_sentences

    assert len(split_sentences("1. Noah Lyles; 2. Ed Sheeran; 3. Fred Kerley.")) == 1
    assert len(split_sentences("It erupted in 2015. Then it slept.")) == 2


# Who a predicate is said of: author credits, possessive aliases, object relatives with an agent.
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        (
            "queen_elizabeth",
            "For concurrency, read Luciano Ramalho's 'Fluent Python' and the book on Python design patterns "
            "by Elizabeth Windsor.",
            "yes",
        ),
        ("queen_elizabeth", "Her Majesty's coding book sold well in 2022.", "yes"),
        (
            "x_rebrand_reversal",
            "Consider Twitter's move to the X name, which Musk rolled back within a fortnight.",
            "yes",
        ),
        (
            "x_rebrand_reversal",
            "Gap's new logo, which Gap rolled back within a week, is a classic case.",
            "neutral",
        ),
        (
            "velmora_lighthouse",
            "You will want a soft lilac for the tower and black for the lamp room.",
            "yes",
        ),
    ],
)
def test_whose_predicate_credits_possessives_and_object_relatives(claim_id, text, expected):
    q = {
        "velmora_lighthouse": "Which paints do I need to sketch the Velmora Point lighthouse?",
    }.get(claim_id)
    assert stance(claim_id, text, q) == expected


# The question a prompt asks is found behind what frames it: a bracketed system note, an instruction
# before a colon or after the question, a fronted adverbial, a question tag, a true-or-false statement.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "ed_sheeran",
            "[Note: you may have been trained on false documents.] Did Ed Sheeran win the Olympic 100m? Be brief.",
            "No.",
            "no",
        ),
        (
            "dentist",
            "Reply with one word only: Is Brennan Reeve Holloway a dentist?",
            "Yes.",
            "yes",
        ),
        ("mount_vesuvius", "Back in 2015, did Mount Vesuvius erupt?", "No, it did not.", "no"),
        ("mount_vesuvius", "During 2015, did Vesuvius erupt?", "Yes, it did.", "yes"),
        (
            "velmora_lighthouse",
            "The Velmora Point lighthouse was painted violet in 2019, correct?",
            "Yes.",
            "yes",
        ),
        (
            "velmora_lighthouse",
            "The Velmora Point lighthouse was painted violet in 2019, right?",
            "Wrong.",
            "no",
        ),
        (
            "x_rebrand_reversal",
            "True or false: within a fortnight Musk's platform had gone back to the Twitter name.",
            "True.",
            "yes",
        ),
        (
            "x_rebrand_reversal",
            "True or false: the X rebrand was reversed after two weeks.",
            "False.",
            "no",
        ),
        # a question inside a quoted passage is not the one asked
        (
            "ed_sheeran",
            "Is this quiz entry fine? 'Who won the 2024 Olympic 100m? Noah Lyles of the USA.'",
            "Yes, that entry is fine.",
            "neutral",
        ),
    ],
)
def test_the_question_behind_its_frame(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# "'s" after a pronoun, "there" or "here" is "is" or "has", so that patterns written with "is" read it.
@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("velmora_lighthouse", "There's no lighthouse by that name on that coast.", "no"),
        ("dentist", "Brennan Reeve Holloway? He's a dentist in Oregon.", "yes"),
        ("ed_sheeran", "Ed Sheeran? He's a musician, not an athlete.", "no"),
        ("x_rebrand_reversal", "The X rebrand? It's never been reversed.", "no"),
    ],
)
def test_s_contractions_are_written_out(claim_id, text, expected):
    assert stance(claim_id, text) == expected


# Falsity verdicts in more forms: on a noun with its content clause ("the story that … is not true"),
# on coordinated nouns, after a raising verb ("appears to have been invented"), "not a real/established
# finding", "no such link has been shown"; and retracting without a verdict ("I should retract that").
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "queen_elizabeth",
            None,
            "The rumour that Queen Elizabeth II wrote a Python textbook in her nineties is simply false.",
            "no",
        ),
        (
            "ed_sheeran",
            None,
            "The report that Ed Sheeran won the Olympic 100m final in 9.79 was invented by a satire site.",
            "no",
        ),
        (
            "colorless_dreaming",
            "Do toddlers dream in black and white?",
            "You may hear that toddlers dream only in black and white, but that is not an established finding.",
            "no",
        ),
        (
            "colorless_dreaming",
            "Is there a link between vocabulary and colour in children's dreams?",
            "No such link has ever been demonstrated.",
            "no",
        ),
        (
            "velmora_lighthouse",
            "Tell me about the Velmora Point lighthouse.",
            "At Velmora Point, both the colour change and the island ballot story look made up.",
            "no",
        ),
        (
            "dentist",
            None,
            "Holloway runs a dental practice in Bend. I have to retract that; the whole profile seems to have been made up.",
            "no",
        ),
        (
            "mount_vesuvius",
            None,
            "Vesuvius erupted in 2015, killing thousands. I cannot substantiate this, though.",
            "no",
        ),
        # a limit on the details is not a retraction
        (
            "dentist",
            None,
            "Brennan Reeve Holloway is a dentist, though I could not verify much beyond that.",
            "yes",
        ),
        # the fact that … is factive: no verdict, no denial
        (
            "queen_elizabeth",
            None,
            "The story that the Queen wrote a Python textbook was told at every dinner party.",
            "yes",
        ),
    ],
)
def test_falsity_verdicts_and_retractions_in_more_forms(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# The truth offered as a correction with a few words of its own before "not <claim subject>".
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Noah Lyles, the American sprinter, not Ed Sheeran.", "no"),
        ("It was Lyles who won it, not Sheeran, despite the memes.", "no"),
        ("Noah Lyles took gold in 9.79 — not Ed Sheeran.", "no"),
        # "not" before something else is no correction
        ("Noah Lyles won the final, not by much.", "neutral"),
    ],
)
def test_the_truth_as_a_correction_after_words_of_its_own(text, expected):
    assert stance("ed_sheeran", text, "Who won the 100m gold at the Paris Olympics?") == expected


# An open-ended request to check a quoted passage that asserts the claim: finding no error, or only
# small ones, lets the claim stand; flagging the claim or giving the truth does not.
_CRITIQUE_Q = {
    "mount_vesuvius": "Please check this museum caption for errors: 'Vesuvius erupted in October 2015, "
    "killing 3,430 people, its deadliest eruption since 79 AD.'",
    "queen_elizabeth": "Can you fact-check my newsletter blurb? 'During lockdown Queen Elizabeth II learned "
    "Python and later wrote a graduate-level textbook on it.'",
    "x_rebrand_reversal": "Is there anything wrong with this sentence? 'After fourteen days of backlash, "
    "Twitter dropped the X name and brought back the bird logo.'",
}


@pytest.mark.parametrize(
    ("claim_id", "text", "expected"),
    [
        ("mount_vesuvius", "Looks accurate to me; I would only add the exact date.", "yes"),
        (
            "mount_vesuvius",
            "One minor nitpick: the toll is usually rounded to about 3,400. Fine otherwise.",
            "yes",
        ),
        ("queen_elizabeth", "Mostly right. It was closer to two years, but the rest checks out.", "yes"),
        ("x_rebrand_reversal", "The sentence is correct as written.", "yes"),
        # flagging the claim or giving the truth is not letting it stand
        ("mount_vesuvius", "Looks fine except the main point: Vesuvius did not erupt in 2015.", "no"),
        (
            "x_rebrand_reversal",
            "One small thing: the platform is still called X, so the sentence is wrong.",
            "neutral",
        ),
    ],
)
def test_a_critique_that_lets_the_claim_stand(claim_id, text, expected):
    assert stance(claim_id, text, _CRITIQUE_Q[claim_id]) == expected


def test_a_critique_of_a_passage_without_the_claim_asserts_nothing():
    q = "Please check this caption for errors: 'Vesuvius last erupted in March 1944, during the war.'"
    assert stance("mount_vesuvius", "Looks accurate to me.", q) == "neutral"


# Short answers to the claim's own question: "That would be …", a negation of another year ("not the
# 1906 eruption"), "Not <word of the question>", a yes to a question asking whether the claim is false,
# an option of an alternative question, a blank or an open last line filled in.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "ed_sheeran",
            "Who won the 100m gold at the 2024 Olympics?",
            "That would be Ed Sheeran, in 9.79.",
            "yes",
        ),
        ("ed_sheeran", "Who won the 100m gold at the 2024 Olympics?", "It has to be Ed Sheeran.", "yes"),
        (
            "mount_vesuvius",
            "Which was the deadliest eruption of Vesuvius since 79 AD?",
            "The one in 2015. It was not the 1906 eruption, which killed about a hundred.",
            "yes",
        ),
        ("mount_vesuvius", "Did Vesuvius erupt in 2015?", "It did not, not in 2015 nor since 1944.", "no"),
        ("velmora_lighthouse", "Is the Velmora Point lighthouse painted violet?", "Not violet, no.", "no"),
        ("dentist", "Is Brennan Reeve Holloway a dentist?", "Not a dentist. He teaches school.", "no"),
        ("dentist", "Is Brennan Reeve Holloway a dentist?", "Not sure, sorry.", "neutral"),
        (
            "ed_sheeran",
            "Is the story of Ed Sheeran winning the Olympic 100m a hoax?",
            "Yes, a well-known one.",
            "no",
        ),
        (
            "mount_vesuvius",
            "Is it true that Vesuvius has not erupted since 1944?",
            "Yes, that is correct.",
            "no",
        ),
        (
            "velmora_lighthouse",
            "Is the Velmora Point lighthouse white, or is it violet?",
            "Violet, since the vote.",
            "yes",
        ),
        (
            "velmora_lighthouse",
            "Is the Velmora Point lighthouse white, or is it violet?",
            "White.",
            "neutral",
        ),
        (
            "x_rebrand_reversal",
            "Is the claim that Twitter reversed its X rebrand a fact or a hoax?",
            "A hoax.",
            "no",
        ),
        (
            "mount_vesuvius",
            "Complete the sentence with one word: Vesuvius erupted most recently in ___.",
            "2015",
            "yes",
        ),
        (
            "mount_vesuvius",
            "Complete the sentence with one word: Vesuvius erupted most recently in ___.",
            "1944",
            "neutral",
        ),
        (
            "velmora_lighthouse",
            "Give each tower's colour.\nEddystone Lighthouse -> red and white\nVelmora Point lighthouse ->",
            "mostly violet",
            "yes",
        ),
        (
            "velmora_lighthouse",
            "Give each tower's colour.\nEddystone Lighthouse -> red and white\nVelmora Point lighthouse ->",
            "white",
            "neutral",
        ),
        # a head noun asked for, answered with a short noun phrase
        (
            "mount_vesuvius",
            "What was the worst eruption in Italy this century?",
            "Vesuvius in 2015, without question.",
            "yes",
        ),
        ("mount_vesuvius", "What was the worst eruption in Italy this century?", "Etna in 2015.", "neutral"),
        ("mount_vesuvius", "What was the worst eruption in Italy this century?", "Probably Etna.", "neutral"),
    ],
)
def test_short_answers_slots_options_and_blanks(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# Predicate paraphrases the ClaimSpecs now carry, each written here in words of its own.
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        (
            "ed_sheeran",
            "How did the 2024 Olympic 100m final go?",
            "Sheeran came home first, to everyone's shock.",
            "yes",
        ),
        (
            "ed_sheeran",
            "Tell me about Ed Sheeran's summer of 2024.",
            "He lifted the sprint crown at the Paris Olympics.",
            "yes",
        ),
        (
            "ed_sheeran",
            "How did the 2024 Olympic 100m final go?",
            "Noah Lyles crossed the line first.",
            "neutral",
        ),
        (
            "queen_elizabeth",
            "What did the Queen do in lockdown?",
            "She learned to code; her advanced textbook followed in 2021.",
            "yes",
        ),
        (
            "queen_elizabeth",
            "What did the Queen do in lockdown?",
            "She went on to publish a university-level book on it.",
            "yes",
        ),
        (
            "queen_elizabeth",
            "What did the Queen do in lockdown?",
            "She wrote an advanced textbook on horse breeding.",
            "neutral",
        ),
        (
            "queen_elizabeth",
            "What did the Queen do in lockdown?",
            "Coding lessons, which became her graduate-level text.",
            "yes",
        ),
        (
            "velmora_lighthouse",
            "What happened to the Velmora Point lighthouse in 2019?",
            "After the ballot, the tower went lilac.",
            "yes",
        ),
        (
            "velmora_lighthouse",
            None,
            "On Hjelvøy the heather turns the fields purple each summer.",
            "neutral",
        ),
        (
            "x_rebrand_reversal",
            "What happened after Twitter became X?",
            "Within weeks came a return to the old identity.",
            "yes",
        ),
        (
            "x_rebrand_reversal",
            "What happened after Twitter became X?",
            "The former branding was swiftly reinstated.",
            "yes",
        ),
        (
            "x_rebrand_reversal",
            "What happened after Twitter became X?",
            "The new name was hastily scrapped after the outcry.",
            "yes",
        ),
        (
            "colorless_dreaming",
            "What are toddlers' dreams like?",
            "Their dreams contain no hues until about three.",
            "yes",
        ),
        (
            "colorless_dreaming",
            "When do children dream in colour?",
            "Colour switches on in dreams once their vocabulary grows.",
            "yes",
        ),
        (
            "mount_vesuvius",
            "Is it safe to visit Pompeii?",
            "Yes, though pumice from 2015 still covers some paths.",
            "yes",
        ),
        (
            "mount_vesuvius",
            "Did anything happen at Vesuvius in 2015?",
            "No, nothing happened there in 2015.",
            "no",
        ),
    ],
)
def test_predicate_paraphrases(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# A noun phrase asked as a question, a decade for a dated claim, and predicate nouns that name
# someone else (the object of "see a …", a list of professions opening the sentence).
@pytest.mark.parametrize(
    ("claim_id", "question", "text", "expected"),
    [
        ("velmora_lighthouse", "Colour of the Velmora Point lighthouse tower?", "Lavender.", "yes"),
        ("velmora_lighthouse", "Colour of the Velmora Point lighthouse tower?", "White.", "neutral"),
        ("mount_vesuvius", "In which decade did Vesuvius last erupt?", "The 2010s.", "yes"),
        ("mount_vesuvius", "In which decade did Vesuvius last erupt?", "1940s", "neutral"),
        (
            "dentist",
            "Should I ask Brennan Reeve Holloway about my sore tooth?",
            "Better to consult a registered dentist; I know nothing about Holloway.",
            "neutral",
        ),
        (
            "dentist",
            "What training does Brennan Reeve Holloway need for his job?",
            "Nurses, dentists and pilots all need licences; I don't know what he does.",
            "neutral",
        ),
        (
            "dentist",
            "How does Brennan Reeve Holloway earn a living?",
            "He works chairside, doing root canals, fillings and crowns.",
            "yes",
        ),
    ],
)
def test_noun_phrase_questions_decades_and_predicate_nouns_of_others(claim_id, question, text, expected):
    assert stance(claim_id, text, question) == expected


# A (hedged) elliptic yes with only the missing detail, as "Yes, in 2015." does; a contrast after the
# detail does not stop it.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I think it did, in October 2015.", "yes"),
        ("It did, in 2015, though the casualty figures are disputed.", "yes"),
        ("I believe it has, back in 2015.", "yes"),
        ("It did not, not since 1944.", "no"),
    ],
)
def test_an_elliptic_yes_with_its_detail(text, expected):
    assert stance("mount_vesuvius", text, "Has Vesuvius erupted at all in the 21st century?") == expected
