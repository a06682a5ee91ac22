"""Who copied whom, for one pair of related texts: the direction signals and their evidence.

Every signal is an antisymmetric feature f(a, b) = -f(b, a) whose positive values
favour `a` as the source of `b`. The direction probability is a logistic model with
no intercept, P(a -> b) = sigmoid(w . f(a, b)), so P(a -> b) + P(b -> a) = 1 exactly
and a pair with no evidence gets 0.5 ("undecided") rather than a guess.

No single rule is trusted: dates get re-stamped, copies both cut and pad their
source, and "the more-contained text is the copy" is wrong as often as right on real
reuse. The weights (origin/weights.json) combine the signals and were fitted by
benchmarks/fit_lineage.py, not chosen by hand.

A signal is a name, `compute(pair) -> float` and `explain(pair, value) -> str | None` (the
evidence in plain words, asked for only when the signal carries weight), registered in
SIGNALS; a new one also needs its weight in weights.json.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from provenance.model import Evidence
from provenance.origin.context import MemberShares, PairContext
from provenance.origin.profile import Profile
from provenance.text import words

_SHOWN_MEMBERS = 4  # members named in the evidence of the "others" signals
_MAX_RENDERINGS = 3  # sentences rendered twice counted by the spin signal
_MIN_EVIDENCE = 0.02  # weighted signals smaller than this are left out of the evidence


@dataclass(frozen=True, slots=True)
class Signal:
    """One direction signal: its value for a pair and the plain words for it."""

    name: str
    compute: Callable[[PairContext], float]
    explain: Callable[[PairContext, float], str | None]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _ids(pair: PairContext) -> tuple[str, str]:
    return pair.a.id, pair.b.id


# --- dates -----------------------------------------------------------------------------------


def _date(pair: PairContext) -> float:
    a, b = pair.a.published, pair.b.published
    if a and b and a != b:
        return 1.0 if a < b else -1.0
    return 0.0


def _explain_date(pair: PairContext, value: float) -> str:
    early, late = (pair.a, pair.b) if value > 0 else (pair.b, pair.a)
    return f"{early.id} is dated {early.doc.published}, before {late.id} ({late.doc.published})"


# --- containment of one text in the other ------------------------------------------------------


def _grams(pair: PairContext) -> float:
    return pair.trigrams_b_in_a - pair.trigrams_a_in_b


def _explain_grams(pair: PairContext, value: float) -> str:
    a, b = _ids(pair)
    return (f"{_pct(pair.trigrams_b_in_a)} of {b}'s wording (3-word runs) occurs in {a}; "
            f"{_pct(pair.trigrams_a_in_b)} of {a}'s occurs in {b}")


def _sentences(pair: PairContext) -> float:
    return pair.sentences_b_in_a - pair.sentences_a_in_b


def _explain_sentences(pair: PairContext, value: float) -> str:
    a, b = _ids(pair)
    return (f"{_pct(pair.sentences_b_in_a)} of {b}'s sentences have a counterpart in {a}; "
            f"{_pct(pair.sentences_a_in_b)} of {a}'s have one in {b}")


# --- where the rest of the family is found --------------------------------------------------------


def _mean_difference(shares: list[MemberShares]) -> float:
    return sum(s.in_a - s.in_b for s in shares) / len(shares) if shares else 0.0


def _shown(pair: PairContext, shares: list[MemberShares]) -> str:
    a, b = _ids(pair)
    shown = shares[:_SHOWN_MEMBERS]
    return ", ".join(f"{s.member}: {_pct(s.in_a)} in {a} vs {_pct(s.in_b)} in {b}" for s in shown)


def _others(pair: PairContext) -> float:
    return _mean_difference(pair.others_by_sentence)


def _explain_others(pair: PairContext, value: float) -> str:
    who = pair.a.id if value > 0 else pair.b.id
    return f"the rest of the family is found more in {who} ({_shown(pair, pair.others_by_sentence)})"


def _others_exact(pair: PairContext) -> float:
    return _mean_difference(pair.others_by_trigram)


def _explain_others_exact(pair: PairContext, value: float) -> str:
    who = pair.a.id if value > 0 else pair.b.id
    shown = _shown(pair, pair.others_by_trigram)
    return f"the rest of the family's exact wording (3-word runs) is found more in {who} ({shown})"


def _unique(pair: PairContext) -> float:
    return pair.unique_b - pair.unique_a


def _explain_unique(pair: PairContext, value: float) -> str:
    a, b = _ids(pair)
    shares = f"{_pct(pair.unique_a)} of {a}, {_pct(pair.unique_b)} of {b}"
    return f"wording found nowhere else in the family: {shares}"


# --- agreement of witnesses ----------------------------------------------------------------------


def _readings(pair: PairContext) -> float:
    return sum(vote.wording for vote in pair.witnesses)


def _order(pair: PairContext) -> float:
    return sum(vote.order for vote in pair.witnesses)


def _explain_witnesses(what: str, votes: list[float], pair: PairContext, value: float) -> str:
    a, b = _ids(pair)
    cast = [v for v in votes if v]
    agree = sum(1 for v in cast if (v > 0) == (value > 0))
    who = a if value > 0 else b
    tally = f"{agree} of {len(cast)}"
    return f"where {a} and {b} differ in {what}, the other members read as {who} does ({tally})"


def _explain_readings(pair: PairContext, value: float) -> str:
    return _explain_witnesses("wording", [vote.wording for vote in pair.witnesses], pair, value)


def _explain_order(pair: PairContext, value: float) -> str:
    return _explain_witnesses("sentence order", [vote.order for vote in pair.witnesses], pair, value)


# --- material one text adds -----------------------------------------------------------------------


def _lead(pair: PairContext) -> float:
    """Material before the first shared sentence, when the two share a real part (else what comes
    "before" one chance match means nothing)."""
    return pair.edges_b[0] - pair.edges_a[0] if pair.related else 0.0


def _explain_lead(pair: PairContext, value: float) -> str:
    who = pair.b.id if value > 0 else pair.a.id
    return f"{who} opens with material the other lacks (an added intro, a sign {who} is the copy)"


def _tail(pair: PairContext) -> float:
    return pair.edges_b[1] - pair.edges_a[1] if pair.related else 0.0


def _explain_tail(pair: PairContext, value: float) -> str:
    who = pair.b.id if value > 0 else pair.a.id
    return f"{who} ends with material the other lacks (an added ending, a sign {who} is the copy)"


def _merger(pair: PairContext) -> float:
    return pair.merger_b - pair.merger_a


def _explain_merger(pair: PairContext, value: float) -> str:
    who, share = (pair.b.id, pair.merger_b) if value > 0 else (pair.a.id, pair.merger_a)
    return (f"{who} joins material of two other members that they do not share with each other "
            f"({_pct(share)} of it from each at least): a merger of several sources")


# --- wire copy and time words -----------------------------------------------------------------


def _wire(pair: PairContext) -> float:
    return pair.a.wire.score - pair.b.wire.score


def _explain_wire(pair: PairContext, value: float) -> str:
    who, other = (pair.a, pair.b) if value > 0 else (pair.b, pair.a)
    unmarked = "carries none" if not other.wire.found else f"has {other.wire.describe()}"
    return f"{who.id} is marked as agency copy ({who.wire.describe()}); {other.id} {unmarked}"


def _wire_tag(pair: PairContext) -> float:
    return pair.a.wire.tagged - pair.b.wire.tagged


def _explain_wire_tag(pair: PairContext, value: float) -> str:
    who, other = (pair.a, pair.b) if value > 0 else (pair.b, pair.a)
    return f"{who.id} carries an agency tag ({who.wire.found['tag'].strip()[:40]}); {other.id} does not"


def _wire_dateline(pair: PairContext) -> float:
    return pair.a.wire.dated - pair.b.wire.dated


def _explain_wire_dateline(pair: PairContext, value: float) -> str:
    who, other = (pair.a, pair.b) if value > 0 else (pair.b, pair.a)
    return (f"{who.id} opens with an agency's dated dateline ({who.wire.found['dated'].strip()[-40:]}), the form "
            f"an agency files in; {other.id} has no dated agency dateline")


def _deixis(pair: PairContext) -> float:
    """The shift of time words between the two tellings of their shared narration; nothing when
    either cannot be placed (`wire.deixis`)."""
    a, b = pair.deixis_a, pair.deixis_b
    return 0.0 if a is None or b is None else a - b


def _explain_deixis(pair: PairContext, value: float) -> str:
    early, late = (pair.a, pair.b) if value > 0 else (pair.b, pair.a)
    return (f"where they share narration, {early.id} tells the events as today's more than {late.id} does "
            f"(\"today\" against \"yesterday\": a later telling puts them further back)")


def _spin(pair: PairContext) -> float:
    in_a, in_b = pair.rendered_twice_in_a, pair.rendered_twice_in_b
    return float(min(in_b, _MAX_RENDERINGS) - min(in_a, _MAX_RENDERINGS))


def _explain_spin(pair: PairContext, value: float) -> str:
    who, n = (pair.b.id, pair.rendered_twice_in_b) if value > 0 else (pair.a.id, pair.rendered_twice_in_a)
    return f"{who} renders {n} sentence(s) of the other twice in different wording (a spinner's trace)"


# --- credit lines and blog platforms --------------------------------------------------------------

_HOST_FILLER = {"www", "com", "org", "net", "co", "uk"}


def _publication_names(p: Profile) -> set[str]:
    """Distinctive words naming a publication: the parts of its site name and URL host."""
    names: set[str] = set()
    for part in (p.doc.site, p.doc.url):
        if part:
            host = re.sub(r"^[a-z]+://", "", part.lower()).split("/")[0]
            names.update(t for t in re.split(r"[^a-z0-9]+", host) if len(t) > 2 and t not in _HOST_FILLER)
    return names


def credit_score(x: Profile, y: Profile) -> float:
    """1 when x credits y by name, 0.5 when x credits some other publication, else 0."""
    if not x.attribution:
        return 0.0
    names = _publication_names(y)
    return 1.0 if any(names & set(words(line)) for line in x.attribution) else 0.5


def _names(x: Profile, y: Profile) -> float:
    return 1.0 if credit_score(x, y) == 1.0 else 0.0


def _credit(pair: PairContext) -> float:
    """A credit line naming the other text's publication: the strongest text evidence there is,
    which can outweigh a date (copies get backdated; a credit to the source stays)."""
    return _names(pair.b, pair.a) - _names(pair.a, pair.b)


def _explain_credit(pair: PairContext, value: float) -> str:
    who, other = (pair.b, pair.a) if value > 0 else (pair.a, pair.b)
    return f"{who.id} credits {other.id}'s publication by name: \"{who.attribution[0][:80]}\""


def _others_credited(x: Profile, y: Profile) -> float:
    return 1.0 if credit_score(x, y) == 0.5 else 0.0


def _attribution(pair: PairContext) -> float:
    return _others_credited(pair.b, pair.a) - _others_credited(pair.a, pair.b)


def _explain_attribution(pair: PairContext, value: float) -> str:
    who = pair.b if value > 0 else pair.a
    return f"{who.id} credits another publication: \"{who.attribution[0][:80]}\""


def _platform(pair: PairContext) -> float:
    return float(bool(pair.b.platform)) - float(bool(pair.a.platform))


def _explain_platform(pair: PairContext, value: float) -> str:
    who = pair.b if value > 0 else pair.a
    return f"{who.id} carries blog-platform text: \"{who.platform[0][:60]}\""


# --- the registry -----------------------------------------------------------------------------------

SIGNALS: tuple[Signal, ...] = (
    Signal("date", _date, _explain_date),
    Signal("grams", _grams, _explain_grams),
    Signal("sentences", _sentences, _explain_sentences),
    Signal("others", _others, _explain_others),
    Signal("others_exact", _others_exact, _explain_others_exact),
    Signal("unique", _unique, _explain_unique),
    Signal("readings", _readings, _explain_readings),
    Signal("order", _order, _explain_order),
    Signal("lead", _lead, _explain_lead),
    Signal("tail", _tail, _explain_tail),
    Signal("spin", _spin, _explain_spin),
    Signal("merger", _merger, _explain_merger),
    Signal("wire", _wire, _explain_wire),
    Signal("wire_tag", _wire_tag, _explain_wire_tag),
    Signal("wire_dateline", _wire_dateline, _explain_wire_dateline),
    Signal("deixis", _deixis, _explain_deixis),
    Signal("credit", _credit, _explain_credit),
    Signal("attribution", _attribution, _explain_attribution),
    Signal("platform", _platform, _explain_platform),
)
FEATURES: tuple[str, ...] = tuple(s.name for s in SIGNALS)


def values(pair: PairContext) -> dict[str, float]:
    """Every signal's value for the pair, in SIGNALS order."""
    return {s.name: s.compute(pair) for s in SIGNALS}


def logit(signal_values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Log-odds that a is the source of b."""
    return sum(weights[s.name] * signal_values[s.name] for s in SIGNALS)


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def evidence(
    pair: PairContext, signal_values: Mapping[str, float], weights: Mapping[str, float]
) -> list[Evidence]:
    """Plain-words evidence for a as the source of b; weight > 0 favours that reading."""
    found = []
    for s in SIGNALS:
        value = signal_values[s.name]
        contribution = weights[s.name] * value
        if abs(contribution) >= _MIN_EVIDENCE and (detail := s.explain(pair, value)) is not None:
            found.append(Evidence(s.name, detail, round(contribution, 3)))
    return found
