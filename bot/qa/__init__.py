"""The question-answering core: parse → plan → answer, over the database only.

``ask(db, question)`` returns a :class:`bot.answer.Answer` (status answer | clarify | no_data |
not_found) and never raises; ``answer_choice(db, question, agency)`` answers again with the
agency the user picked from a clarify answer's ``candidates``.  No network, no LLM, no shell code.
"""

from bot.qa.core import answer_choice, ask
from bot.qa.log import log_answer

__all__ = ["ask", "answer_choice", "log_answer"]
