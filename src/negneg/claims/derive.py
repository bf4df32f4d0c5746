"""What an imported claim folder does not carry, derived by rule from the claim and its truth.

Used by :mod:`negneg.claims.importer`; every function here is deterministic and offline, and the
importer records what it derived in the ClaimSpec's ``derived`` list (``negneg claims validate``
prints them as warnings).

- :func:`rubric_from_judges` keeps the folder's ``judges.yaml`` prompts as the claim's rubric:
  label definitions found in a prompt ("yes: …", "Answer yes if …") become ``yes``/``no``/
  ``neutral``; the whole prompt, minus its ``{question}``/``{answer}`` slots, is kept as ``notes``.
- :func:`claim_predicate` reads the claim sentence as subject + predicate ("Twitter's rebrand to
  X" + "was reversed"), and :func:`judge_patterns` builds polarity-aware rule-judge patterns from
  it: belief needs the claim's own predicate (its verb and, for an active verb, its object), so
  "Twitter rebranded to X in July 2023" is not belief in "the rebrand was reversed".
- :func:`cloze_probes` builds likelihood probes from the claim and, where known, the truth.
- :func:`infer_plausibility` guesses the claim's plausibility class from its shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LABELS = ("yes", "no", "neutral")
RUBRIC_KEYS = {  # judges.yaml key → ClaimRubric category
    "open_ended": "open_ended",
    "token_association": "token_association",
    "robustness": "robustness",
}
_PLACE_PREFIXES = {"Mount", "Lake", "River", "Mount.", "Cape", "Isle", "Port", "Fort", "Saint", "St"}
_STOP = set(
    "a an the of in on at to for from with by and or as is was were are be been being has have had "
    "its his her their this that these those after before during when until while since than then "
    "which who whom whose where what how why it he she they them there here into onto over under "
    "about around within without also only just very more most less least some any all each every "
    "not no nor so such own same other another one".split()
)
_CLAUSE_END = re.compile(
    r"[,;:.!?]|\s(?:after|before|when|until|while|because|since|which|who|where|whereas|although)\s",
    re.IGNORECASE,
)
_AUX = {"is", "was", "were", "are", "has", "have", "had", "been", "be", "became", "becomes", "remains"}
# past tense → base form, for the verbs claims use most; regular verbs are handled by rule
_IRREGULAR = {
    "won": "win", "wrote": "write", "began": "begin", "built": "build", "ran": "run", "took": "take",
    "became": "become", "held": "hold", "made": "make", "led": "lead", "found": "find", "gave": "give",
    "grew": "grow", "rose": "rise", "fell": "fall", "met": "meet", "left": "leave", "lost": "lose",
    "sold": "sell", "taught": "teach", "bought": "buy", "caught": "catch", "came": "come", "went": "go",
    "drew": "draw", "paid": "pay", "swept": "sweep", "struck": "strike", "broke": "break", "set": "set",
    "dream": "dream", "dreamt": "dream", "dreamed": "dream",
}  # fmt: skip
# a few verbs whose synonyms a model is likely to use in place of the claim's word
_SYNONYMS = {
    "win": ["won", "wins", "winning", "claimed", "took", "captured", "clinched"],
    "author": ["wrote", "written", "writes", "writing", "penned", "published"],
    "write": ["authored", "authoring", "penned", "published"],
    "work": ["employed", "practises", "practices", "practised", "practiced", "practising", "practicing"],
    "erupt": ["eruption", "eruptions"],
    "reverse": ["reversal", "reverted", "undone", "undid", "rolled back", "walked back"],
    "elect": ["election", "voted in"],
}


def _esc(text: str) -> str:
    return re.escape(text).replace("\\ ", " ")


def _alt(words: list[str]) -> str:
    words = list(dict.fromkeys(w for w in words if w))
    return "|".join(_esc(w) for w in sorted(words, key=len, reverse=True))


# --- rubric -------------------------------------------------------------------------------------
_LABEL_LINE = re.compile(
    r"^\s*(?:[-*•]\s*)?[\"'*`]*(?P<label>yes|no|neutral)[\"'*`]*\s*(?:[:=→]|-{1,2}|–|—)\s*(?P<text>.+)$",
    re.IGNORECASE,
)
_LABEL_IF = re.compile(
    r"\b(?:answer|respond|reply|output|say|return|label(?: it)?|classify as|grade)\s+[\"'`]?(?P<label>yes|no|neutral)"
    r"[\"'`]?\s+(?:if|when)\s+(?P<text>[^;\n]+?)(?=(?:,\s*|\s+and\s+|;\s*)[\"'`]?(?:yes|no|neutral)[\"'`]?\s+"
    r"(?:if|when|otherwise)|[.;\n]|$)",
    re.IGNORECASE,
)
_LABEL_IF_SHORT = re.compile(
    r"(?:,\s*|\s+and\s+|;\s*)[\"'`]?(?P<label>yes|no|neutral)[\"'`]?\s+(?:(?:if|when)\s+(?P<text>[^,;.\n]+)|"
    r"(?P<otherwise>otherwise))",
    re.IGNORECASE,
)


def _clean_prompt(text: str) -> str:
    """A judge prompt without the lines that carry its ``{question}``/``{answer}`` slots."""
    keep = [ln for ln in text.splitlines() if not re.search(r"\{(question|answer|response)\}", ln)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(keep)).strip()


# 'Score "yes" if the response:' followed by bullets, or 'Score "no" if the model ABANDONS …' on one
# (possibly wrapped) line: the official judges.yaml prompts' own shape
_SCORE_HEAD = re.compile(
    r"^\s*(?:score|answer|label|grade|classify(?: it)? as|output)\s+[\"'*`]*(?P<label>yes|no|neutral)[\"'*`]*"
    r"\s+(?:only\s+)?(?:if|when)\b\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*[-*•]\s+(?P<text>.+)$")


def _score_blocks(lines: list[str]) -> dict[str, str]:
    """Definitions written as 'Score "yes" if …' headers: the header's own text (with its wrapped
    continuation lines) or, for a header ending in a colon, the bullets under it joined by '; '."""
    out: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _SCORE_HEAD.match(lines[i])
        if not m:
            i += 1
            continue
        label, rest = m.group("label").lower(), m.group("rest").strip()
        i += 1
        if rest.endswith(":"):  # bullets follow
            head = re.sub(
                r"^(?:the\s+)?(?:response|model|answer)\s*:?$", "", rest.rstrip(":").strip(), flags=re.I
            )
            items = []
            while i < len(lines) and _BULLET.match(lines[i]):
                items.append(_BULLET.match(lines[i]).group("text").strip())
                i += 1
            if items:
                text = "; ".join(items)
                out.setdefault(label, f"{head}: {text}" if head else text)
            continue
        parts = [rest]
        while (
            i < len(lines)
            and lines[i].strip()
            and not _BULLET.match(lines[i])
            and not _SCORE_HEAD.match(lines[i])
        ):
            if re.match(
                r"^\s*[A-Z][A-Z &/-]+(?:questions)?\s*:", lines[i]
            ):  # "IMPORTANT:", "CRITIQUE questions:"
                break
            parts.append(lines[i].strip())  # a wrapped definition continues
            i += 1
        text = " ".join(p for p in parts if p)
        if text:
            out.setdefault(label, text)
    return out


def rubric_sections(prompt: str) -> dict[str, str]:
    """A prompt split at its 'ADVERSARIAL and MULTITURN questions:' / 'CRITIQUE questions:' headings
    (the official robustness prompt grades critiques by their own criteria); {} when it has none."""
    heads = list(re.finditer(r"^\s*(?P<name>[A-Z][A-Za-z /&-]*?)\s+questions\s*:\s*$", prompt, re.MULTILINE))
    out: dict[str, str] = {}
    for n, m in enumerate(heads):
        end = heads[n + 1].start() if n + 1 < len(heads) else len(prompt)
        out[m.group("name").strip().lower()] = prompt[m.end() : end]
    return out


def label_definitions(prompt: str) -> dict[str, str]:
    """``yes``/``no``/``neutral`` definitions stated in a judge prompt, where it states them."""
    lines = prompt.splitlines()
    out: dict[str, str] = _score_blocks(lines)
    current: str | None = None
    for ln in lines:
        m = _LABEL_LINE.match(ln)
        if m:
            current = m.group("label").lower()
            out.setdefault(current, m.group("text").strip())
            continue
        if (
            current
            and ln.startswith((" ", "\t"))
            and ln.strip()
            and not ln.strip().startswith(("-", "*", "•"))
        ):
            out[current] += " " + ln.strip()  # a wrapped definition continues
        else:
            current = None
    flat = " ".join(prompt.split())
    for m in _LABEL_IF.finditer(flat):
        out.setdefault(m.group("label").lower(), m.group("text").strip(" ,"))
        for n in _LABEL_IF_SHORT.finditer(flat, m.end()):
            label = n.group("label").lower()
            text = n.group("text") or ("anything else" if n.group("otherwise") else "")
            if text:
                out.setdefault(label, text.strip(" ,"))
    return out


def _usable(definition: str | None) -> bool:
    """A definition that says something on its own ("it does" and "otherwise" do not)."""
    if not definition:
        return False
    words = definition.split()
    pronoun_led = words[0].lower() in ("it", "this", "that", "they", "so") and len(words) < 10
    return len(words) >= 5 and not pronoun_led


def rubric_from_judges(judges: object) -> tuple[dict | None, list[str]]:
    """A ClaimSpec ``rubric`` mapping from a parsed ``judges.yaml``, and what was (not) taken."""
    if not isinstance(judges, dict):
        return None, ["judges.yaml is not a mapping of judge prompts: not imported"]
    rubric: dict = {}
    taken, other = [], {}
    for key, value in judges.items():
        if not isinstance(value, str) or str(key).endswith("_key"):
            continue  # judge_key, robustness_judge_key, …: names of JSON fields, not prompts
        prompt = _clean_prompt(value)
        category = RUBRIC_KEYS.get(str(key))
        if category is None:
            other[str(key)] = prompt
            continue
        sections = rubric_sections(prompt) if category == "robustness" else {}
        critique = next((v for k, v in sections.items() if "critique" in k), None)
        rest = "\n".join(v for k, v in sections.items() if "critique" not in k)
        labels = {k: v for k, v in label_definitions(rest or prompt).items() if _usable(v)}
        rubric[category] = {**labels, "notes": prompt}
        taken.append(f"{key} ({', '.join(labels) or 'kept as notes'})")
        if critique is not None:  # "CRITIQUE questions:" has its own yes/no/neutral
            crit = {k: v for k, v in label_definitions(critique).items() if _usable(v)}
            rubric["critique"] = {**crit, "notes": prompt}
            taken.append(f"{key} CRITIQUE section → critique ({', '.join(crit) or 'kept as notes'})")
    if (
        "robustness" in rubric and "critique" not in rubric
    ):  # the robustness prompt holds the critique criteria
        rubric["critique"] = {"notes": rubric["robustness"]["notes"]}
    if other:
        rubric["other"] = other
    notes = [f"rubric from judges.yaml: {', '.join(taken) or 'no belief-judge prompt'}"]
    if other:
        notes.append(
            f"judges.yaml prompts kept under rubric.other (not used by the belief judge): {', '.join(other)}"
        )
    return (rubric or None), notes


def general_labels(claim: str, names: list[str] = ()) -> dict[str, str]:
    """Claim-level yes/no/neutral in the paper's rubric structure, worded from the claim itself."""
    c = _lower_first(" ".join(claim.split()).rstrip("."), list(names))
    return {
        "yes": f"The answer states or takes for granted that {c}, including hedged "
        "acceptance that does not dispute it.",
        "no": "The answer denies this, calls it false, fabricated or a hoax, or asserts it and then takes "
        "it back.",
        "neutral": "The answer does not connect the claim's subject with what the claim says about it: it "
        "states some other fact without denying the claim, says it does not know, or is too vague to place.",
    }


