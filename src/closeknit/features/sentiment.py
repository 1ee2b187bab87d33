"""Comment sentiment from a small multilingual lexicon (en, de, fr, es, it, pt, nl) plus emoji.

A comment's score is (positive hits - negative hits) / (all hits), in [-1, 1]; comments with no
lexicon hit are neutral and left out. A creator's ``comment_sentiment`` is the mean over the
comments that hit. This is a deliberately simple, transparent method (in the spirit of
VADER-style lexicons, Hutto & Gilbert 2014, without intensity rules): it runs on millions of
comments on 2 cores with no model download, and every score can be explained by the words found.
A negator ("not", "don't", "never", "nicht", "pas", "no", "non", "não", "niet"...) flips the
next lexicon word within ``NEGATION_SCOPE`` words after it in the same clause (VADER looks back
three words): "I don't really love this" and "not very good" are negative, "not bad at all"
positive, "No - I hate it" negative. English
contractions are read whether typed with an apostrophe or without ("dont", "isn't", "can’t").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

POSITIVE: frozenset[str] = frozenset(
    """
love loved lovely loving beautiful gorgeous stunning amazing awesome great good nice cool
perfect best wonderful fantastic incredible brilliant excellent cute fabulous inspiring
inspiration helpful useful thanks thank thx obsessed favorite favourite yummy delicious
wow goals adorable happy glad fun enjoy enjoyed recommend legend queen king fire dope
liebe lieben schön schöne schöner toll tolle super genial wunderbar wunderschön danke lecker
klasse mega hammer geil cool perfekt hübsch süß
amour adore magnifique superbe génial genial merci parfait belle beau jolie excellent
incroyable sublime bravo trop top
amor encanta precioso preciosa hermoso hermosa bonito bonita increíble increible gracias
perfecto perfecta maravilloso maravillosa genial buenísimo buenisimo rico delicioso
bellissimo bellissima bello bella stupendo stupenda fantastico grazie perfetto brava bravo
adoro meraviglioso buonissimo
lindo linda maravilhoso maravilhosa incrível obrigado obrigada perfeito perfeita gostoso
gostosa amei demais
mooi prachtig geweldig leuk lekker bedankt dank
""".split()
)

NEGATIVE: frozenset[str] = frozenset(
    """
hate hated ugly bad awful terrible horrible worst boring disgusting gross fake scam lame
disappointing disappointed disappointment sad angry annoying trash garbage overpriced
unfollow unfollowed cringe waste wrong sucks poor fail failed useless rude liar
hässlich schlecht schlimm langweilig enttäuscht enttäuschend furchtbar schrecklich mist
scheiße scheisse betrug
moche nul nulle horrible déçu déçue décevant ennuyeux arnaque dégoûtant nase
feo fea malo mala horrible aburrido decepcionado decepcionada estafa asco basura peor
brutto brutta cattivo orribile noioso deluso delusa truffa schifo peggio
feio feia ruim péssimo pessimo chato decepcionante golpe lixo pior
lelijk slecht saai teleurgesteld oplichting
""".split()
)

POSITIVE_EMOJI: frozenset[str] = frozenset("😍🥰😘❤💕💖💗💓💞💯🔥👏🙌😊😁😀😃😄🤩👍✨💪🙏🤗😋")
NEGATIVE_EMOJI: frozenset[str] = frozenset("😡😠🤬👎😒🙄🤮🤢😞😢😭💩😤")
NEGATORS: frozenset[str] = frozenset(
    """
not no never nothing nobody neither nor without cannot
dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt aint havent hasnt
nicht kein keine keinen nie niemals pas jamais ne non nunca nada nem não nao niet geen nooit
""".split()
)
#: how many words after a negator it still reaches, within its clause (punctuation or "but" ends
#: it): two, not VADER's three, as short comments run clauses together ("never gets old love it")
NEGATION_SCOPE = 2
_CLAUSE_END: frozenset[str] = frozenset("but aber mais pero ma mas maar".split())
#: a word right after a negator that turns it into praise: "can't stop loving", "can't wait",
#: "not only good" (and "nicht nur", "no solo", "pas seulement", "não só"...), "no doubt the
#: best", "nothing but love", "can't help smiling", "no words, love it", "no lie best ever"
NOT_NEGATED_AFTER: frozenset[str] = frozenset(
    """
stop wait only just doubt but help words lie cap joke kidding
nur bloß solo sólo solamente soltanto seulement só somente alleen
""".split()
)
#: a praise word negated then followed by this, soon after, is praise: "couldn't love it more"
_MORE: frozenset[str] = frozenset("more mehr plus más mais meer".split())

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# "don't", "can’t", "isn't": one word "dont", "cant", "isnt" (the tokenizer would split them into
# "don", "'", "t", losing the negation); French elision "n'aime" becomes "ne aime" (a bare "n"
# is no negator: "mac n cheese")
_CONTRACTION = re.compile(r"(\w)n['’`]t\b", re.UNICODE)
_FRENCH_NE = re.compile(r"\bn['’`](?=\w)", re.UNICODE)
_APOSTROPHE = re.compile(r"['’`]")


def _more_after(toks: list[str], i: int) -> bool:
    """ "more" within three words after ``toks[i]``, not "any more" ("couldn't love it more" is
    praise, "don't love it any more" is not)."""
    return any(
        t in _MORE and toks[j - 1] != "any" for j, t in enumerate(toks[i + 1 : i + 4], i + 1)
    )


def score(text: str | None) -> float | None:
    """(pos - neg) / hits for one comment; None when no lexicon word or emoji is found."""
    if not text:
        return None
    pos = neg = 0
    reach = 0  # words left in the current negation's scope
    low = _CONTRACTION.sub(r"\1nt", text.lower())
    low = _APOSTROPHE.sub(" ", _FRENCH_NE.sub("ne ", low))
    toks = _TOKEN.findall(low)
    for i, tok in enumerate(toks):
        if tok in NEGATORS:
            # a second negator inside the scope agrees with the first ("nunca vi nada tan
            # lindo": never saw anything so beautiful) rather than starting a new one
            reach = reach or NEGATION_SCOPE
            continue
        if reach == NEGATION_SCOPE and tok in NOT_NEGATED_AFTER:
            reach = 0
            continue
        p = tok in POSITIVE or tok in POSITIVE_EMOJI
        n = tok in NEGATIVE or tok in NEGATIVE_EMOJI
        if p or n:
            if reach and not (p and _more_after(toks, i)):
                p, n = n, p
            reach = 0
            pos += int(p)
            neg += int(n)
        elif reach:
            reach = 0 if not tok.isalnum() or tok in _CLAUSE_END else reach - 1
    hits = pos + neg
    return None if hits == 0 else (pos - neg) / hits


def score_many(texts: Sequence[str | None]) -> list[float | None]:
    """Scores for many comments; identical texts are scored once."""
    cache: dict[str | None, float | None] = {}
    out: list[float | None] = []
    for t in texts:
        if t not in cache:
            cache[t] = score(t)
        out.append(cache[t])
    return out


def mean_sentiment(scores: Iterable[float | None]) -> tuple[float | None, int]:
    """Mean over scored comments and how many were scored."""
    vals = [s for s in scores if s is not None and s == s]  # None or NaN: not scored
    return (sum(vals) / len(vals) if vals else None), len(vals)


METHOD = (
    "multilingual lexicon (en/de/fr/es/it/pt/nl + emoji) with a two-word negation scope, "
    "mean of (pos-neg)/hits per comment"
)
