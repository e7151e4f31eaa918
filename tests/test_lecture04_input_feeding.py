"""Lecture 04's input feeding (``InputFeeding``) and its one-sentence decoders, taken
from the notebook's code cells with nothing of its globals (as
tests/test_notebook_devices.py does): the fed vector starts at zero, so the first step
is the plain attention model's; it is what the output layer read; greedy and beam
search of helpers.decoding carry it; and the model trains and decodes on the fake
device with the CPU's numbers."""

from __future__ import annotations

import numpy as np
import torch
from fake_device import DEV
from test_notebook_devices import CPU, definitions, on_device

from helpers import decoding, pairs
from helpers import translation_models as tm

NB = "04_seq2seq_attention.ipynb"
TASK = pairs.number_task(n_train=100, n_val=10, n_test=6, seed=0)
SV, TV = pairs.build_vocabs(TASK.train)


def test_input_feeding_starts_as_plain_attention_and_feeds_what_it_read():
    InputFeeding = definitions(NB, ["InputFeeding"])["InputFeeding"]
    torch.manual_seed(0)
    fed_model = InputFeeding(len(SV), len(TV), emb=8, hidden=16)
    plain = tm.Seq2Seq(len(SV), len(TV), emb=8, hidden=16, attention="dot")
    weights = dict(fed_model.state_dict())
    weights["decoder.weight_ih"] = weights["decoder.weight_ih"][:, :8]  # (4H, E)
    plain.load_state_dict(weights)
    b = pairs.make_batch(TASK.train[:5], SV, TV)
    with torch.no_grad():
        enc, mask, st_f = fed_model.encode(b.src, b.src_len)
        _, _, st_p = plain.encode(b.src, b.src_len)
        assert len(st_f) == 3 and st_f[2].shape == (5, 16) and not st_f[2].any()
        for t in range(3):
            lp_f, st_f, alpha = fed_model.step(b.tgt_in[:, t], st_f, enc, mask)
            lp_p, st_p, _ = plain.step(b.tgt_in[:, t], st_p, enc, mask)
            assert lp_f.shape == (5, len(TV)) and alpha.shape == b.src.shape
            assert torch.equal(torch.log_softmax(fed_model.out(st_f[2]), -1), lp_f)
            # equal at the first step only, where the fed vector is zero
            assert torch.equal(lp_f, lp_p) == (t == 0)


def test_input_feeding_trains_and_decodes_on_the_device():
    nb = definitions(NB, ["InputFeeding", "greedy_one", "score_outputs"])
    sources = [s for s, _ in TASK.test]

    def experiment(device):
        torch.manual_seed(0)
        model = nb["InputFeeding"](len(SV), len(TV), emb=8, hidden=16).to(device)
        batches = pairs.batches(TASK.train, SV, TV, 16, seed=0, device=device)
        hist = tm.fit_translator(model, batches, steps=3, every=1)
        model.eval()
        b = pairs.make_batch(TASK.test, SV, TV, device=device)
        g_ids, g_score, _ = decoding.greedy(
            model, b.src, b.src_len, TV.bos_id, TV.eos_id, max_len=12
        )
        b_ids, _ = decoding.beam_search(
            model, b.src, b.src_len, TV.bos_id, TV.eos_id, k=2, max_len=12
        )
        one = [nb["greedy_one"](model, s, SV, TV, max_len=12) for s in sources]
        # each reference scored step by step, the fed vector carried along, and by the
        # notebook's teacher-forced batch
        unrolled, forced = [], []
        with torch.no_grad():
            for s, ref in TASK.test:
                src = torch.tensor([SV.encode(s)], device=device)
                enc, mask, state = model.encode(src, torch.tensor([len(s)]))
                ids, total = [TV.bos_id] + TV.encode(ref) + [TV.eos_id], 0.0
                for prev, nxt in zip(ids, ids[1:]):
                    y = torch.tensor([prev], device=device)
                    logp, state, _ = model.step(y, state, enc, mask)
                    total += logp[0, nxt].item()
                unrolled.append(total)
                forced.append(nb["score_outputs"](model, s, [ref], SV, TV).item())
        return hist.loss, g_ids, g_score.cpu(), b_ids, one, unrolled, forced

    (loss, g_ids, g_score, b_ids, one, unrolled, forced), used = on_device(
        experiment, DEV
    )
    want = experiment(CPU)
    assert np.allclose(loss, want[0], rtol=1e-5)
    assert g_ids == want[1] and b_ids == want[3]
    assert torch.allclose(g_score, want[2], rtol=1e-4)
    assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, used
    # one sentence at a time: the batched greedy decoder's outputs and scores
    for i, (ids, score) in enumerate(one):
        assert ids == g_ids[i] and abs(score - g_score[i].item()) < 1e-4
    assert np.allclose(unrolled, forced, atol=1e-4)