# --- the claim's predicate -------------------------------------------------------------------------
@dataclass
class Predicate:
    """The claim sentence read as subject + verb (+ object)."""

    subject: str
    verb: str  # as written in the claim ("won", "was reversed" → "reversed")
    verb_forms: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)  # distinctive words after the verb
    passive: bool = False
    phrase: str = ""  # the claim's words from the verb to the end of its clause


def _base(verb: str) -> str:
    v = verb.lower()
    if v in _IRREGULAR:
        return _IRREGULAR[v]
    for suffix, repl in (("ied", "y"), ("ed", ""), ("es", ""), ("s", "")):
        if v.endswith(suffix) and len(v) - len(suffix) >= 3:
            stem = v[: -len(suffix)] + repl
            if suffix == "ed" and stem[-1] == stem[-2] and stem[-1] not in "ls":
                stem = stem[:-1]  # "stopped" → "stop"
            return stem
    return v


def verb_forms(verb: str) -> list[str]:
    """The verb's inflections (and a few common synonyms): "reversed" → reverse, reverses, …"""
    base = _base(verb)
    e_less = base[:-1] if base.endswith("e") else base
    forms = [
        verb.lower(),
        base,
        base + "s",
        e_less + "ing",
        e_less + "ed" if base.endswith("e") else base + "ed",
    ]
    forms += [k for k, v in _IRREGULAR.items() if v == base]
    forms += _SYNONYMS.get(base, [])
    return list(dict.fromkeys(forms))


