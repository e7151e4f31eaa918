"""A fake accelerator for machines without a GPU, to test that code follows its device.

Inside ``with FakeDevice():``, tensors created with ``device=DEV`` or moved with
``.to(DEV)`` are wrappers reported on the ``meta`` device that hold real CPU values, so
training runs and gives the CPU's numbers. Like CUDA tensors they refuse:

* an operation that mixes them with CPU tensors of one or more dimensions (CPU scalars,
  CPU index tensors into a device tensor, and the CPU lengths of packed sequences are
  accepted, as CUDA accepts them);
* ``.numpy()`` and ``np.asarray``: call ``.cpu()`` first;
* drawing random numbers into them with a CPU ``torch.Generator``.

``.item()``, ``.tolist()``, ``float()``, f-string formats and ``.cpu()`` work as on a
GPU, and so do ``torch.tensor(data, device=DEV)`` and ``torch.as_tensor``. ``stats``
counts the operations run on the device and on the CPU (and the matrix products among
them), so a test can check that the heavy work ran on the device.
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten, tree_map

DEV = torch.device("meta")
aten = torch.ops.aten
INDEX_OPS = {
    aten.index.Tensor,
    aten.index_put_.default,
    aten.index_put.default,
    aten._index_put_impl_.default,
}
# ops that take lengths or batch sizes on the CPU, as CUDA's do (packed sequences)
CPU_SIZES = {
    aten._pack_padded_sequence.default,
    aten._pad_packed_sequence.default,
    aten.lstm.data,
    aten.gru.data,
    aten.rnn_tanh.data,
    aten.rnn_relu.data,
}
MATMULS = {aten.mm.default, aten.addmm.default, aten.bmm.default, aten.matmul.default}
METADATA = {
    aten.sym_size.default,
    aten.sym_stride.default,
    aten.sym_numel.default,
    aten.sym_storage_offset.default,
    aten.dim.default,
    aten.is_contiguous.default,
    aten.is_contiguous.memory_format,
    aten.sym_size.int,
    aten.sym_stride.int,
}
stats = {"dev": 0, "cpu": 0, "dev_mm": 0, "cpu_mm": 0}


class OnDevice(torch.Tensor):
    """A tensor on the fake device: reports ``DEV``, computes with its CPU ``elem``."""

    @staticmethod
    def __new__(cls, elem: torch.Tensor):
        r = torch.Tensor._make_wrapper_subclass(
            cls,
            elem.size(),
            strides=elem.stride(),
            storage_offset=elem.storage_offset(),
            dtype=elem.dtype,
            layout=elem.layout,
            device=DEV,
            requires_grad=elem.requires_grad,
            dispatch_sizes_strides_policy="sizes",
        )
        r.elem = elem
        return r

    def __repr__(self):
        return f"OnDevice({self.elem!r})"

    def __format__(self, spec):
        return self.elem.__format__(spec)

    def tolist(self):
        return self.elem.tolist()

    def numpy(self, *args, **kwargs):
        raise TypeError(
            "can't convert a tensor on the (fake) device to numpy, as on "
            "CUDA: use .cpu() first"
        )

    __array__ = numpy

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        return _run(func, args, kwargs or {})


def _on_dev(device) -> bool:
    return device is not None and torch.device(device).type == DEV.type


def _unwrap(t):
    return t.elem if isinstance(t, OnDevice) else t


def _run(func, args, kwargs):
    tensors = [
        a for a in tree_flatten((args, kwargs))[0] if isinstance(a, torch.Tensor)
    ]
    on_dev = [a for a in tensors if isinstance(a, OnDevice)]
    on_cpu = [a for a in tensors if not isinstance(a, OnDevice) and a.dim() > 0]
    to_dev = _on_dev(kwargs.get("device"))
    where = "dev" if on_dev or to_dev else "cpu"
    if func in METADATA:  # sizes and strides come from the values
        return func(*tree_map(_unwrap, args), **tree_map(_unwrap, kwargs))
    stats[where] += 1
    stats[where + "_mm"] += func in MATMULS
    if func is aten._to_copy.default and "device" in kwargs and not to_dev:
        return func(_unwrap(args[0]), **kwargs)  # .cpu(): a plain tensor
    if func is aten.copy_.default:  # copies between devices are legal: self stays put
        func(*tree_map(_unwrap, args), **tree_map(_unwrap, kwargs))
        return args[0]
    if on_dev and on_cpu:
        cpu_ints = all(not a.is_floating_point() for a in on_cpu)
        cpu_index = func in INDEX_OPS and isinstance(args[0], OnDevice) and cpu_ints
        if not cpu_index and not (func in CPU_SIZES and cpu_ints):
            raise RuntimeError(
                f"Expected all tensors to be on the same device: {func} got tensors "
                f"on the (fake) device and CPU tensors of shapes "
                f"{[tuple(a.shape) for a in on_cpu]}"
            )
    gen = kwargs.get("generator")
    if (on_dev or to_dev) and gen is not None and gen.device.type == "cpu":
        raise RuntimeError(f"{func}: a CPU generator for a tensor on the (fake) device")
    if to_dev:
        kwargs = dict(kwargs, device=torch.device("cpu"))
    same = {id(a.elem): a for a in on_dev}  # in-place ops return self
    args, kwargs = tree_map(_unwrap, args), tree_map(_unwrap, kwargs)
    try:
        out = func(*args, **kwargs)
    except RuntimeError:
        # a wrapper's strides can differ from its values' (after reshapes inside
        # composite ops such as nn.RNN's): a view that the values cannot take is copied
        if func is not aten.view.default:
            raise
        out = args[0].reshape(args[1])
    if where == "cpu":
        return out

    def wrap(t):
        if isinstance(t, torch.Tensor) and not isinstance(t, OnDevice):
            return same[id(t)] if id(t) in same else OnDevice(t)
        return t

    if func in (aten._pack_padded_sequence.default, aten._pad_packed_sequence.default):
        return wrap(out[0]), out[1]  # batch sizes, lengths: on the CPU, as on CUDA
    return tree_map(wrap, out)


def _from_data(factory):
    """``torch.tensor(data, device=DEV)`` (and ``as_tensor``): made on the CPU and
    moved, as CUDA does; torch builds a tensor from Python data below the dispatch mode,
    which would give an empty meta tensor."""

    def make(data, *args, device=None, **kwargs):
        if _on_dev(device):
            return factory(data, *args, **kwargs).to(DEV)
        return factory(data, *args, device=device, **kwargs)

    return make


FROM_DATA = ("tensor", "as_tensor")


class FakeDevice(TorchDispatchMode):
    """``with FakeDevice():`` makes ``DEV`` behave like a GPU (see the module)."""

    def __enter__(self):
        self._factories = {name: getattr(torch, name) for name in FROM_DATA}
        for name, factory in self._factories.items():
            setattr(torch, name, _from_data(factory))
        return super().__enter__()

    def __exit__(self, *exc):
        for name, factory in self._factories.items():
            setattr(torch, name, factory)
        return super().__exit__(*exc)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return _run(func, args, kwargs or {})
