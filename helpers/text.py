"""Text to ids: one ``Vocab`` for words and for characters (``Vocab.of_chars``),
(centre, context) windows, parallel streams for truncated backprop through time, and
reading the reader's own UTF-8 files with clear errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)


class Vocab:
    """Tokens (words, or characters: ``Vocab.of_chars``) with their counts, most
    frequent first (ties alphabetical, so ids are stable; ``by_count=False``: in sorted
    order), after any ``specials`` (e.g. ``SPECIALS``: pad, bos, eos, unk), which take
    ids 0, 1, ... with count 0.

    ``vocab["the"] -> id``, ``vocab.itos[id] -> "the"``, ``len(vocab)``, ``"the" in
    vocab``. One contract for words and characters: ``encode(tokens) -> list[int]``,
    ``decode(ids) -> list[str]``, ``text(ids) -> str`` (tokens joined by a space, or
    by nothing for characters). With ``UNK`` among the specials, unknown tokens encode
    to it; without, they raise a KeyError.
    """

    def __init__(
        self,
        counts: Counter,
        min_count: int = 1,
        specials: Sequence[str] = (),
        by_count: bool = True,
        chars: bool = False,
    ):
        specials = list(dict.fromkeys(specials))
        kept = sorted(
            ((w, c) for w, c in counts.items() if c >= min_count and w not in specials),
            key=(lambda wc: (-wc[1], wc[0])) if by_count else (lambda wc: wc[0]),
        )
        if not kept:
            raise ValueError(
                f"no word occurs at least min_count={min_count} times "
                f"(the most frequent occurs {max(counts.values(), default=0)} times)"
            )
        self.specials = specials
        self.itos: list[str] = specials + [w for w, _ in kept]
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}
        # (V,)
        self.counts = np.array(
            [0] * len(specials) + [c for _, c in kept], dtype=np.int64
        )
        self.min_count = min_count
        self.chars = chars  # the tokenizer option: a str's characters are its tokens

    @classmethod
    def of_chars(cls, text: str, specials: Sequence[str] = ()) -> "Vocab":
        """The characters of ``text``, in sorted order after any ``specials``: then
        ``encode`` takes a string too (its characters are the tokens) and ``text``
        joins the decoded characters without spaces."""
        if not isinstance(text, str) or not text:
            raise ValueError(
                "Vocab.of_chars needs a non-empty string, got "
                f"{type(text).__name__} {text!r:.60}"
            )
        return cls(Counter(text), 1, specials, by_count=False, chars=True)

    def _check_id(self, i) -> int:
        """``int(i)``, if it is an id of this vocabulary (negative ids are refused,
        not read from the end)."""
        i = int(i)
        if not 0 <= i < len(self.itos):
            raise IndexError(
                f"ids: {i} is not an id of this vocabulary "
                f"(ids 0..{len(self.itos) - 1})"
            )
        return i

    def _special(self, token: str) -> int:
        if token not in self.specials:
            raise KeyError(
                f"this vocabulary has no {token} token (specials: {self.specials})"
            )
        return self.stoi[token]

    @property
    def pad_id(self) -> int:
        return self._special(PAD)

    @property
    def bos_id(self) -> int:
        return self._special(BOS)

    @property
    def eos_id(self) -> int:
        return self._special(EOS)

    @property
    def unk_id(self) -> int:
        return self._special(UNK)

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        min_count: int = 1,
        specials: Sequence[str] = (),
    ) -> "Vocab":
        """From tokenised sentences (or strings, for a vocabulary of characters)."""
        return cls(Counter(w for s in sentences for w in s), min_count, specials)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: str) -> bool:
        return word in self.stoi

    def __getitem__(self, word: str) -> int:
        try:
            return self.stoi[word]
        except KeyError:
            raise KeyError(
                f"{word!r} is not in the vocabulary ({len(self)} words with count >= "
                f"{self.min_count})"
            ) from None

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Ids of ``tokens`` (a list of words; for a character vocabulary, a string
        too). Unknown tokens become ``<unk>`` if the vocabulary has it, else a clear
        KeyError names them."""
        if isinstance(tokens, str) and not self.chars:
            raise TypeError(
                f"Vocab.encode takes a list of tokens, got the string {tokens[:40]!r}: "
                "split it into tokens first (e.g. helpers.pairs.words_and_marks)"
            )
        if UNK in self.specials:
            unk = self.stoi[UNK]
            return [self.stoi.get(t, unk) for t in tokens]
        missing = list(dict.fromkeys(t for t in tokens if t not in self.stoi))
        if missing:
            kind = "character" if self.chars else "word"
            raise KeyError(
                f"{len(missing)} {kind}(s) not in the vocabulary: {missing[:5]}"
                f"{' ...' if len(missing) > 5 else ''}"
            )
        return [self.stoi[t] for t in tokens]

    def to_dict(self) -> dict:
        """Plain data (lists, numbers, strings) that ``from_dict`` turns back into an
        equal vocabulary: what a checkpoint stores."""
        return {
            "itos": list(self.itos),
            "counts": self.counts.tolist(),
            "specials": list(self.specials),
            "min_count": self.min_count,
            "chars": self.chars,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Vocab":
        """The vocabulary ``to_dict`` described (same ids, counts and specials)."""
        if not isinstance(d, dict) or not {"itos", "counts", "specials"} <= set(d):
            raise ValueError(
                "expected a dict with 'itos', 'counts' and 'specials' (from "
                f"Vocab.to_dict), got {type(d).__name__}"
            )
        v = cls.__new__(cls)
        v.specials = list(d["specials"])
        v.itos = list(d["itos"])
        v.stoi = {w: i for i, w in enumerate(v.itos)}
        v.counts = np.asarray(d["counts"], dtype=np.int64)
        v.min_count = int(d.get("min_count", 1))
        v.chars = bool(d.get("chars", False))
        return v

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ``ids``, stopping at ``<eos>`` and skipping ``<pad>`` and
        ``<bos>``. An id outside ``0 .. len(self) - 1`` raises an IndexError."""
        out = []
        for i in ids:
            w = self.itos[self._check_id(i)]
            if w == EOS:
                break
            if w not in (PAD, BOS):
                out.append(w)
        return out

    def text(self, ids: Iterable[int]) -> str:
        """``decode(ids)`` joined: by nothing for characters, by a space for words."""
        return ("" if self.chars else " ").join(self.decode(ids))

    def encode_corpus(
        self, sentences: Iterable[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Flatten a corpus to ids, dropping out-of-vocabulary words (as word2vec does).

        Returns ``ids`` (N,) and ``sent`` (N,), the sentence number of each token, so
        that windows never cross a sentence boundary.
        """
        ids, sent = [], []
        for k, s in enumerate(sentences):
            row = [self.stoi[w] for w in s if w in self.stoi]
            ids.extend(row)
            sent.extend([k] * len(row))
        return np.asarray(ids, dtype=np.int64), np.asarray(sent, dtype=np.int64)


def window_pairs(
    ids: np.ndarray, sent: np.ndarray, window: int, reach: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, context) id pairs with ``1 <= |offset| <= window`` inside a
    sentence.

    ``reach`` (N,), optional: each centre's own window (word2vec samples it uniformly in
    ``1..window`` so that near words count more). Returns ``centres`` (P,) and
    ``contexts`` (P,), grouped by offset (not shuffled).
    """
    if ids.shape != sent.shape or ids.ndim != 1:
        raise ValueError(
            f"ids and sent must be 1-D of the same length, got {ids.shape} and "
            f"{sent.shape}"
        )
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    if reach is None:
        reach = np.full(len(ids), window)
    centres, contexts = [], []
    for d in range(1, window + 1):
        same = sent[d:] == sent[:-d]
        right = same & (reach[:-d] >= d)  # centre i, context i + d
        left = same & (reach[d:] >= d)  # centre i + d, context i
        centres += [ids[:-d][right], ids[d:][left]]
        contexts += [ids[d:][right], ids[:-d][left]]
    return np.concatenate(centres), np.concatenate(contexts)


def streams(ids: np.ndarray, batch: int) -> torch.Tensor:
    """Cut a sequence into ``batch`` parallel streams (batch, N // batch), for truncated
    BPTT. The result is on the CPU; the trainers move it to their model's device."""
    n = len(ids) // batch
    if n < 2:
        raise ValueError(
            f"a text of {len(ids)} symbols is too short for {batch} parallel streams"
        )
    return torch.as_tensor(ids[: n * batch]).view(batch, n)


def _looks_utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or NUL bytes in about every other position (the
    high bytes of Latin text in UTF-16) and hardly any in the others."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    even, odd = head[0::2], head[1::2]
    if len(odd) < 8:
        return False
    share = (even.count(0) / len(even), odd.count(0) / len(odd))
    return max(share) > 0.3 and min(share) < 0.05


def read_utf8(path: str | Path, what: str, expected: str) -> str:
    """The text of a UTF-8 file (a byte-order mark dropped), with a clear error for a
    missing, empty, binary, UTF-16 or non-UTF-8 file, or a directory: ``what`` names
    the file ("text file"), ``expected`` says what it should hold."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"{path} is a directory, not a {what}: expected {expected}"
        )
    if not path.is_file():
        raise FileNotFoundError(f"no {what} at {path}: expected {expected}")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark: not part of the text
        raw = raw[3:]
    if not raw.strip():
        raise ValueError(f"{path} is empty: expected {expected}")
    if _looks_utf16(raw[:4096]):
        raise ValueError(
            f"{path} looks like UTF-16 text; expected UTF-8: convert it, e.g. "
            f"`iconv -f UTF-16 -t UTF-8 {path} > {path.stem}-utf8{path.suffix}`"
        )
    if b"\x00" in raw[:65536]:
        raise ValueError(
            f"{path} looks binary (it contains NUL bytes): expected {expected}"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path} is not UTF-8 text (byte {e.start}: "
            f"{raw[e.start : e.start + 4]!r}); "
            "convert it, e.g. with `iconv -t utf-8`"
        ) from None


def read_text_file(path: str | Path, min_chars: int = 10_000) -> str:
    """Read a plain-text (UTF-8) file for language modelling, with clear errors for a
    missing, empty, binary or too-short file."""
    text = read_utf8(
        path, "text file", "plain UTF-8 text for a language model to learn from"
    )
    if len(text) < min_chars:
        raise ValueError(
            f"{path} has {len(text):,} characters; at least {min_chars:,} are needed "
            "to train and validate a language model"
        )
    return text
