"""Text: normalisation, word tokens with offsets, sentences and quotations.

Offsets always point into the text given, which is what every report points at.
"""

from provenance.text.sentences import paragraphs, quotation_spans, sentences
from provenance.text.tokens import Tokens, fold, normalize, normalize_word, tokenize, words

__all__ = ["Tokens", "fold", "normalize", "normalize_word", "paragraphs", "quotation_spans", "sentences",
           "tokenize", "words"]