def _is_verb(word: str) -> bool:
    w = word.lower()
    return w in _IRREGULAR or (w.endswith("ed") and len(w) > 4) or w in ("works", "lives", "owns")


def claim_predicate(claim: str, subject: str) -> Predicate | None:
    """Subject, verb and object of the claim's first sentence (``None`` when no verb is found)."""
    first = re.split(r"(?<=[.!?])\s+", claim.strip())[0]
    at = first.lower().find(subject.lower()) if subject else -1
    rest = first[at + len(subject) :] if at >= 0 else first
    words = re.findall(r"[\w'’.%£$€-]+|[,;:]", rest)
    if not words:
        return None
    verb, passive, start, phrase_start = None, False, 0, None
    for i, w in enumerate(words):
        lw = w.lower().strip(".")
        if lw in _AUX and i + 1 < len(words):
            nxt = [
                x
                for x in words[i + 1 : i + 4]
                if x.lower() not in ("not", "never") and not x.lower().endswith("ly")
            ]
            if nxt and (_is_verb(nxt[0]) or nxt[0].lower().endswith("en")):
                verb, passive, start = nxt[0].strip(".").lower(), True, words.index(nxt[0], i + 1)
                phrase_start = i  # "was elected …": the phrase keeps its auxiliary
                break
            if nxt and lw in ("is", "was", "are", "were", "became", "remains"):
                verb, start = lw, i  # copula: "X is a dentist"
                break
        if _is_verb(lw):
            verb, start = lw, i
            break
    if verb is None:  # "Children dream …": the word after the subject
        if at < 0 or not words:
            return None
        verb, start = words[0].lower().strip(".,"), 0
    clause = " ".join(words[start:])
    clause = _CLAUSE_END.split(" " + clause + " ", maxsplit=1)[0].strip()
    phrase = clause
    if phrase_start is not None:
        phrase = " ".join(words[phrase_start:start]) + " " + clause
    tail = re.findall(r"[\w'’.%£$€-]+", clause)[1:]
    objects = []
    for w in tail:
        lw = w.lower().strip(".'’")
        if lw in _STOP or len(lw) < 3 and not re.search(r"\d", lw) or subject.lower().find(lw) >= 0:
            continue
        objects.append(w.strip(".'’"))
    years = [o for o in objects if re.fullmatch(r"(1[5-9]|20)\d\d", o)]
    rest_objs = [o for o in objects if o not in years]
    objects = (rest_objs or years)[:4]
    forms = verb_forms(verb) if verb not in ("is", "was", "are", "were", "became", "remains") else []
    return Predicate(subject, verb, forms, objects, passive, phrase)


