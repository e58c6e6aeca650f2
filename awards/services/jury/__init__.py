"""The jury's home: everything between a submitted application and the jury's decisions.

Layers inside the package, each importing only those above it in this list:

- `redaction_patterns`: German word forms, e-mails, handles and numbers that name someone.
- `members`: who sits on which jury (jurors of a competition, the chair).
- `anonymisation`: the juror projection (code + redacted title and texts) and redaction.
- `files`: jury copies of uploaded PDFs and images, rebuilt and redacted.
- `visibility`: who in a jury sees what, in which phase (`permissions.identities_hidden_from`).
- `assignment`: which juror scores which application.
- `scoring`: score sheets, conflicts of interest, a juror's progress.
- `ranking`: the aggregated ranking (weights, normalisation, ties), cached.
- `rounds`: opening, closing and freezing rounds.
- `exports`: the jury's CSV/XLSX exports.
- `minutes`: the Niederschrift of a round (PDF).
- `release`: releasing the decisions to the applicants.

Views import these modules directly (`from awards.services.jury import scoring`).
"""
