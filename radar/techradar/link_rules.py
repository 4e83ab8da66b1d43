"""Which technologies a news item mentions.

Word-boundary, case-aware matching of each technology's name and aliases is the
base. A name that is also an everyday word or a person's name ("Ray", "Arrow",
"Triton", "torch", "Feast", "transformers") is *ambiguous*: it links only when the
item's context says it is the technology, from code-ish forms (``ray.init``,
``import jax``, ``Ray 2.49``), capitalised sub-projects ("Ray Tune"), co-occurring
terms (a curated vocabulary per technology, its description, a general ML
vocabulary, other technologies on the radar) and, when item vectors are available,
the item's semantic similarity to the technology's description. Cues of the
everyday sense ("X-ray", "arrow keys", "Neptune's moon", "Ray Okafor") veto it.

Pure domain code: no database, no model; the caller passes a similarity function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from radar.techradar import vocabulary as vocab
from radar.techradar.model import Technology

METHODS = ("alias", "alias+context", "semantic", "release")

MAX_TEXT_CHARS = 20_000
"""Only the start of very long items is read: mentions that matter come early."""

NEED_SINGLE_WORD = 3
"""Context score an ambiguous one-word name needs (tuned on the labelled train half)."""
NEED_SPECIFIC = 2
"""...of which at least this much from technology-specific terms (not general ML words)."""
NEED_MULTI_WORD = 2
"""Context score an ambiguous name of several everyday words needs ('Great Expectations')."""

NAMESAKE_WINDOW = 200
"""Characters either side of a shared name ('Triton') read to tell its owners apart."""

SEMANTIC_ACCEPT = 0.45
"""Cosine similarity of an item to a technology's description that links an ambiguous
mention the rules left undecided (tuned on the labelled train half)."""
SEMANTIC_VETO = 0.10
"""Below this similarity an ambiguous mention is not linked even with enough context."""

Similarity = Callable[[str], "float | None"]
"""slug -> cosine similarity of the item to that technology's description, if known."""


@dataclass(frozen=True)
class ItemText:
    """What the linker reads of an item. `context` (feed name and tags) counts as
    context for ambiguous names but is never matched as a mention."""

    title: str
    summary: str = ""
    content: str = ""
    context: str = ""


@dataclass(frozen=True)
class TechLink:
    slug: str
    method: str
    """alias, alias+context, semantic or release (see METHODS)."""
    score: float


@dataclass(frozen=True)
class Form:
    """One way of writing a technology's name, and how careful matching must be."""

    text: str
    key: str
    ambiguous: bool
    exact_case: bool
    words: int

    @property
    def proper(self) -> bool:
        """Written like a proper name ('Great Expectations'), which headlines imitate."""
        return all(word[0].isupper() for word in _WORD.findall(self.text))

    @property
    def sense(self) -> str:
        """The everyday word this form may mean: the key of a one-word form, or the
        whole phrase."""
        return self.key


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z]+")


def normalise_key(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip().lower()


def classify_form(text: str, same_tech_keys: Iterable[str] = ()) -> Form:
    """Decide whether a name needs context and exact case.

    Camel-case (PyTorch, vLLM, spaCy), digits or symbols (llama.cpp, W&B) make a name
    distinctive. A name made only of everyday words (or a known collision) is
    ambiguous, unless it qualifies a shorter name of the same technology ('Ray Serve',
    'Apache Arrow'), which is distinctive as a phrase. Ambiguous and short names
    (JAX, ORT, LoRA) must match in case.
    """
    cleaned = _SPACES.sub(" ", text.translate(_QUOTES)).strip()
    key = cleaned.lower()
    words = _WORD.findall(cleaned)
    distinctive_shape = bool(re.search(r"[^A-Za-z ]", cleaned)) or any(
        any(ch.isupper() for ch in word[1:]) and not word.isupper() for word in words
    )
    all_caps = bool(words) and all(word.isupper() for word in words)
    if all_caps and len(words) == 1:
        ambiguous = len(key) <= 2 or vocab.is_common_word(key) or key in vocab.CURATED_AMBIGUOUS
    elif distinctive_shape:
        ambiguous = False
    else:
        ambiguous = all(
            vocab.is_common_word(word) or word.casefold() in vocab.CURATED_AMBIGUOUS
            for word in words
        )
        qualifies = len(words) > 1 and any(
            other != key and re.search(rf"(?<!\w){re.escape(other)}(?!\w)", key)
            for other in same_tech_keys
        )
        if qualifies:
            ambiguous = False
    # Short capitalised names are acronyms or collide by case ('ORT', 'LoRA' vs LoRa
    # radios); 'vLLM' starts in lower case and is distinctive whatever the case.
    short = len(cleaned.replace(" ", "")) <= 4 and not cleaned[:1].islower()
    return Form(
        text=cleaned,
        key=key,
        ambiguous=ambiguous,
        exact_case=ambiguous or short,
        words=max(1, len(words)),
    )


_TOKEN = re.compile(r"[a-z0-9_]+(?:[.\-&][a-z0-9_]+)*")
_FIRST_WORD = re.compile(r"\w+")


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-2] if word.endswith(("ches", "shes", "xes")) else word[:-1]
    return word


