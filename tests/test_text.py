"""The text layer's invariants, over arbitrary Unicode and news-like text (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import text as textmod
from provenance.model import Document

# News-like pieces: words, abbreviations, sentence ends, quotes of every kind, dashes,
# line breaks, and characters that normalise to something else.
PIECES = st.sampled_from(
    [
        "The", "minister", "said", "Mr.", "U.S.", "e.g.", "A.", "3.5", "per cent", "it's",
        ".", "!", "?", "…", ",", ";", " ", " ", " ", "\n", "\n\n", "\r\n", "\t",
        '"', "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e", "'",
        "-", "\u2014", "\u2013", "\u00a0", "Caf\u00e9", "CAFE\u0301", "\ufb01nal", "stra\u00dfe", "\u2488",
    ]
)
news_like = st.lists(PIECES, max_size=60).map("".join)
any_text = st.one_of(st.text(), news_like)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_normalize_is_idempotent(text):
    once = textmod.normalize(text)
    assert textmod.normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_tokens_lie_in_the_text_and_are_the_words(text):
    tokens = textmod.tokenize(text)
    assert tokens.words == textmod.words(text)
    assert len(tokens.words) == len(tokens.starts) == len(tokens.ends)
    prev_end = 0
    for i, (s, e) in enumerate(zip(tokens.starts, tokens.ends)):
        assert 0 <= s < e <= len(text)
        if i and (s, e) == (tokens.starts[i - 1], tokens.ends[i - 1]):
            continue  # one raw word that normalised to several tokens
        assert s >= prev_end
        prev_end = e
    # Each raw word's span gives back exactly its tokens.
    spans: dict[tuple[int, int], list[str]] = {}
    for w, s, e in zip(tokens.words, tokens.starts, tokens.ends):
        spans.setdefault((s, e), []).append(w)
    for (s, e), ws in spans.items():
        assert ws == textmod.words(text[s:e])
        assert all(w == textmod.normalize_word(w)[0] for w in ws)  # tokens are normalised


def _check_spans(text, spans):
    prev = 0
    for s, e in spans:
        assert prev <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        prev = e


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_sentences_are_ordered_spans_that_hold_every_token(text):
    spans = textmod.sentences(text)
    _check_spans(text, spans)
    tokens = textmod.tokenize(text)
    for s, e in zip(tokens.starts, tokens.ends):
        assert any(a <= s and e <= b for a, b in spans)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_paragraphs_and_quotations_are_ordered_spans_in_the_text(text):
    paragraphs = textmod.paragraphs(text)
    _check_spans(text, paragraphs)
    quotes = textmod.quotation_spans(text)
    _check_spans(text, quotes)
    for s, e in quotes:
        assert any(a <= s and e <= b for a, b in paragraphs)  # never across a paragraph


def test_quotation_spans_find_curly_and_straight_quotes():
    text = 'He said \u201cwe will\u201d and "no more". It\u2019s done.'
    assert [text[s:e] for s, e in textmod.quotation_spans(text)] == ["we will", "no more"]


def test_urdu_quotation_marks_and_comma_like_single_quotes():
    # Real COUNTER sentences: Urdu typography quotes with ’’…‘‘, and typists use a lone ‘ as a comma.
    # Before, the closing ‘‘ opened a quotation that ran to the end of the paragraph.
    title = "بالی وڈ فلم ’’انگلش ونگلش‘‘ نے جاپان میں 10 لاکھ ڈالر کا بزنس کر لیا"
    assert [title[s:e] for s, e in textmod.quotation_spans(title)] == ["انگلش ونگلش"]
    commas = "کی ضمانتیں منظور‘ 39 کو جیل بھیج دیا ‘ پاکستان ٹیم 84 رنز بنا سکی"
    assert textmod.quotation_spans(commas) == []
    english = "He said ‘yes’ to rock ’n’ roll in the ’90s ‘ and left"
    assert [english[s:e] for s, e in textmod.quotation_spans(english)] == ["yes"]


def test_sentences_keep_abbreviations_together():
    text = "Mr. Smith met U.S. officials. They agreed.\nNew line here"
    assert [text[s:e] for s, e in textmod.sentences(text)] == [
        "Mr. Smith met U.S. officials.",
        "They agreed.",
        "New line here",
    ]


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in textmod.sentences(text)]


def test_sentences_end_by_unicode_rules_in_any_script():
    # Urdu (a real COUNTER agency sentence pair): "۔" and "؟" end sentences, with or without a space after
    urdu = "بنگلہ دیش نے زمبابوے کو شکست دے دی۔ زمبابوے ایک میچ بھی نہ جیت سکا۔آخری میچ کب ہوگا؟ کل۔"
    assert _split(urdu) == ["بنگلہ دیش نے زمبابوے کو شکست دے دی۔", "زمبابوے ایک میچ بھی نہ جیت سکا۔",
                            "آخری میچ کب ہوگا؟", "کل۔"]
    assert _split("प्रधानमंत्री ने आज बैठक की। बैठक में कई फैसले हुए॥ अगला") == [
        "प्रधानमंत्री ने आज बैठक की।", "बैठक में कई फैसले हुए॥", "अगला"]
    assert _split("东京今天下雨。明天会晴吗？会！「好的。」他说") == ["东京今天下雨。", "明天会晴吗？", "会！", "「好的。」", "他说"]
    assert _split("Արևը ծագեց։ Մենք գնացինք") == ["Արևը ծագեց։", "Մենք գնացինք"]
    # ASCII marks keep their English rules: a space after, abbreviations and decimals kept
    assert _split("Mr. Smith paid 24.3 dollars. Then he left!Really") == [
        "Mr. Smith paid 24.3 dollars.", "Then he left!Really"]
    assert _split("«Il est parti.» Puis") == ["«Il est parti.»", "Puis"]
    # A dash after an Arabic-script word is a full stop (a real COUNTER newspaper sentence): the script
    # joins no compounds with hyphens; a Latin hyphen or a suspended "pre- and post-war" stays inside
    urdu_dash = "کام شروع کر دیا- یہ ایک رومانٹک کامیڈی فلم ہے- سنی لیون نے دعا کریں-واضح رہے کہ"
    assert _split(urdu_dash) == ["کام شروع کر دیا-", "یہ ایک رومانٹک کامیڈی فلم ہے-", "سنی لیون نے دعا کریں-",
                                 "واضح رہے کہ"]
    assert _split("Café pre- and post-war – reçu") == ["Café pre- and post-war – reçu"]


def test_scripts_without_spaces_tokenise_by_character():
    from provenance.text import byte_tokens

    text = "东京2024年下雨。タワーとひらがな ภาษาไทย Café"
    toks = textmod.tokenize(text)
    assert toks.words == ["东", "京", "2024", "年", "下", "雨", "タ", "ワ", "ー", "と", "ひ", "ら", "が", "な",
                          "ภ", "า", "ษ", "า", "ไ", "ท", "ย", "café"]
    assert [text[s:e] for s, e in zip(toks.starts, toks.ends)][:4] == ["东", "京", "2024", "年"]
    assert byte_tokens.words(text) == toks.words  # the hashing core's tokens are the same
    assert textmod.words("นิดเดียว") == ["นิ", "ด", "เ", "ดี", "ย", "ว"]  # a base and its marks stay one token


def test_stopwords_beyond_english():
    from provenance.text.stems import stem
    from provenance.text.wordlists import other_script_stopwords

    assert other_script_stopwords() and not any(w.isascii() for w in other_script_stopwords())
    assert stem("کے") is None and stem("ہے") is None  # Urdu function words
    assert stem("زمبابوے") == "زمباب"  # an Urdu content word keeps its prefix: 5 letters in an abjad
    assert stem("باؤلرز") == stem("باؤلر")  # ...so an inflected form often meets its base
    assert stem("的") is None and stem("京") == "京"  # Chinese: a particle, and a character that is content
    assert stem("и") is None and stem("парламент") == "парлам"  # Russian
    assert stem("the") is None and stem("running") == "runn" and stem("pokémon") == "pokémo"  # Latin: English rules


def _content_words(text: str) -> set[str]:
    from provenance.verify.prepared import prepare

    p = prepare(text)
    return {text[s:e].lower() for s, e, h in zip(p.starts, p.ends, p.stem_tok) if h}


def test_a_latin_script_language_other_than_english_loses_its_own_stopwords():
    german = ("Die Regierung hat am Montag die neuen Pläne für den Ausbau der Bahn vorgestellt. Der Minister "
              "sagte, dass die Kosten bei drei Milliarden Euro liegen werden und die Arbeiten im Herbst beginnen.")
    french = ("Le ministre a présenté lundi son plan pour la rénovation des lignes de train. Les travaux vont "
              "commencer en automne et le coût sera de trois milliards d'euros, selon le gouvernement.")
    english = "The die was cast when the man in the hat came to the war office. His son drove the car to the door."
    assert {"die", "der", "und", "dass", "hat", "für"}.isdisjoint(_content_words(german))
    assert {"regierung", "minister", "bahn", "milliarden", "herbst"} <= _content_words(german)
    assert {"les", "son", "pour", "des", "sera"}.isdisjoint(_content_words(french))
    assert {"ministre", "rénovation", "train", "travaux", "gouvernement"} <= _content_words(french)
    assert {"die", "man", "hat", "war", "son", "car", "door"} <= _content_words(english)  # English words there


def test_a_german_rewrite_is_found_on_its_content_words():
    from provenance.engines.local import compare_documents

    original = ("Die Deutsche Bahn will bis 2030 rund 40 Milliarden Euro in ihr Schienennetz investieren. "
                "Das kündigte Bahnchef Richard Lutz am Dienstag in Berlin an. "
                "Besonders marode Brücken und Stellwerke sollen zuerst erneuert werden, sagte Lutz. "
                "Fahrgastverbände begrüßten den Plan, kritisierten aber die lange Bauzeit auf wichtigen Strecken. "
                "Auf der Strecke zwischen Frankfurt und Mannheim soll die Sanierung bereits im Juli beginnen. "
                "Die Strecke wird dafür fünf Monate lang vollständig gesperrt, Reisende müssen auf Busse umsteigen.")
    rewrite = ("Bis zum Jahr 2030 plant die Deutsche Bahn Investitionen von etwa 40 Milliarden Euro in das "
               "Schienennetz. Bahnchef Richard Lutz stellte das Vorhaben am Dienstag in Berlin vor. "
               "Als Erstes sollen nach seinen Worten besonders marode Brücken und Stellwerke saniert werden. "
               "Verbände der Fahrgäste lobten das Vorhaben, bemängelten jedoch die langen Bauzeiten auf wichtigen "
               "Strecken. Schon im Juli beginnt die Sanierung der Strecke zwischen Frankfurt und Mannheim. "
               "Für fünf Monate wird die Strecke dann ganz gesperrt, Reisende werden auf Busse umsteigen müssen.")
    pair = compare_documents(Document(id="a", text=original), Document(id="b", text=rewrite)).pairs[0]
    assert pair.verdict == "copy"
    assert any(q.kind == "paraphrase" for q in pair.passages)
    assert any("5 of 6 sentences" in r for r in pair.reasons)
