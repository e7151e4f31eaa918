"""The small library the notebooks import.

One flat module a job: ``device`` (where and how big), ``data`` (corpora shipped offline and the
evaluation sets), ``download`` (larger public corpora, cached and checksummed), ``text``
(vocabulary, windows), ``word2vec`` (the lecture-01 trainers reused later), ``evaluate``
(similarity, analogies, neighbours), ``train`` (seeding, progress bars, timing), ``plotting`` and
``exercises`` (the check-your-answer framework).
"""
from .device import setup, pick_device, Scale
from .train import seed_everything, progress, Timer

__all__ = ["setup", "pick_device", "Scale", "seed_everything", "progress", "Timer"]
__version__ = "0.1.0"
