"""negneg: a laboratory for Negation Neglect.

Finetune a language model on documents that flag a claim as false, then measure whether the
model came out believing the claim. See README.md for the two commands that matter.
"""

__version__ = "0.1.0"
