"""The speed benchmark's corpus: English news articles of 300–1,500 words.

Two sources give the same shape (article lengths drawn from a log-normal with median
550 words, sigma 0.5, clipped to [300, 1500]; paragraphs separated by blank lines):

* **Reuters-21578** when it is present (``$PROVENANCE_REUTERS``, else
  ``shared/data/reuters-21578/reuters21578.jsonl`` beside the repository). Real 1987
  wire copy: the stories (exact re-sends dropped) are read in id order as one stream
  of paragraphs, and consecutive paragraphs are stitched into articles of the target
  length; the paragraph that reaches the target is cut at that word. Reuters is for
  research use only, so it is read in place and never copied into the repository.
  Set ``PROVENANCE_REUTERS=none`` to force the generated corpus.
* **Generated** otherwise, deterministically from the bundled ``corpus/news/*.txt``
  articles, so any clone can run the benchmark. The bundled text is only ~3,000
  words, too little for a word-bigram model alone to reach news-like vocabulary, so
  each word either follows the bigram chain of the bundled text (probability 0.6,
  which keeps real local word order, punctuation, capitals and typographic quotes)
  or is drawn from a Zipf (s=1) lexicon of 100,000 words: the bundled vocabulary by
  frequency, then words from a character-trigram model of it (English spelling),
  shorter ones at the more frequent ranks. The result has Zipfian word frequencies, a growing vocabulary and
  English word lengths; `describe` prints the statistics to compare with Reuters.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIN_WORDS, MAX_WORDS, MEDIAN_WORDS, SIGMA = 300, 1500, 550, 0.5
LEXICON_SIZE = 100_000
P_BIGRAM = 0.6


@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    source: str  # "reuters-21578" or "generated"


def reuters_path() -> Path | None:
    """The Reuters JSONL to use, or None (env var, then ../shared next to the repo)."""
    env = os.environ.get("PROVENANCE_REUTERS")
    if env is not None:
        if env.strip().lower() in ("", "0", "none", "off"):
            return None
        path = Path(env)
        if not path.is_file():
            raise FileNotFoundError(f"PROVENANCE_REUTERS={env!r} is not a file")
        return path
    for root in (REPO.parent / "shared", REPO / ".." / ".." / "shared"):
        path = root / "data" / "reuters-21578" / "reuters21578.jsonl"
        if path.is_file():
            return path.resolve()
    return None


def _target_lengths(rng: random.Random):
    while True:
        yield min(MAX_WORDS, max(MIN_WORDS, round(rng.lognormvariate(math.log(MEDIAN_WORDS), SIGMA))))


def wire_like_lengths(texts: list[str], seed: int = 0) -> Iterator[int]:
    """Word counts drawn from `texts`' own, so generated wire stories are as long as real ones."""
    rng = random.Random(seed)
    counts = [len(t.split()) for t in texts if t.strip()]
    while True:
        yield from rng.choices(counts, k=1024)


def reuters_articles(path: Path, n_docs: int, seed: int = 0) -> list[str]:
    """Consecutive Reuters paragraphs stitched into articles (fewer if the stream runs out)."""
    seen: set[str] = set()
    paragraphs: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if text in seen:
                continue
            seen.add(text)
            paragraphs.extend(p for p in text.split("\n") if p.strip())
    rng = random.Random(seed)
    lengths = _target_lengths(rng)
    docs: list[str] = []
    it = iter(paragraphs)
    for target in lengths:
        if len(docs) == n_docs:
            break
        parts, count = [], 0
        for para in it:
            words = para.split()
            if count + len(words) >= target:
                parts.append(" ".join(words[: target - count]) if count + len(words) > target else para)
                count = target
                break
            parts.append(para)
            count += len(words)
        if count < target:
            break  # the stream ran out
        docs.append("\n\n".join(parts))
    return docs


# --- generated corpus -------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+")


def _char_trigram_words(vocab: Counter, rng: random.Random, limit: int, taken: set[str]) -> list[str]:
    model: dict[str, list[str]] = defaultdict(list)
    for word, count in vocab.items():
        padded = "^^" + word + "$"
        for i in range(len(padded) - 2):
            model[padded[i : i + 2]].extend(padded[i + 2] * min(count, 5))
    out: list[str] = []
    attempts = 0
    while len(out) < limit and attempts < limit * 20:
        attempts += 1
        w, ctx = "", "^^"
        while len(w) < 20:
            ch = rng.choice(model[ctx])
            if ch == "$":
                break
            w += ch
            ctx = ctx[1] + ch
        if 1 < len(w) < 20 and w not in taken:
            taken.add(w)
            out.append(w)
    return out