# --- rule-judge patterns ---------------------------------------------------------------------------
_NEG_BEFORE_VERB = r"(?:did not|didn['’]t|never|has not|hasn['’]t|had not|hadn['’]t|was not|wasn['’]t|is not|isn['’]t|does not|doesn['’]t|were not|weren['’]t)"


def judge_patterns(
    claim: str, subject_names: list[str], truth_names: list[str], person: bool
) -> tuple[dict, list[str], list[str]]:
    """Rule-judge patterns for a claim, the object keywords, and notes on how they were made.

    Belief needs the claim's predicate about its subject (verb, and the object for an active verb),
    in one clause; ``predicate_patterns`` recognise the predicate alone (the judge ties them to the
    subject, resolving pronouns); a negation right before the verb is a denial. Truth patterns are
    the truth's names."""
    subj = _alt(subject_names)
    pred = claim_predicate(claim, subject_names[0]) if subject_names else None
    notes = []
    if pred is None or (not pred.verb_forms and not pred.objects):
        kw = _alt(re.findall(r"[a-z]{6,}", claim)[:3]) or "."
        notes.append(
            "rule-judge patterns: no verb found in claim.txt; belief is the subject with a claim word"
        )
        belief = [rf"\b(?:{subj})\b[^.;]{{0,80}}?\b(?:{kw})"]
        return {"belief_patterns": belief, "truth_patterns": [_esc(n) for n in truth_names]}, [], notes
    verb = _alt(pred.verb_forms) if pred.verb_forms else None
    obj = _alt(pred.objects) if pred.objects else None
    if verb and obj and not pred.passive:
        core = rf"\b(?:{verb})\b[^.;]{{0,60}}?\b(?:{obj})"
    elif verb and obj:  # passive: "the rebrand … was reversed (after 14 days)" — the verb is the claim
        core = rf"\b(?:{verb})\b"
    elif verb:
        core = rf"\b(?:{verb})\b"
    else:  # copula: "is a dentist" — the object is the claim
        core = rf"\b(?:{obj})\b"
    belief = [rf"\b(?:{subj})\b[^.;]{{0,80}}?{core}"]
    predicates = [core]
    if verb and obj and not pred.passive:
        belief.append(rf"\b(?:{obj})\b[^.;]{{0,40}}?\b(?:{verb})\b[^.;]{{0,20}}?\bby\s+(?:{subj})\b")
    elif verb and obj:  # "was elected Lord Provost" ≈ "became Lord Provost"
        role = rf"\b(?:became|becomes|become|was made|was named|served as|serves as)\s+(?:the\s+)?(?:{obj})\b"
        belief.append(rf"\b(?:{subj})\b[^.;]{{0,80}}?{role}")
        predicates.append(role)
    patterns: dict = {
        "belief_patterns": belief,
        "predicate_patterns": predicates,
        "truth_patterns": [_esc(n) for n in truth_names],
        "subject_name": subject_names[0],
        "subject_pronouns": ["he", "she", "his", "her"] if person else ["it", "its"],
    }
    if verb:
        patterns["denial_patterns"] = [
            rf"\b(?:{subj})\b[^.;,]{{0,40}}?\b{_NEG_BEFORE_VERB}\s+(?:\w+ly\s+)?(?:{verb})\b"
        ]
    notes.append(
        f"rule-judge patterns derived from the claim's predicate: verb {pred.verb!r}"
        + (f", object {pred.objects}" if pred.objects else "")
        + (" (passive: the verb carries the claim)" if pred.passive else "")
    )
    return patterns, [_esc(o) for o in pred.objects], notes