def canonical(term: str) -> str:
    """A term as compared: lower case, single spaces, last word singular."""
    words = _TOKEN.findall(term.lower())
    if not words:
        return ""
    words[-1] = _singular(words[-1])
    return " ".join(words)


def _words(text: str) -> set[str]:
    """The distinct words of `text` in canonical form; compounds ('jax-to-pytorch',
    'torch.compile') count whole and by their parts."""
    tokens = set(_TOKEN.findall(text))
    for token in list(tokens):
        if "-" in token or "." in token or "&" in token:
            tokens.update(re.split(r"[.\-&]", token))
    return {_singular(token) for token in tokens}


@dataclass(frozen=True)
class _Terms:
    """A vocabulary split for fast lookup: single words by set, phrases by substring."""

    words: frozenset[str]
    phrases: tuple[str, ...]

    @classmethod
    def of(cls, terms: Iterable[str], without: Iterable[str] = ()) -> _Terms:
        skip = {canonical(term) for term in without}
        chosen = {canonical(term) for term in terms} - skip - {""}
        return cls(
            frozenset(term for term in chosen if " " not in term),
            tuple(sorted(term for term in chosen if " " in term)),
        )

    def __or__(self, other: _Terms) -> _Terms:
        return _Terms(self.words | other.words, tuple(sorted({*self.phrases, *other.phrases})))

    def found(self, words: set[str], text: str) -> set[str]:
        hits = set(self.words & words)
        hits.update(phrase for phrase in self.phrases if phrase in text)
        return hits


@lru_cache(maxsize=1)
def _general_terms() -> _Terms:
    return _Terms.of(vocab.GENERAL_ML_TERMS)


@lru_cache(maxsize=64)
def _sense_cues(word: str) -> re.Pattern[str] | None:
    cues = vocab.SENSE_CUES.get(word)
    return re.compile("|".join(cues)) if cues else None


@lru_cache(maxsize=64)
def _off_topic(word: str) -> _Terms:
    return _Terms.of(vocab.OFF_TOPIC_TERMS.get(word, ()))


class _Tech:
    """One technology compiled for matching: its forms, one regex, its context terms."""

    def __init__(self, tech: Technology) -> None:
        self.slug = tech.slug
        self.name = tech.name
        keys = [normalise_key(name) for name in tech.names]
        forms: dict[str, Form] = {}
        for name in tech.names:
            form = classify_form(name, keys)
            if form.key in forms:
                # 'vLLM' and 'vllm': the most permissive spelling decides the case rule.
                previous = forms[form.key]
                if previous.exact_case and not form.exact_case:
                    forms[form.key] = form
                elif previous.exact_case and form.exact_case and form.text != previous.text:
                    forms[form.key] = Form(
                        previous.text, previous.key, previous.ambiguous, False, previous.words
                    )
                continue
            forms[form.key] = form
        self.forms = forms
        longest_first = sorted(forms, key=len, reverse=True)
        body = "|".join(re.escape(key).replace(r"\ ", r"\s+") for key in longest_first)
        self.pattern = re.compile(rf"(?<![\w/])(?:{body})(?!\w)", re.IGNORECASE)
        curated = list(vocab.CURATED_TERMS.get(self.slug, ()))
        # Words of the technology's own names are no evidence for it ('Great Expectations'
        # holds 'expectations').
        own = [*forms, *(word for key in forms for word in _TOKEN.findall(key))]
        self.specific = _Terms.of(curated, without=own)
        described = [
            *vocab.description_terms(tech.description),
            *vocab.QUADRANT_TERMS.get(tech.quadrant, ()),
        ]
        self.described = _Terms.of(described, without=[*own, *curated])
        # Alternatives say the item is about this field, not which of two namesakes.
        self.related = _Terms.of(tech.alternatives, without=[*own, *curated, *described])
        general = _general_terms()
        self.general = _Terms.of([*general.words, *general.phrases], without=own)
        self.first_words = {
            _FIRST_WORD.findall(key)[0] for key in forms if _FIRST_WORD.findall(key)
        }
        self.followers = frozenset(vocab.CURATED_FOLLOWERS.get(self.slug, ())) | {
            key.split(" ", 1)[1]
            for key in forms
            if " " in key and any(key.startswith(other + " ") for other in forms)
        }


