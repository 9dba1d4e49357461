"""One module per schema revision, named ``NNNN_<slug>.py``."""
