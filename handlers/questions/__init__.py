"""Questions in plain Chinese about the ledger's figures: a parser made for this domain (no model, no
network) turning a message into a typed `Question`, answered over the `Figures` port and the projects."""
from handlers.questions.lexicon import Lexicon, lexicon_for
from handlers.questions.parser import looks_like_question, parse_question
from handlers.questions.query import NotUnderstood, Period, Question

__all__ = ["Lexicon", "NotUnderstood", "Period", "Question", "lexicon_for", "looks_like_question",
           "parse_question"]
