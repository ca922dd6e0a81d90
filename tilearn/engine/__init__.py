"""The module engine: markdown modules in, checked and rendered Module objects out.

Pure Python with no Flask imports, so it can be used from the command line,
from tests and from other tools.
"""

from __future__ import annotations

from tilearn.engine.library import Library, load_library
from tilearn.engine.spec import Module, Problem, Question, Section

__all__ = ["Library", "Module", "Problem", "Question", "Section", "load_library"]