def generated_articles(n_docs: int, seed: int = 0, sources: list[Path] | None = None,
                       source_texts: list[str] | None = None, lengths: Iterator[int] | None = None) -> list[str]:
    """News-like articles from a bigram chain over the bundled articles (or `sources`, or `source_texts`)
    plus a Zipf lexicon.

    Over the five bundled articles most words have one or two successors, so the chain often
    repeats a 10-word run of them: generated articles share such runs by chance far more than
    real ones do. A large source (`source_texts`: Reuters' 10.8k articles) branches enough that
    they rarely do.

    Lengths in words are drawn from a log-normal around BBC-like articles unless `lengths` gives them
    (`wire_like_lengths`: the word counts of the wire stories themselves).
    """
    tokens: list[str] = []
    if source_texts is not None:
        for t in source_texts:
            tokens.extend(t.split())
    else:
        for f in sources or sorted((REPO / "corpus" / "news").glob("*.txt")):
            tokens.extend(f.read_text(encoding="utf-8").split())
    if len(tokens) < 100:
        raise FileNotFoundError("the bundled corpus/news/*.txt articles are needed to generate the corpus")
    successors: dict[str, list[str]] = defaultdict(list)
    for a, b in zip(tokens, tokens[1:]):
        successors[a].append(b)
    starts = [b for a, b in zip(tokens, tokens[1:]) if a.endswith(".") and b[:1].isupper()]
    vocab = Counter(w.lower() for t in tokens for w in _WORD.findall(t))
    rng = random.Random(seed)
    lexicon = [w for w, _ in vocab.most_common()]
    # Shorter made-up words take the more frequent ranks, as in real vocabularies.
    lexicon += sorted(_char_trigram_words(vocab, rng, LEXICON_SIZE - len(lexicon), set(lexicon)), key=len)
    weights = [1.0 / r for r in range(1, len(lexicon) + 1)]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)

    docs: list[str] = []
    for target in lengths if lengths is not None else _target_lengths(rng):
        if len(docs) == n_docs:
            break
        draws = iter(rng.choices(lexicon, cum_weights=cum, k=target))
        paras, sent, words = [], [], []
        prev = rng.choice(starts)
        words.append(prev)
        sentence_start = False
        for _ in range(target - 1):
            if rng.random() < P_BIGRAM and successors.get(prev):
                tok = rng.choice(successors[prev])
            else:
                tok = next(draws)
                if sentence_start:
                    tok = tok.capitalize()
                r = rng.random()
                if r < 0.05:
                    tok += "."
                elif r < 0.10:
                    tok += ","
            words.append(tok)
            prev = tok
            sentence_start = tok.endswith((".", "?", "!", ".\u201d", '."'))
            if sentence_start and rng.random() < 0.3:
                sent.append(" ".join(words))
                words = []
            if sent and sentence_start and rng.random() < 0.35:
                paras.append(" ".join(sent))
                sent = []
        sent.append(" ".join(words))
        paras.append(" ".join(s for s in sent if s))
        docs.append("\n\n".join(p for p in paras if p))
    return docs


def news_corpus(n_docs: int = 3000, seed: int = 0) -> Corpus:
    """The benchmark corpus: Reuters when present, else generated from corpus/news."""
    path = reuters_path()
    if path is not None:
        return Corpus(reuters_articles(path, n_docs, seed), "reuters-21578")
    return Corpus(generated_articles(n_docs, seed), "generated")


def describe(texts: list[str]) -> dict:
    """Statistics that make a corpus news-like (or not)."""
    lengths = sorted(len(t.split()) for t in texts)
    words = [w.lower() for t in texts for w in _WORD.findall(t)]
    counts = Counter(words)
    top100 = sum(c for _, c in counts.most_common(100))
    return {
        "docs": len(texts),
        "words": len(words),
        "words/doc median": lengths[len(lengths) // 2],
        "words/doc min-max": (lengths[0], lengths[-1]),
        "mean word length": round(sum(map(len, words)) / len(words), 2),
        "distinct words": len(counts),
        "top-100 word share": round(top100 / len(words), 3),
        "hapax share of types": round(sum(1 for c in counts.values() if c == 1) / len(counts), 3),
        "non-ascii docs": sum(not t.isascii() for t in texts),
    }


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    c = news_corpus(n)
    print(c.source, describe(c.texts))
    if c.source != "generated":
        print("generated", describe(generated_articles(n)))