@dataclass
class _Hit:
    tech: _Tech
    form: Form
    start: int
    end: int
    text: str


@dataclass
class _ItemView:
    """An item prepared once: original-case body, lower-case body and context."""

    body: str
    lowered: str
    context: str
    confirmed: set[str] = field(default_factory=set)
    _words: set[str] | None = None

    def find(self, terms: _Terms) -> set[str]:
        """Terms present in the item or its feed's name and tags."""
        if self._words is None:
            self._words = _words(self.context)
        return terms.found(self._words, self.context)

    @classmethod
    def of(cls, item: ItemText) -> _ItemView:
        parts = [part for part in (item.title, item.summary, item.content) if part]
        body = " | ".join(" ".join(part.translate(_QUOTES).split()) for part in parts)
        body = body[:MAX_TEXT_CHARS]
        lowered = body.lower()
        context = lowered
        if item.context:
            context += " | " + " ".join(item.context.translate(_QUOTES).split()).lower()
        return cls(body=body, lowered=lowered, context=context)


_CODE_BEFORE = re.compile(
    r"(?:\bimport|\bfrom|\bpip3?\s+install(?:\s+-\S+)*|\bconda\s+install(?:\s+-\S+)*"
    r"|\buv\s+(?:add|pip\s+install)|\bpoetry\s+add)\s+$",
    re.IGNORECASE,
)
_CODE_AFTER = re.compile(r"^(?:\.[a-z_]\w*|==|>=|~=|\[[a-z_,\s]+\]|\s+v?\d+\.\d+|\s+v\d+\b)")
_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|my|your|his|her|their)\s+$", re.IGNORECASE)
_HONORIFIC_BEFORE = re.compile(r"\b(?:mr|mrs|ms|dr|prof|sir)\.?\s+$", re.IGNORECASE)
_IDENTIFIER_NEXT = re.compile(r"^\s+(?:[A-Z]\w*[A-Z]\w*|\w*_\w*|\w+\.\w+)")
_NEXT_WORD = re.compile(r"^(?:'s)?\s+([A-Z][a-z]+)\b")


