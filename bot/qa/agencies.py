"""Agency matching for questions: the one resolver of :mod:`store.identity.resolver`, named
here for the question-answering modules (parse, core, multi, auditq)."""

from store.identity.resolver import AgencyIndex, Mention, Resolution, index_for

__all__ = ["AgencyIndex", "Mention", "Resolution", "index_for"]
