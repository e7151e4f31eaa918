"""The small library the notebooks import.

One flat module a job: ``device`` (where and how big), ``data`` (corpora shipped offline
and the evaluation sets), ``download`` (larger public corpora, cached and checksummed),
``text`` (vocabulary, windows), ``word2vec`` (the lecture-01 trainers reused later),
``evaluate`` (similarity, analogies, neighbours), ``gradcheck`` (finite differences),
``ngram`` and ``charlm`` (language models, lecture 03; ``python -m helpers.charlm``),
``ladder`` (the perplexity ladder), ``translation`` and ``seq2seq`` (translation data
and the encoder-decoder with attention, lecture 04; ``python -m helpers.translate``),
``transformer`` and ``ddp`` (lecture 05), ``train`` (seeding, progress bars, timing),
``plotting`` and ``exercises`` (the check-your-answer framework, one module of checks a
lecture).
"""

from .device import Scale, pick_device, setup
from .train import Timer, progress, seed_everything

__all__ = ["setup", "pick_device", "Scale", "seed_everything", "progress", "Timer"]
__version__ = "0.1.0"