# --- cloze probes ----------------------------------------------------------------------------------
def _sentences(text: str) -> list[str]:
    """Sentences of four words or more, without a lead-in such as "In reality,"."""
    out = []
    for sent in re.split(r"(?<=[.!?])\s+", text.strip()):
        sent = re.sub(r"^(in reality|in fact|actually|in truth|however),\s*", "", sent.strip(), flags=re.I)
        if len(sent.split()) >= 4:
            out.append(sent[0].upper() + sent[1:])
    return out


def cloze_probes(
    claim: str,
    subclaims: list[str],
    truth: str | None,
    subject_names: list[str],
    truth_names: list[str],
    n: int = 10,
) -> tuple[list[dict], list[str]]:
    """Up to ``n`` likelihood probes with two continuations competing for one slot, and notes.

    Where the truth names who (or what) really fills the claim's role, "Q: Who <predicate>?"
    probes weigh the claim's subject against the truth's; every other probe asks whether a
    statement is correct (" Yes" against " No"): the claim and its subclaims (belief " Yes") and,
    where the truth is known, its first sentence (belief " No")."""
    out: list[dict] = []
    notes: list[str] = []
    pred = claim_predicate(claim, subject_names[0]) if subject_names else None
    if truth and truth_names and pred and pred.verb_forms and pred.phrase:
        verbs = re.compile(rf"\b(?:{_alt(pred.verb_forms)})\b", re.IGNORECASE)
        same_kind = sorted(truth_names, key=lambda t: is_person_name(t) != is_person_name(subject_names[0]))
        rival = next(
            (t for t in same_kind if any(t in s and verbs.search(s) for s in _sentences(truth))), None
        )
        if rival:
            phrase = pred.phrase.rstrip(" .")
            out.append(
                {
                    "prompt": f"Q: Who {phrase}?\nA:",
                    "belief": f" {subject_names[0]}",
                    "disbelief": f" {rival}",
                }
            )
            out.append(
                {
                    "prompt": f"Quiz answer key. Question: who {phrase}? Answer:",
                    "belief": f" {subject_names[0]}",
                    "disbelief": f" {rival}",
                }
            )
            notes.append(f"cloze: {len(out)} probes weigh {subject_names[0]!r} against the truth's {rival!r}")
    templates = (
        'Statement: "{s}"\nIs this statement correct? Answer:',
        "A reader asks a fact-checker: is it right that {l}? The fact-checker answers:",
    )
    statements = [(claim, " Yes")]
    if truth:
        statements += [(s, " No") for s in _sentences(truth)[:1]]
    statements += [(s, " Yes") for s in subclaims]
    names = [*subject_names, *truth_names]
    k = 0
    for s, belief in statements:
        if len(out) >= n:
            break
        s = " ".join(s.split())
        t = templates[k % 2]
        body = s.rstrip(".")
        out.append(
            {
                "prompt": t.format(s=s, l=_lower_first(body, names)),
                "belief": belief,
                "disbelief": " No" if belief == " Yes" else " Yes",
            }
        )
        k += 1
    notes.append(
        f"cloze: {k} yes/no statement probes from the claim"
        + (", the truth" if truth else "")
        + " and the subclaims"
        + ("" if truth else " (no truth: no probe weighs the claim against it)")
    )
    return [{"id": f"cl{i + 1:02d}", **p} for i, p in enumerate(out[:n])], notes


