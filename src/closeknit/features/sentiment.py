"""Comment sentiment from a small multilingual lexicon (en, de, fr, es, it, pt, nl) plus emoji.

A comment's score is (positive hits - negative hits) / (all hits), in [-1, 1]; comments with no
lexicon hit are neutral and left out. A creator's ``comment_sentiment`` is the mean over the
comments that hit. This is a deliberately simple, transparent method (in the spirit of
VADER-style lexicons, Hutto & Gilbert 2014, without intensity rules): it runs on millions of
comments on 2 cores with no model download, and every score can be explained by the words found.
A negator ("not/nicht/pas/no/non/não/niet"...) flips the word right after it.
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
    "not no never nicht kein keine pas jamais non não nao niet".split()
)

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def score(text: str | None) -> float | None:
    """(pos - neg) / hits for one comment; None when no lexicon word or emoji is found."""
    if not text:
        return None
    pos = neg = 0
    flip = False
    for tok in _TOKEN.findall(text.lower()):
        if tok in NEGATORS:
            flip = True
            continue
        p = tok in POSITIVE or tok in POSITIVE_EMOJI
        n = tok in NEGATIVE or tok in NEGATIVE_EMOJI
        if p or n:
            if flip:
                p, n = n, p
            pos += int(p)
            neg += int(n)
        if tok.isalnum():
            flip = False
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


METHOD = "multilingual lexicon (en/de/fr/es/it/pt/nl + emoji), mean of (pos-neg)/hits per comment"
