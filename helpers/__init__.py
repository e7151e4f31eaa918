"""The small library the notebooks import, one module a concept.

* ``device``: where and how big (device, scale), a model's device, seeding.
* ``data``: corpora shipped offline and the evaluation sets; ``download``: larger public
  corpora, cached and checksummed.
* ``text``: vocabularies of words and characters, context windows, streams of ids.
* ``pairs``: sentence pairs for translation (tokens, the number task, pairs files,
  batches).
* ``word2vec``: the lecture-01 embeddings (``fit_sgns``, counts, PPMI, SVD);
  ``gradcheck``: finite differences.
* ``ngram``: counted character n-gram models; ``lm``: neural language models (window,
  RNN, LSTM) and their fitting (``fit_lm``, the GPT's too); ``transformer``: attention,
  blocks, the GPT; ``translation_models``: the encoder-decoders with attention and the
  Transformer translator (``fit_translator``).
* ``decoding``: sampling, greedy and beam search, translating.
* ``evaluate``: word-vector benchmarks, bits per character, BLEU.
* ``train``: the book's one training loop (``train``, a ``History``), learning-rate
  schedules, progress bars and timing; ``ladder``: the perplexity ladder (``climb``);
  ``plotting``: figures; ``ddp``: data-parallel training (``torchrun -m helpers.ddp``).
* Command-line tools: ``charlm`` (``python -m helpers.charlm train FILE --save lm.pt``,
  ``sample lm.pt``) and ``translate`` (``python -m helpers.translate train PAIRS --save
  m.pt``, ``apply m.pt``, ``download fra``); ``checkpoint``: the one file they save and
  load; ``cli``: their argument checks, device line and Ctrl-C.
* ``exercises``: the check-your-answer framework, one module of checks a lecture.
"""

from .device import Scale, pick_device, seed_everything, setup
from .train import Timer, progress

__all__ = ["setup", "pick_device", "Scale", "seed_everything", "progress", "Timer"]
__version__ = "0.1.0"
