"""Exports of the outcome document: one export-neutral model (``content``) and one writer per
format (``docx``, ``html``, ``pdf``, ``markdown``). Writers never see the database: the
service ``app/services/exports.py`` builds the model and picks the writer."""
