"""Agency identity: one place (division of GB/T 2260 or a reviewed zone) + one organ.

``gazetteer`` reads the national table of divisions, ``organs`` the organ names and their
abbreviations, ``names`` reads an agency name (a title, a body line, a question's words) into
place + organ and builds the canonical name, ``resolver`` is the one matcher every shell uses
(ingest, questions, CLI arguments, Telegram commands), ``admin`` the operator's merge/split/
alias/rename with an undoable record.
"""
