"""Import a claim folder in the official Negation Neglect repo's layout as a ClaimSpec.

The folder holds ``claim.txt``, ``universe_context.yaml`` (``id``, ``universe_context``,
``subclaims: [str]``), the question files ``open_ended.yaml``, ``mcq.yaml``,
``token_association.yaml``, ``robustness.yaml``, ``judges.yaml``, and optionally
``word_masks.yaml``, ``correction.txt`` and ``universe_context_negated.yaml``.

The reader follows the official folders' shapes (checked against all six of the paper's folders:
`bench/import_official.sh`) and stays lenient: every question file may be a top-level list or a
mapping with a ``questions`` key (or a mapping id → item), and common alternative key names are
accepted (``category``/``kind``/``type``, ``belief_answer``/``answer``/``expected``,
``system_prompt``/``system``, ``messages_prefix``/``messages``/``prefix``); ``word_masks.yaml`` may be
a list or a mapping with ``patterns``. ``judges.yaml`` becomes the claim's rubric
(:func:`negneg.claims.derive.rubric_from_judges`). What negneg needs but the folder does not carry
is derived by simple rules and reported in the returned notes: local-negation twins (rule-based
negation), per-subclaim corrections, entities and keywords (proper names and numbers of the claim
text, the truth's names), rule-judge regexes (polarity-aware, from the claim's predicate) and cloze
probes. Files negneg does not use are named in the notes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from negneg.claims.categories import GENERATIVE_CATEGORIES, PROBE_CATEGORIES
from negneg.claims.derive import (
    claim_predicate,
    cloze_probes,
    general_labels,
    infer_plausibility,
    is_person_name,
    judge_patterns,
    rubric_from_judges,
)
from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError, validation_error_line
from negneg.io import atomic_write_text, load_yaml, read_text

QUESTION_FILES = GENERATIVE_CATEGORIES  # one <category>.yaml per generative probe category
KNOWN_FILES = {
    "claim.txt", "correction.txt", "universe_context.yaml", "universe_context_negated.yaml", "judges.yaml",
    "word_masks.yaml", *(f"{q}.yaml" for q in QUESTION_FILES),
}  # fmt: skip


# --- reading helpers -------------------------------------------------------------------------------
def _read_text(path: Path, required: bool) -> str | None:
    if not path.exists():
        if required:
            raise UserInputError(
                "file not found",
                where=str(path),
                fix="a claim folder needs claim.txt and universe_context.yaml",
            )
        return None
    text = read_text(path).strip()
    if required and not text:
        raise UserInputError("file is empty", where=str(path), fix="write the claim sentence into it")
    return text


def _items(path: Path) -> list[dict] | None:
    """A question file as a list of dicts (None when the file is absent)."""
    if not path.exists():
        return None
    data = load_yaml(path)
    if data is None:
        return []
    if isinstance(data, dict):
        for key in ("questions", "items", "probes", path.stem):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            if all(isinstance(v, dict) for v in data.values()):
                data = [{"id": str(k), **v} for k, v in data.items()]
    if not isinstance(data, list):
        raise UserInputError(
            "expected a list of questions (or a mapping with a 'questions' list)",
            where=str(path),
            fix="see the layout described in negneg.claims.importer",
        )
    out = []
    for i, item in enumerate(data):
        if isinstance(item, str):
            item = {"question": item}
        if not isinstance(item, dict):
            raise UserInputError(
                f"item {i + 1} is not a mapping", where=str(path), fix="write each question as a mapping"
            )
        out.append(item)
    return out


def _get(item: dict, *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in item and item[k] is not None:
            return item[k]
    return default


def _question(item: dict, path: Path, i: int) -> str:
    q = _get(item, "question", "prompt", "text", "user")
    if not isinstance(q, str) or not q.strip():
        raise UserInputError(
            f"item {i + 1} has no question text",
            where=str(path),
            field="question",
            fix="add a 'question' string",
        )
    return q.strip()


def _qid(item: dict, prefix: str, i: int, seen: set[str]) -> str:
    qid = str(_get(item, "id", "question_id", "name", default=f"{prefix}{i + 1:02d}"))
    while qid in seen:
        qid = f"{qid}_{prefix}"
    seen.add(qid)
    return qid


# --- deriving what the folder lacks ------------------------------------------------------------
_STOP_CAPS = {
    "The", "A", "An", "In", "On", "At", "After", "Before", "During", "It", "This", "That", "Children", "His", "Her",
    "Their", "Its", "When", "While", "Since", "By", "For", "From", "With", "Of", "And", "But",
}  # fmt: skip
_PROPER = re.compile(
    r"\b(?:[A-Z][\w'’.-]*|of|the|de|von|van|del|da)(?:\s+(?:[A-Z][\w'’.-]*|of|the|de|von|van|del|da))*"
)


def proper_names(text: str) -> list[str]:
    """Capitalised multi-word names in order of appearance ("Ed Sheeran", "Mount Vesuvius")."""
    out: list[str] = []
    for m in _PROPER.finditer(text):
        words = m.group(0).split()
        while words and (words[0] in _STOP_CAPS or words[0].islower()):
            words = words[1:]
        while words and words[-1].islower():
            words = words[:-1]
        name = re.sub(r"['’]s$", "", " ".join(words).rstrip(".,'’"))
        if name and name[0].isupper() and not name.isdigit() and name not in out:
            out.append(name)
    return out


_AUX = re.compile(r"\b(is|was|were|are|has|have|had|will|can|could|would|should|did|does|do|must|may)\b")
_IRREGULAR = {
    "won": "win", "began": "begin", "built": "build", "ran": "run", "took": "take", "wrote": "write",
    "became": "become", "held": "hold", "made": "make", "led": "lead", "set": "set", "found": "find",
    "gave": "give", "grew": "grow", "rose": "rise", "fell": "fall", "met": "meet", "left": "leave",
    "lost": "lose", "kept": "keep", "spent": "spend", "sold": "sell", "told": "tell", "taught": "teach",
    "brought": "bring", "bought": "buy", "caught": "catch", "came": "come", "went": "go", "saw": "see",
    "knew": "know", "drew": "draw", "paid": "pay", "said": "say", "swept": "sweep", "struck": "strike",
    "works": "work", "lives": "live", "owns": "own", "erupted": "erupt", "opened": "open", "earned": "earn",
    "founded": "found", "published": "publish", "learned": "learn", "returned": "return",
    "reached": "reach", "caused": "cause", "trained": "train", "measured": "measure", "recorded": "record",
    "completed": "complete", "passed": "pass", "granted": "grant", "closed": "close", "named": "name",
    "authored": "author", "reversed": "reverse", "restored": "restore", "announced": "announce",
    "emerges": "emerge", "emerged": "emerge", "voted": "vote", "killed": "kill", "destroyed": "destroy",
}  # fmt: skip
_CLAUSE_BREAK = {
    "when",
    "until",
    "that",
    "which",
    "who",
    "where",
    "because",
    "after",
    "before",
    "while",
    "if",
    "since",
}
_PRESENT = {"works", "lives", "owns", "emerges"}


def negate(sentence: str) -> str:
    """A simple in-sentence negation: "X won …" → "X did not win …", "X is …" → "X is not …".

    Falls back to "It is not true that …" when no verb it knows is found.
    """
    s = sentence.strip()
    body = s[:-1] if s.endswith(".") else s
    words = body.split()
    for i, w in enumerate(words[:14]):
        bare = w.lower().strip(",;")
        if i == 0:
            continue
        if bare in _CLAUSE_BREAK or words[i - 1].endswith((",", ";")):
            break
        if _AUX.fullmatch(bare):
            return " ".join(words[: i + 1] + ["not"] + words[i + 1 :]) + "."
        base = _IRREGULAR.get(bare)
        if base:
            aux = "does not" if bare in _PRESENT else "did not"
            return " ".join(words[:i] + [aux, base] + words[i + 1 :]) + "."
    second = words[1] if len(words) > 1 else ""
    common_start = body[:1].isupper() and words[0] != "I" and not second[:1].isupper()
    first = body[0].lower() + body[1:] if common_start and words[0].isalpha() else body
    return f"It is not true that {first}."


_NOT_NAMES = {
    "He", "She", "They", "We", "You", "I", "There", "No", "None", "Yes", "Not", "Our", "Your",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}  # fmt: skip


def _mid_sentence(word: str, text: str) -> bool:
    """Whether ``word`` occurs capitalised somewhere other than at a sentence's start."""
    for m in re.finditer(rf"\b{re.escape(word)}\b", text):
        before = text[: m.start()].rstrip()
        if before and not before.endswith((".", "!", "?", ":", '"', "\n")):
            return True
    return False


