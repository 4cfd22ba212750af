"""ZeroGPU adapter: `gpu` is `spaces.GPU` where the `spaces` package is importable, else a no-op.

Hugging Face's ZeroGPU hardware lends a GPU only inside functions decorated with `spaces.GPU`;
on any other hardware (and off Spaces, where the package is absent) the decorator changes nothing.
"""

from typing import Callable, TypeVar

Function = TypeVar("Function", bound=Callable)

try:
    import spaces
except ImportError:  # not on a Space: nothing to adapt
    spaces = None


def gpu(function: Function) -> Function:
    return function if spaces is None else spaces.GPU(function)