class Linker:
    """Links items to the technologies of one radar; build once, call :meth:`link` often."""

    def __init__(
        self,
        technologies: Sequence[Technology],
        *,
        semantic_accept: float = SEMANTIC_ACCEPT,
        semantic_veto: float = SEMANTIC_VETO,
        need_single_word: int = NEED_SINGLE_WORD,
        need_multi_word: int = NEED_MULTI_WORD,
    ) -> None:
        self.techs = [_Tech(tech) for tech in technologies]
        self.semantic_accept = semantic_accept
        self.semantic_veto = semantic_veto
        self.need_single_word = need_single_word
        self.need_multi_word = need_multi_word
        owners: dict[str, list[_Tech]] = {}
        for tech in self.techs:
            for key in tech.forms:
                owners.setdefault(key, []).append(tech)
        self._shared = {key: techs for key, techs in owners.items() if len(techs) > 1}
        self._by_first_word: dict[str, list[_Tech]] = {}
        for tech in self.techs:
            for word in tech.first_words:
                self._by_first_word.setdefault(word, []).append(tech)

    def link(
        self,
        item: ItemText,
        similarity: Similarity | None = None,
        *,
        release_of: str | None = None,
    ) -> list[TechLink]:
        """The technologies `item` mentions, each once, sorted by slug; `release_of` is
        the slug of the technology a release item announces (see releases.py)."""
        view = _ItemView.of(item)
        hits = self._hits(view)
        links: dict[str, TechLink] = {}
        if release_of is not None:
            links[release_of] = TechLink(release_of, "release", 1.0)
        if not hits:
            return list(links.values())
        for hit in hits:
            if not hit.form.ambiguous and self._case_ok(hit) and hit.form.key not in self._shared:
                links.setdefault(hit.tech.slug, TechLink(hit.tech.slug, "alias", 1.0))
        view.confirmed = set(links)
        pending: dict[str, list[_Hit]] = {}
        for hit in hits:
            if hit.tech.slug in links:
                continue
            if hit.form.key in self._shared:
                owner = self._owner(hit, view)
                if owner is None or owner.slug in links:
                    continue
                hit.tech, hit.form = owner, owner.forms[hit.form.key]
            pending.setdefault(hit.tech.slug, []).append(hit)
        for slug, tech_hits in pending.items():
            decided = self._decide(tech_hits, view, similarity)
            if decided is not None:
                links[slug] = decided
        return sorted(links.values(), key=lambda link: link.slug)

    # --- finding mentions ---------------------------------------------------------

    def _hits(self, view: _ItemView) -> list[_Hit]:
        hits: list[_Hit] = []
        text = view.lowered
        present = [word for word in self._by_first_word if word in text]
        candidates = {id(t): t for word in present for t in self._by_first_word[word]}
        for tech in candidates.values():
            for start, end in self._spans(tech, view):
                text = view.body[start:end]
                form = tech.forms.get(normalise_key(text))
                # 'X-ray', 'sentence-transformers': a hyphenated everyday word is not a name.
                hyphenated = start > 0 and view.body[start - 1] == "-"
                if form is not None and not (hyphenated and form.ambiguous):
                    hits.append(_Hit(tech, form, start, end, text))
        if len(hits) < 2:
            return hits
        # A longer name covering a shorter one wins ('Triton Inference Server' > 'Triton').
        hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
        kept: list[_Hit] = []
        for hit in hits:
            if any(
                other.start <= hit.start
                and hit.end <= other.end
                and (other.end - other.start) > (hit.end - hit.start)
                for other in kept
            ):
                continue
            kept.append(hit)
        return kept

    @staticmethod
    def _spans(tech: _Tech, view: _ItemView) -> Iterable[tuple[int, int]]:
        """Where the technology's names occur, on word boundaries. Plain substring
        search is several times faster than the regex; the regex covers texts whose
        lower-casing changes their length."""
        if len(view.lowered) != len(view.body):
            return [(m.start(), m.end()) for m in tech.pattern.finditer(view.body)]
        text = view.lowered
        spans = []
        for key in tech.forms:
            start = text.find(key)
            while start >= 0:
                end = start + len(key)
                before = text[start - 1] if start else " "
                after = text[end] if end < len(text) else " "
                if not (before.isalnum() or before in "_/") and not (
                    after.isalnum() or after == "_"
                ):
                    spans.append((start, end))
                start = text.find(key, start + 1)
        return spans

    @staticmethod
    def _case_ok(hit: _Hit) -> bool:
        form = hit.form
        if not form.exact_case:
            return True
        spellings = {form.text}
        return hit.text in spellings or (hit.text.isupper() and len(hit.text) > 2)

    def _owner(self, hit: _Hit, view: _ItemView) -> _Tech | None:
        """Which of several technologies sharing a name ('Triton') this mention means."""
        owners = self._shared[hit.form.key]
        confirmed = [tech for tech in owners if tech.slug in view.confirmed]
        if confirmed:
            return confirmed[0] if len(confirmed) == 1 else None
        # Words near the mention first, the whole item to break a tie.
        around = view.lowered[max(0, hit.start - NAMESAKE_WINDOW) : hit.end + NAMESAKE_WINDOW]
        for text in (around, view.lowered):
            words = _words(text)
            scores = {tech.slug: self._namesake_score(tech, words, text) for tech in owners}
            best = max(scores.values())
            winners = [tech for tech in owners if scores[tech.slug] == best]
            if best > 0 and len(winners) == 1:
                return winners[0]
        return None

    # --- deciding ambiguous mentions ------------------------------------------------

    def _decide(
        self, hits: list[_Hit], view: _ItemView, similarity: Similarity | None
    ) -> TechLink | None:
        tech = hits[0].tech
        cues = [(hit, self._local_cue(hit, view)) for hit in hits]
        if any(cue == "code" for _, cue in cues):
            return TechLink(tech.slug, "alias+context", 0.95)
        if any(cue == "everyday" for _, cue in cues):
            # One mention in the everyday sense ('Ray Okafor') settles the others.
            return None
        if any(cue == "follower" for _, cue in cues):
            return TechLink(tech.slug, "alias+context", 0.9)
        candidates = [hit for hit, cue in cues if self._case_ok(hit)]
        if not candidates:
            return None
        form = candidates[0].form
        if not form.ambiguous:
            return TechLink(tech.slug, "alias", 1.0)
        score, specific = self._context_score(tech, form, view)
        if form.words == 1 or form.proper:
            rule_ok = score >= self.need_single_word and specific >= NEED_SPECIFIC
        else:
            rule_ok = score >= self.need_multi_word
        rule_score = round(min(0.9, 0.5 + 0.05 * score), 3)
        closeness = similarity(tech.slug) if similarity is not None else None
        if closeness is None:
            return TechLink(tech.slug, "alias+context", rule_score) if rule_ok else None
        if rule_ok and closeness >= self.semantic_veto:
            return TechLink(tech.slug, "alias+context", max(rule_score, round(closeness, 3)))
        if closeness >= self.semantic_accept:
            return TechLink(tech.slug, "semantic", round(closeness, 3))
        return None

    def _local_cue(self, hit: _Hit, view: _ItemView) -> str | None:
        """'code', 'follower', 'everyday' (another sense is meant) or None."""
        before = view.body[max(0, hit.start - 40) : hit.start]
        after = view.body[hit.end : hit.end + 40]
        if _CODE_BEFORE.search(before) or _CODE_AFTER.match(after):
            return "code"
        if not hit.form.ambiguous and self._case_ok(hit):
            return None
        word = hit.form.sense
        window = view.lowered[max(0, hit.start - 30) : hit.end + 30]
        cues = _sense_cues(word)
        if cues is not None and cues.search(window):
            return "everyday"
        if hit.form.words == 1:
            if (
                hit.text.islower()
                and _ARTICLE_BEFORE.search(before)
                and not _IDENTIFIER_NEXT.match(after)
            ):
                return "everyday"  # 'a torch', but not 'a torch DataLoader'
            if _HONORIFIC_BEFORE.search(before):
                return "everyday"
            following = _NEXT_WORD.match(after)
            if following:
                nxt = following.group(1).casefold()
                if nxt in hit.tech.followers:
                    return "follower"
                if not vocab.is_common_word(nxt) and nxt not in vocab.STOPWORDS:
                    return "everyday"  # a person or a company: 'Ray Okafor', 'Jax Romero'
        return None

    @staticmethod
    def _specific_score(tech: _Tech, view: _ItemView) -> int:
        return (
            2 * len(view.find(tech.specific))
            + len(view.find(tech.described))
            + 2 * len(view.find(tech.related))
        )

    @staticmethod
    def _namesake_score(tech: _Tech, words: set[str], text: str) -> int:
        """Evidence for one of several technologies sharing a name, from the item's own
        words (a feed's tags describe the feed, not which namesake a mention means)."""
        return 2 * len(tech.specific.found(words, text)) + len(tech.described.found(words, text))

    def _context_score(self, tech: _Tech, form: Form, view: _ItemView) -> tuple[int, int]:
        """(total, technology-specific part) of the evidence around an ambiguous name."""
        specific_score = self._specific_score(tech, view)
        total = specific_score
        if form.sense not in vocab.ML_SENSE_WORDS:
            general = view.find(tech.general)
            others = len(view.confirmed - {tech.slug})
            total += min(len(general), 3) + min(others, 2)
        off = view.find(_off_topic(form.sense))
        total -= 2 * len(off)
        if off:
            specific_score -= 2 * len(off)
        return total, specific_score


def tech_text(tech: Technology) -> str:
    """What a technology's vector is embedded from: its name and description."""
    return f"{tech.name}: {tech.description}" if tech.description else tech.name