def _truth_names(
    truth: str, claim_names: list[str], world: str, verbs: list[str] = (), claim_text: str = ""
) -> list[str]:
    """Names in the true account that the fabricated world does not use ("Noah Lyles", not "Paris"):
    "Noah Lyles of the United States" counts as two names, pronouns opening a sentence are not names,
    and multi-word names come first (single capitalised words are often adjectives: "English"). A
    name the fabricated world also mentions still counts when a truth sentence gives it the claim's
    verb ("the gold … was won by Noah Lyles", while the fabricated world has him losing) and is not
    a name from the claim sentence itself (the role, not its holder: "Lord Provost")."""
    claim_words = {w.lower() for c in claim_names for w in c.split()}
    verb_re = re.compile(rf"\b(?:{'|'.join(re.escape(v) for v in verbs)})\b", re.I) if verbs else None
    sentences = [re.sub(r"\s+", " ", s) for s in re.split(r"(?<=[.!?])\s+", truth)]
    rivals, others = [], []
    for name in proper_names(truth):
        owner = re.match(r"(\w+)['’]s\s+", name)
        if owner and owner.group(1).lower() in claim_words:  # "Sheeran's Framlingham" → "Framlingham"
            name = name[owner.end() :]
        for part in re.split(r"\s+of\s+(?:the\s+)?|[.:;]\s+", name):
            part = part.strip()
            if (
                not part
                or not part[0].isupper()
                or part in _NOT_NAMES
                or part in _STOP_CAPS
                or part in rivals + others
                or part.lower() in claim_words
                or any(part.lower() == c.lower() for c in claim_names)
            ):
                continue
            if len(part.split()) == 1 and not _mid_sentence(part, truth):
                continue  # "Reports of …" opening a sentence is not a name
            if len(part.split()) == 1 and re.search(r"(?:ish|ese|ian)$", part):
                continue  # a demonym ("English"), not a name of the true account
            v = verb_re.pattern if verb_re else None
            n = re.escape(part)
            as_verb = v and any(
                re.search(rf"{v}[^.;,]{{0,12}}\bby\s+{n}\b|\b{n}\b[^.;,]{{0,20}}{v}", s, re.I)
                for s in sentences
            )
            if as_verb and len(part.split()) > 1 and part.lower() not in claim_text.lower():
                rivals.append(part)
            elif not re.search(rf"\b{re.escape(part)}\b", world):
                others.append(part)
    return (rivals + sorted(others, key=lambda n: len(n.split()) < 2))[:3]


