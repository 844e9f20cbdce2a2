"""The terminal browser (Textual). Front end only: it draws what `deconf.analysis` computes."""