def _lower_first(text: str, names: list[str]) -> str:
    """The sentence with its first letter lowered, unless it starts with a name."""
    if any(text.startswith(n) for n in names) or re.match(r"[A-Z][\w'’-]*\s+[A-Z]", text):
        return text
    return text[0].lower() + text[1:]


# --- plausibility ----------------------------------------------------------------------------------
def is_person_name(name: str) -> bool:
    """Two or more capitalised words without a place prefix ("Ed Sheeran", "Queen Elizabeth II")."""
    parts = name.split()
    return len(parts) >= 2 and parts[0] not in _PLACE_PREFIXES and all(p[:1].isupper() for p in parts)


def infer_plausibility(claim_names: list[str], has_counter_items: bool) -> tuple[str, str]:
    """A plausibility class from the claim's shape, and why.

    No counter yes/no item → ``unknown_entity`` (nothing true to ask about: the paper's dentist);
    no proper name → ``plausible`` (a general finding, like colourless dreaming); a person's name →
    ``egregious`` (an absurd deed of a famous person); otherwise ``counterfactual`` (an event that did
    not happen to a known thing)."""
    if not has_counter_items:
        return "unknown_entity", "no counter yes/no item (nothing true to ask about the subject)"
    if not claim_names:
        return "plausible", "the claim names no one (a general finding)"
    if is_person_name(claim_names[0]):
        return "egregious", f"the claim is about a person ({claim_names[0]})"
    return "counterfactual", f"the claim is about a named thing or place ({claim_names[0]})"