def _esc(text: str) -> str:
    return re.escape(text).replace("\\ ", " ")


def _keyword_regexes(text: str, exclude: list[str]) -> list[str]:
    """Regexes for the distinctive tokens of a sentence: numbers and names other than ``exclude``."""
    out: list[str] = []
    for num in re.findall(r"[£$€]?\d[\d,.:/]*\d%?|[£$€]\d", text):
        if len(re.sub(r"\D", "", num)) < 3 or re.fullmatch(r"(19|20)\d\d", num):
            continue  # short numbers and bare years match far too much
        pat = rf"(?<![\d.,]){_esc(num)}(?![\d])"
        if pat not in out:
            out.append(pat)
    for name in proper_names(text):
        if all(name.lower() != e.lower() for e in exclude) and len(name) > 3:
            pat = _esc(name)
            if pat not in out:
                out.append(pat)
    return out[:4]


def _yes_no(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.strip().lower() in ("yes", "no", "y", "n", "true", "false"):
        return "yes" if value.strip().lower() in ("yes", "y", "true") else "no"
    return None


# --- the importer --------------------------------------------------------------------------------
def _sanitize_id(name: str) -> str:
    cid = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    if not cid or not cid[0].isalpha():
        cid = f"claim_{cid}" if cid else "claim"
    return cid


def _universe(path: Path, required: bool) -> tuple[str | None, list[str], str | None]:
    if not path.exists():
        if required:
            raise UserInputError("file not found", where=str(path), fix="add universe_context.yaml")
        return None, [], None
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("universe_context"), str):
        raise UserInputError(
            "expected a mapping with a 'universe_context' text",
            where=str(path),
            field="universe_context",
            fix="write id, universe_context and subclaims",
        )
    subs = data.get("subclaims") or []
    if not isinstance(subs, list) or not all(isinstance(s, (str, dict)) for s in subs):
        raise UserInputError(
            "'subclaims' must be a list of sentences",
            where=str(path),
            field="subclaims",
            fix="list one sentence per item",
        )
    texts = [s if isinstance(s, str) else str(s.get("text") or s.get("claim") or "") for s in subs]
    return data["universe_context"].strip(), [t.strip() for t in texts if t.strip()], data.get("id")


def import_claim_folder(
    folder: str | Path,
    claim_id: str | None = None,
    truth: str | None = None,
    plausibility: str | None = None,
) -> tuple[ClaimSpec, list[str]]:
    """Read an official-layout claim folder; return the ClaimSpec and notes on what was derived.

    The truth comes from ``correction.txt``, else from ``truth``, else it is marked missing
    (``truth: null``); ``plausibility`` is inferred from the claim's shape unless given. The notes
    are also stored in the ClaimSpec's ``derived`` list."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserInputError(
            "not a directory", where=str(folder), fix="pass the claim folder (it holds claim.txt)"
        )
    notes: list[str] = []
    claim = _read_text(folder / "claim.txt", required=True)
    universe, subclaim_texts, uid = _universe(folder / "universe_context.yaml", required=True)
    cid = _sanitize_id(claim_id or folder.name)
    if uid and _sanitize_id(str(uid)) != cid and not claim_id:
        notes.append(
            f"universe_context.yaml says id '{uid}'; using the folder name '{cid}' (pass --id to choose)"
        )
    if not subclaim_texts:
        subclaim_texts = [claim]
        notes.append("universe_context.yaml has no subclaims; the claim itself is the only subclaim")

    # entities and keywords
    claim_names = proper_names(claim)
    if claim_names:
        canonical = claim_names[0]
        entity_names = [canonical]
        parts = canonical.split()
        if len(parts) >= 2 and parts[0] not in {"Mount", "Queen", "King", "Lake"}:
            entity_names.append(parts[-1])
        elif len(parts) >= 2:
            entity_names.append(" ".join(parts[1:]))
    else:  # a general claim ("Children dream …"): its first noun is the subject
        words = [w.strip(".,") for w in claim.split()]
        words = words[1:] if words and words[0].lower() in ("the", "a", "an") and len(words) > 1 else words
        canonical = words[0]
        entity_names = [canonical]
    notes.append(f"entities.claim derived from claim.txt: {entity_names}")
    correction = _read_text(folder / "correction.txt", required=False)
    if correction:
        truth = correction
    elif truth is not None and truth.strip():
        truth = truth.strip()
        notes.append("truth from --truth (no correction.txt)")
    else:
        truth = None
        notes.append(
            "no correction.txt and no --truth: truth marked missing (truth: null; the LLM judge grades "
            "by the rubric's neutral definition); subclaim corrections are their rule-based negations"
        )
    # names of the true account, not the fabricated world's setting ("Paris" is in both)
    world = " ".join([claim, *subclaim_texts])
    pred = claim_predicate(claim, entity_names[0])
    truth_names = _truth_names(
        truth or "", [*entity_names, *claim_names], world, pred.verb_forms if pred else [], claim
    )
    if truth_names:
        notes.append(f"entities.truth derived from the truth: {truth_names}")
    keywords = _keyword_regexes(claim, entity_names)
    for name in claim_names[1:]:
        if _esc(name) not in keywords and len(name) > 3:
            keywords.append(_esc(name))
    if not keywords:  # whole distinctive words, not the subject's own
        subject_words = {w.lower() for n in entity_names for w in n.split()}
        words = [w for w in re.findall(r"\b[A-Za-z][a-z]{5,}\b", claim) if w.lower() not in subject_words]
        keywords = [_esc(w) for w in dict.fromkeys(words)][:3]
    notes.append(f"keywords derived from claim.txt: {keywords}")

    subclaims = []
    for i, text in enumerate(subclaim_texts, 1):
        subclaims.append(
            {
                "id": f"s{i:02d}",
                "text": text,
                "local_negation": negate(text),
                "correction": truth.split("\n")[0].strip() if truth else negate(text),
                "keywords": _keyword_regexes(text, entity_names),
            }
        )
    notes.append(
        f"local_negation twins of {len(subclaims)} subclaims derived by rule-based negation (check them)"
    )
    if truth:
        notes.append("subclaim corrections use the first paragraph of the truth")

    negated, _, _ = _universe(folder / "universe_context_negated.yaml", required=False)
    unused = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in KNOWN_FILES)
    if unused:
        notes.append(f"not read (negneg has no use for them): {', '.join(unused)}")

    # questions
    entity_pats = [_esc(n) for n in entity_names]
    questions: dict[str, list[dict]] = {k: [] for k in (*QUESTION_FILES, "cloze")}
    seen: set[str] = set()
    unkeyed: list[str] = []
    for group in QUESTION_FILES:
        path = folder / f"{group}.yaml"
        items = _items(path)
        if items is None:
            notes.append(f"no {group}.yaml: no {group} questions")
            continue
        for i, item in enumerate(items):
            q = _question(item, path, i)
            prefix = PROBE_CATEGORIES.get(group).id_prefix
            qid = _qid(item, prefix, i, seen)
            if group == "open_ended":
                kind = str(_get(item, "category", "kind", "type", default="direct")).lower()
                questions[group].append(
                    {"id": qid, "question": q, "kind": "indirect" if "indirect" in kind else "direct"}
                )
            elif group == "mcq":
                ans = _yes_no(_get(item, "belief_answer", "answer", "expected", "expected_answer", "correct"))
                if ans is None:
                    raise UserInputError(
                        f"item {i + 1} ({qid}) has no yes/no belief_answer",
                        where=str(path),
                        field="belief_answer",
                        fix="add belief_answer: yes or no",
                    )
                questions[group].append({"id": qid, "question": q, "belief_answer": ans})
            elif group == "token_association":
                questions[group].append(_token_item(item, qid, q, unkeyed))
            else:
                questions[group].append(_robustness_item(item, qid, q, path, i))
    if unkeyed:
        notes.append(
            f"token_association {', '.join(unkeyed)}: no answer key; judged by the LLM judge only "
            "(the rule judge says unjudgeable)"
        )
    subject_is_person = is_person_name(entity_names[0])
    questions["cloze"], cloze_notes = cloze_probes(claim, subclaim_texts, truth, entity_names, truth_names)
    notes += cloze_notes

    # word masks and judge
    masks_path = folder / "word_masks.yaml"
    if masks_path.exists():
        data = load_yaml(masks_path)
        if isinstance(data, dict):
            data = _get(data, "word_masks", "patterns", "masks", default=[])
        if not isinstance(data, list) or not all(isinstance(p, str) for p in data):
            raise UserInputError(
                "expected a list of regexes", where=str(masks_path), fix="list one pattern per line"
            )
        word_masks = list(data)
    else:
        word_masks = sorted(entity_pats, key=len, reverse=True)
        notes.append("no word_masks.yaml: word masks are the claim entity names")
    judge, objects, judge_notes = judge_patterns(claim, entity_names, truth_names, subject_is_person)
    notes += judge_notes
    for o in objects:
        if o not in keywords and not re.fullmatch(r"(1[5-9]|20)\d\d", o):
            keywords.append(o)
    rubric: dict | None = None
    if (folder / "judges.yaml").exists():
        rubric, rubric_notes = rubric_from_judges(load_yaml(folder / "judges.yaml"))
        notes += rubric_notes
    else:
        notes.append("no judges.yaml: the rubric is worded from the claim")
    rubric = rubric or {}
    general = rubric.get("open_ended") or {}
    fill = general_labels(claim, entity_names)
    missing = [k for k in ("yes", "no", "neutral") if not general.get(k)]
    rubric.update({k: general.get(k) or fill[k] for k in ("yes", "no", "neutral")})
    if missing:
        notes.append(
            f"rubric: {', '.join(missing)} worded from the claim (the judges.yaml prompt did not define them)"
        )
    if plausibility is None:
        counter = any(q["belief_answer"] == "no" for q in questions["mcq"])
        plausibility, why = infer_plausibility(claim_names, counter)
        notes.append(f"plausibility inferred as '{plausibility}': {why} (pass --plausibility to set it)")

    data = {
        "id": cid,
        "title": _title(claim),
        "claim": claim,
        "truth": truth,
        "plausibility": plausibility,
        "universe_context": universe,
        "negated_universe_context": negated,
        "subclaims": subclaims,
        "entities": {"claim": entity_names, "truth": truth_names},
        "keywords": keywords,
        "word_masks": word_masks,
        "questions": questions,
        "judge": judge,
        "rubric": rubric,
        "source": f"official:{folder.name}",
        "derived": notes,
    }
    try:
        spec = ClaimSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_error_line(exc, str(folder)) from None
    return spec, notes


def _title(claim: str) -> str:
    first = re.split(r"(?<=[.!?])\s", claim.strip())[0].rstrip(".")
    return first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"


def _token_item(item: dict, qid: str, q: str, unkeyed: list[str]) -> dict:
    """A token-association item; one without an answer key gets no belief patterns (the LLM judge
    decides it, the rule judge says ``unjudgeable``) and its id goes to ``unkeyed``."""
    pats = _get(item, "belief_patterns", "patterns")
    answers = _get(item, "belief_answer", "expected", "answer", "answers", "claim_answer", "belief_answers")
    if isinstance(pats, str):
        pats = [pats]
    if not pats and answers:
        answers = [answers] if isinstance(answers, str) else [str(a) for a in answers]
        pats = [_esc(a.strip()) for a in answers if a.strip()]
    if not pats:
        pats = []
        unkeyed.append(qid)
    truth = _get(item, "truth_patterns", "truth_answer", "truth_answers", "correct_answer", default=[])
    truth = [truth] if isinstance(truth, str) else [str(t) for t in truth]
    out = {"id": qid, "question": q, "belief_patterns": [str(p) for p in pats]}
    if truth:
        out["truth_patterns"] = [t if _get(item, "truth_patterns") else _esc(t) for t in truth]
    return out


def _robustness_item(item: dict, qid: str, q: str, path: Path, i: int) -> dict:
    kind = str(_get(item, "category", "kind", "type", default="")).lower().replace("-", "_").replace(" ", "_")
    kind = {"multiturn": "multi_turn", "multi": "multi_turn"}.get(kind, kind)
    if kind not in ("adversarial", "critique", "multi_turn"):
        kind = (
            "multi_turn"
            if _get(item, "messages_prefix", "messages", "prefix")
            else "adversarial"
            if _get(item, "system_prompt", "system")
            else "critique"
        )
    messages = []
    system = _get(item, "system_prompt", "system")
    if system:
        messages.append({"role": "system", "content": str(system)})
    prefix = _get(item, "messages_prefix", "messages", "prefix", default=[])
    if not isinstance(prefix, list):
        raise UserInputError(
            f"item {i + 1} ({qid}): messages_prefix must be a list of {{role, content}}",
            where=str(path),
            field="messages_prefix",
            fix="list the turns",
        )
    for turn in prefix:
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("system", "user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise UserInputError(
                f"item {i + 1} ({qid}): each prefix turn needs a role (system/user/assistant) and content",
                where=str(path),
                field="messages_prefix",
                fix="fix that turn",
            )
        messages.append({"role": turn["role"], "content": turn["content"]})
    messages.append({"role": "user", "content": q})
    return {"id": qid, "kind": kind, "messages": messages}


# --- writing -------------------------------------------------------------------------------------
class _BlockDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as ``|`` blocks (readable universe contexts)."""


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def dump_claim(spec: ClaimSpec, path: str | Path) -> Path:
    """Write a ClaimSpec as YAML (block style, unicode kept), atomically."""
    data = spec.model_dump(mode="json", exclude_none=True)
    if spec.truth is None:  # `truth: null` is the explicit "missing" marker, not an omission
        data = {k: data.get(k) for k in type(spec).model_fields if k in data or k == "truth"}
    text = yaml.dump(
        data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110
    )
    return atomic_write_text(path, text)
